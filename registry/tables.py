import functools
import inspect
from html import escape as escape_text

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, escape, format_html, strip_tags
from django.utils.http import urlencode
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from registry.models import Organization, Region

_signature = tables.utils.signature


@functools.lru_cache(maxsize=4096)
def _cached_signature(function, bound):
    return _signature(function.__get__(object()) if bound else function)


def _signature_once(fn):
    """django-tables2 asks inspect.signature() again for every cell (a third of a list page's rendering time);
    the answer depends only on the function, so it is computed once per function."""
    if inspect.ismethod(fn):
        return _cached_signature(fn.__func__, True)
    try:
        return _cached_signature(fn, False)
    except TypeError:  # unhashable callable
        return _signature(fn)


tables.utils.signature = _signature_once


_MISSING = object()
_STAND_IN = "9223372036854775807"  # the largest id PostgreSQL holds: no URL prefix contains it


@functools.lru_cache(maxsize=64)
def _url_template(viewname, script_prefix, urlconf):
    return reverse(viewname, args=[_STAND_IN], urlconf=urlconf)


def detail_link(viewname):
    """A ``linkify`` for a detail page named by the row's key: the URL is reversed once (per script prefix) and
    the key put in per row; ``reverse()`` for every row was a quarter of a list table's time."""

    def url(record):
        return _url_template(viewname, get_script_prefix(), get_urlconf()).replace(_STAND_IN, str(record.pk), 1)

    return url


class BaseTable(tables.Table):
    class Meta:
        attrs = {
            "class": "table table-sm table-hover align-middle",
            # The list container boosts sorting and paging links into the table; links in rows open pages.
            "tbody": {"hx-boost": "false"},
        }


