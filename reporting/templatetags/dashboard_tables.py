"""The dashboard's two tables of rows (the indicators against their targets, the child regions side by side), written
in Python: the template loops over them, with a dozen lookups, filters and translations per row, were a third of the
page's rendering, which every leader pays on every visit. Each tag writes what the loop it replaced in
templates/reporting/dashboard.html wrote, character for character (tests/reporting/test_dashboard_tables.py renders
both and compares); each value goes through what the template did to it (localized, escaped, the same filters)."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, truncatechars
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from registry.tables import value_html

register = template.Library()

INDENT = "\n              "  # the continuation lines of a cell in the template


_v = value_html  # ``{{ value }}``


def _t(message) -> str:
    """``{% translate message %}``: translated and escaped."""
    return conditional_escape(gettext(message))


def _bt(message, **values) -> str:
    """``{% blocktranslate with ... %}``: the translation is not escaped, the values put into it are."""
    return gettext(message) % {name: _v(value) for name, value in values.items()}


def _origin_name(a):
    """``a.origin.name|default:a.target.jurisdiction_code``."""
    return (a.origin.name if a.origin is not None else "") or a.target.jurisdiction_code


@register.simple_tag
def indicator_rows(rows, may_manage, region):
    targets_url = reverse("reporting:targets") if may_manage else ""
    out = []
    for row in rows:
        a, indicator, value = row["assessment"], row["indicator"], row["value"]
        name = _v(indicator.name)
        percent = indicator.unit == "percent"
        cells = [f'\n          <tr data-indicator="{_v(indicator.id)}">\n            <td>']
        cells.append(f'<a href="{_v(row["url"])}">{name}</a>' if row.get("url") else name)
        cells.append(INDENT)
        if value.denominator:
            cells.append(f'<div class="small text-muted">{floatformat(value.numerator, "0")} / '
                         f'{floatformat(value.denominator, "0")}</div>')
        number = "—" if row["number"] is None else floatformat(row["number"], "-1") + ("%" if percent else "")
        cells.append(f'</td>\n            <td class="text-end fw-semibold">{number}</td>\n'
                     '            <td class="text-end" data-testid="target">')
        target = a.target
        if target:
            cells.append(f"{_v(target.get_operator_display())} {_v(target.display_value)}")
            if percent and target.value_divisor == 1:
                cells.append("%")
            if a.derived:
                cells.append(f'<div class="small text-muted">{_t("per community")}</div>')
            deadline = (_bt("by %(date)s", date=date_filter(target.deadline, "Y-m-d")) + " · "
                        if target.deadline else "")
            cells.append(f'{INDENT}<div class="small text-muted">{deadline}<span title="{_v(target.source_document)}">'
                         f'{_v(truncatechars(target.source_document, 18))}</span></div>{INDENT}')
            if a.inherited:
                cells.append(f'<div class="small text-muted" data-testid="origin">'
                             f'{_bt("set by %(name)s", name=_origin_name(a))}</div>')
            cells.append(INDENT)
        else:
            cells.append(f'<span class="text-muted" data-testid="no-target">{_t("No target set")}</span>')
            if may_manage:
                cells.append(f' <a class="small" href="{targets_url}?region={_v(region.code)}&amp;indicator='
                             f'{_v(indicator.id)}#add-target">{_t("Set one")}</a>')
        cells.append('</td>\n            <td data-testid="status">')
        if a.not_here == "total":
            cells.append(f'<span class="small text-muted">'
                         f'{_bt("A total for %(name)s: judged there only", name=_origin_name(a))}</span>{INDENT}')
        elif a.not_here == "unit":
            cells.append(f'<span class="small text-muted">'
                         f'{_bt("Judged at %(level)s", level=target.get_judged_at_display())}</span>{INDENT}')
        elif a.met is True:
            cells.append(f'<span class="badge text-bg-success">{_t("met")}</span>{INDENT}')
        elif a.met is False:
            cells.append(f'<span class="badge text-bg-danger">{_t("not met")}</span> '
                         f'<span class="small fw-semibold" data-testid="gap">{_v(a.gap_text)}</span>{INDENT}')
        elif target:
            cells.append(f'<span class="small text-muted">{_t("no figure")}</span>')
        cells.append(INDENT)
        if a.rollup_text:
            cells.append(f'<div class="small text-muted" data-testid="rollup">{_v(a.rollup_text)}</div>')
        cells.append(INDENT)
        cells.extend(f'<div class="small text-muted fst-italic">{_v(note)}</div>' for note in a.notes)
        cells.append("</td>\n          </tr>\n        ")
        out.append("".join(cells))
    return mark_safe("".join(out))  # every value above is escaped as the template escaped it


STATUS_CLASS = {"met": "table-success", "near": "table-warning", "behind": "table-danger"}


@register.simple_tag
def scorecard_rows(children):
    urban_title, rural_title = _t("Urban communities below target"), _t("Rural communities below target")
    out = []
    for row in children:
        code = _v(row["region"].code)  # the snapshot path's rows have no "url": the template wrote ""
        short = _bt("%(n)s orgs", n=row["short"]) if row["short"] else "—"
        urban, rural = row["urban"].value, row["rural"].value
        party = f'<td class="text-end">{_v(row["party_work"])}%</td>' if row["party_work"] is not None else ""
        out.append(
            f'\n          <tr class="{STATUS_CLASS.get(row["status"], "")}">\n'
            f'            <td>{_v(row["rank"])}</td>\n'
            f'            <td><a href="{_v(row.get("url", ""))}" data-testid="child-{code}">'
            f'{_v(row["region"].name)}</a></td>\n'
            f'            <td class="text-end">{_v("—" if urban is None else urban)}</td>\n'
            f'            <td class="text-end">{_v("—" if rural is None else rural)}</td>\n'
            f'            <td class="text-end" data-testid="below-{code}"><a href="{_v(row["below_urls"]["urban"])}" '
            f'title="{urban_title}">{_v(row["below_urban"])}</a> / <a href="{_v(row["below_urls"]["rural"])}" '
            f'title="{rural_title}">{_v(row["below_rural"])}</a></td>\n'
            f'            <td class="text-end" data-testid="short-{code}">{short}</td>\n'
            f"            {party}\n          </tr>\n        ")
    return mark_safe("".join(out))  # every value above is escaped as the template escaped it