class RegionTable(BaseTable):
    code = tables.Column(linkify=detail_link("registry:region_detail"), verbose_name=_("Code"))
    name = tables.Column(linkify=detail_link("registry:region_detail"), verbose_name=_("Name"))
    level = tables.Column(verbose_name=_("Level"))
    parent = tables.Column(verbose_name=_("Parent"), accessor="parent__name", order_by="parent_id")
    committee_type = tables.Column(verbose_name=_("Committee type"))
    urban_rural_code = tables.Column(verbose_name=_("Urban-rural code"))
    population = tables.Column(verbose_name=_("Population"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "level", "parent", "committee_type", "urban_rural_code", "population", "is_active")


class OrganizationTable(BaseTable):
    name = tables.Column(linkify=detail_link("registry:organization_detail"), verbose_name=_("Name"))
    number = tables.Column(verbose_name=_("USCC / number"), orderable=False, empty_values=())
    tier = tables.Column(verbose_name=_("Tier"))
    category = tables.Column(verbose_name=_("Category"), order_by="category__sort")
    region = tables.Column(verbose_name=_("Community / region"), accessor="region__name", order_by="region_id")
    status = tables.Column(verbose_name=_("Status"))
    grade = tables.Column(verbose_name=_("Grade"))
    member_count = tables.Column(verbose_name=_("Members"))
    leader_name = tables.Column(verbose_name=_("Person in charge"))
    leader_id = tables.Column(verbose_name=_("ID number"), accessor="masked_id_number", orderable=False)
    leader_phone = tables.Column(verbose_name=_("Phone"), accessor="masked_phone", orderable=False)

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("name", "number", "tier", "category", "region", "status", "grade", "member_count", "leader_name",
                  "leader_id", "leader_phone")

    # The columns the cells read (the list fetches only these of an organization's forty-odd): ``number`` reads
    # the tier's identifier, the masked columns the full values.
    reads = ("name", "tier", "uscc", "filing_number", "ledger_number", "category__name", "category__name_en",
             "region__name", "status", "grade", "member_count", "leader_name", "leader_id_number", "leader_phone")

    def render_number(self, record):
        return record.number or "—"

    def value_number(self, record):
        return record.number


class _ColumnCells:
    """What every cell of one column shares, worked out once per column instead of once per cell: django-tables2
    rebuilds the column's attributes, looks up the model field behind the accessor and inspects the render
    function's signature again for every cell. The cells come out as layout/table.html's row block wrote them."""

    def __init__(self, table, bound_column):
        self.bound_column = bound_column
        self.column = column = bound_column.column
        self.name = bound_column.name
        self.accessor = tables.A(bound_column.accessor)
        self.localize = bound_column.localize
        # A phone shows each cell under its header's text (a header may be markup, e.g. a select-all checkbox).
        self.labels = format_html(' data-label="{}" data-column="{}"', strip_tags(bound_column.header), self.name)
        # Columns whose value lookup has special cases (a link column's fixed text, a many-to-many's empty test)
        # go through django-tables2 itself.
        self.generic = isinstance(column, tables.ManyToManyColumn | BaseLinkColumn)
        self.display = None  # decided at the first record: does the accessor end in a field with choices?
        self.default = bound_column.default
        self.empty_values = column.empty_values
        self.link = bound_column.link
        render = bound_column.render
        self.plain = type(column).render is tables.Column.render and _same_function(render, column.render)
        self.arguments, self.any_arguments = tables.utils.signature(render)
        self.render = render
        attrs = {**table.attrs, **column.attrs}
        td = attrs.get("td", attrs.get("cell", {}))
        # The cell's opening tag as plain text, when its attributes do not depend on the record.
        self.start = None if _computed(td) else str(f"<td {self._td_attrs(None, None)}{self.labels}>")
        self.bits = tuple(self.accessor.bits)
        self.path, self.last = self.bits[:-1], self.bits[-1] if self.bits else ""
        # A link whose URL comes from the record alone (``detail_link``) is written here, as LinkTransform writes it.
        link = self.link
        self.href = None
        if type(link) is LinkTransform and not link.attrs and callable(link.url):
            arguments, any_arguments = tables.utils.signature(link.url)
            if not any_arguments and tuple(arguments) == ("record",):
                self.href = link.url

    def _td_attrs(self, record, value):
        column = self.bound_column
        column.current_record, column.current_value = record, value
        return column.attrs["td"].as_html()

    def _resolve(self, record, bits):
        """``Accessor(bits).resolve(record)``: for a model instance (not subscriptable) Accessor's dictionary lookup
        always fails, with an exception per cell, before its attribute lookup; here the attribute comes first."""
        current = record
        for bit in bits:
            if not isinstance(current, models.Model) or hasattr(current, "__getitem__"):
                return tables.A("__".join(bits)).resolve(record)  # dicts, lists: django-tables2's own lookup
            current = getattr(current, bit)
            if callable(current):
                if getattr(current, "alters_data", False):
                    raise ValueError(f"Refusing to call {current.__name__}() because `.alters_data = True`")
                if not getattr(current, "do_not_call_in_templates", False):
                    current = current(*self.accessor.callable_args, **self.accessor.callable_kwargs)
            if current is None:
                break
        return current

    def _value(self, record):
        if self.display is None:
            self.display = self._choices(record)  # stays None while the rows lack the related object
        if self.display:
            # Model.get_FOO_display() without rebuilding the field's choice dict for every cell.
            penultimate = self._resolve(record, self.path)
            if isinstance(penultimate, models.Model):
                value = getattr(penultimate, self.last)
                label = self.display.get(make_hashable(value), _MISSING)
                return force_str(value, strings_only=True) if label is _MISSING else label
        try:
            return self._resolve(record, self.bits)
        except Exception:  # noqa: BLE001 - django-tables2 shows a value it cannot reach as empty, and so do we
            return None

    def _choices(self, record) -> dict | None:
        """The choices of the model field the accessor ends in (empty: none, the value is shown as it is; None:
        not known from this row, whose accessor stops before a model)."""
        penultimate, remainder = self.accessor.penultimate(record)
        if not isinstance(penultimate, models.Model):
            return None
        if not hasattr(penultimate, f"get_{remainder}_display"):
            return {}
        try:
            field = self.accessor.get_field(record)
        except FieldDoesNotExist:
            return {}
        if not getattr(field, "choices", None):
            return {}
        # The labels translated once for the whole table (the language does not change within a request).
        return {value: force_str(label, strings_only=True) for value, label in make_hashable(field.flatchoices)}

    def cell(self, row):
        record = row.record
        if self.generic:
            content = row.get_cell(self.name)
        else:
            value = self._value(record)
            if value in self.empty_values:
                content = self.default
            else:
                content = value
                if not self.plain or (self.link and self.href is None):
                    kwargs = {"value": value, "record": record, "column": self.column,
                              "bound_column": self.bound_column, "bound_row": row, "table": row.table}
                    if not self.plain:
                        content = self._call(kwargs)
                    if self.link:
                        content = self.link(content, **kwargs)
                elif self.link:
                    href = self.href(record=record)
                    if href is not None:
                        content = format_html('<a href="{}">{}</a>', href, content)
        start = self.start if self.start is not None else f"<td {self._td_attrs(record, content)}{self.labels}>"
        return f"{start}{value_html(content, None if self.localize is None else bool(self.localize))}</td>"

    def _call(self, kwargs):
        if self.any_arguments:
            return self.render(**kwargs)
        if any(name not in kwargs for name in self.arguments):
            return None  # as django-tables2's call_with_appropriate
        return self.render(**{name: kwargs[name] for name in self.arguments})


def value_html(value, use_l10n=None) -> str:
    """``{{ value }}`` as a template writes it (Django's ``render_value_in_context``), for the tags that write HTML in
    Python (these tables, the dashboard's): safe text as it is; other text escaped with ``html.escape`` (what
    Django's ``escape`` calls, without its lazy-argument check: most values are text); anything else localized, then
    escaped. ``use_l10n`` None: datetimes in the current time zone and the ``USE_L10N`` setting, as ``{{ value }}``;
    True or False: as ``{{ value|localize }}`` or ``{{ value|unlocalize }}`` (a column's ``localize``)."""
    if isinstance(value, SafeData):
        return value
    if isinstance(value, str | Promise):
        return escape_text(str(value))
    if use_l10n is None:
        return conditional_escape(localize(template_localtime(value)))
    return conditional_escape(localize(value, use_l10n=use_l10n))


def _same_function(a, b):
    return getattr(a, "__func__", a) is getattr(b, "__func__", b)


def _computed(attrs):
    """Whether an attribute dict holds callables (then it depends on the record and is computed per cell)."""
    return any(callable(value) or (isinstance(value, dict) and _computed(value)) for value in attrs.values())


def _attrs_html(attrs, key):
    value = attrs.get(key)
    return value.as_html() if hasattr(value, "as_html") else ""


def _query(request, **updates):
    """The current query string with ``updates``, as the ``querystring_replace`` tag writes it."""
    params = dict(request.GET) if request is not None else {}
    params.update(updates)
    return escape("?" + urlencode(params, doseq=True))


def render_rows(table, cells=None) -> str:
    """The table's body rows as HTML, built in Python: the same markup as layout/table.html's row block."""
    cells = cells if cells is not None else [_ColumnCells(table, column) for column in table.columns]
    # Without row_attrs a row's attributes are only its even/odd class (BoundRow.attrs).
    plain_rows = not table.row_attrs
    html = []
    for row in table.paginated_rows:
        if plain_rows:
            html.append('<tr class="odd">' if row.row_counter % 2 else '<tr class="even">')
        else:
            html.append(format_html("<tr {}>", row.attrs.as_html()))
        html.extend(cell.cell(row) for cell in cells)
        html.append("</tr>")
    return mark_safe("\n".join(html))  # every part above is escaped or already safe


def render_table(table, request) -> str:
    """The whole table (header with sort links, rows, footer, pagination) in one pass in Python, with the markup
    of layout/table.html (django-tables2's bootstrap5-responsive template with our row cards). Rendering it as a
    template cost most of a list page's time, and ran every context processor (the menu) a second time."""
    columns = list(table.columns)
    html = ['<div class="table-container table-responsive table-cards">',
            format_html("<table {}>", AttributeDict({"class": "table", **table.attrs}).as_html())]
    if table.show_header:
        html.append(f"<thead {_attrs_html(table.attrs, 'thead')}>\n<tr>")
        for column in columns:
            header = conditional_escape(column.header)
            if column.orderable:
                href = _query(request, **{table.prefixed_order_by_field: column.order_by_alias.next})
                header = f'<a href="{href}">{header}</a>'
            html.append(f'<th {column.attrs["th"].as_html()} scope="col">{header}</th>')
        html.append("</tr>\n</thead>")
    html.append(f"<tbody {_attrs_html(table.attrs, 'tbody')}>")
    rows = render_rows(table, [_ColumnCells(table, column) for column in columns])
    if rows:
        html.append(rows)
    elif table.empty_text:
        html.append(format_html('<tr><td colspan="{}" class="text-center text-body-secondary py-4">{}</td></tr>',
                                len(columns), _("Nothing matches.")))
    html.append("</tbody>")
    if table.has_footer():
        html.append(f"<tfoot {_attrs_html(table.attrs, 'tfoot')}>\n<tr>")
        html.extend(format_html("<td {}>{}</td>", column.attrs["tf"].as_html(), column.footer) for column in columns)
        html.append("</tr>\n</tfoot>")
    html.append("</table>")
    html.append(_pagination(table, request))
    html.append("</div>")
    return mark_safe("\n".join(html))  # every part above is escaped or already safe


def _pagination(table, request) -> str:
    page = getattr(table, "page", None)
    if not page or table.paginator.num_pages <= 1:
        return ""
    field = table.prefixed_page_field
    items = ['<nav aria-label="Table navigation">', '<ul class="pagination justify-content-center">']
    if page.has_previous():
        href = _query(request, **{field: page.previous_page_number()})
        items.append(f'<li class="previous page-item"><a href="{href}" class="page-link">'
                     f'<span aria-hidden="true">&laquo;</span> {escape(gettext("previous"))}</a></li>')
    if page.has_previous() or page.has_next():
        for number in table_page_range(page, table.paginator):
            active = " active" if page.number == number else ""
            href = "" if number == "..." else f'href="{_query(request, **{field: number})}"'
            items.append(f'<li class="page-item{active}"><a class="page-link" {href}>{escape(number)}</a></li>')
    if page.has_next():
        href = _query(request, **{field: page.next_page_number()})
        items.append(f'<li class="next page-item"><a href="{href}" class="page-link">'
                     f'{escape(gettext("next"))} <span aria-hidden="true">&raquo;</span></a></li>')
    items.append("</ul>\n</nav>")
    return "\n".join(items)
