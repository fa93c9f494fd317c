from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def bs(field):
    """Render a bound field's widget with Bootstrap's class for its kind."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def widget_kind(field):
    """"checkbox" for a single tick box, "choices" for a list of tick boxes or radios, "" otherwise."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return ""


@register.simple_tag(takes_context=True)
def querystring_with(context, **changes):
    """The current query string with some parameters replaced (for paging links that keep the filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def may_open(context, url_name, *args):
    """``{% may_open "app:view" pk as allowed %}``: the check the view itself makes (registry.permissions)."""
    from registry.permissions import may_open as check

    return check(context["request"].user, url_name, *args)


_ICON = '<i class="bi bi-{}" aria-hidden="true"></i> {}'
_CURRENT = mark_safe(' aria-current="page"')
# The loop's text around each entry in layout/base.html (its indentation and the lines of its tags).
_GROUP = ('\n        \n        <li class="nav-item dropdown">\n'
          '          <a class="nav-link dropdown-toggle{}" href="#" role="button" data-bs-toggle="dropdown"'
          ' aria-expanded="false">{}</a>\n'
          '          <ul class="dropdown-menu">\n            {}\n          </ul>\n        </li>\n        \n        ')
_LINK = '\n        \n        <li class="nav-item"><a class="nav-link{}" href="{}"{}>{}</a></li>\n        \n        '
_CHILD = '<li><a class="dropdown-item{}" href="{}"{}>{}</a></li>'


@register.simple_tag
def main_menu(navigation):
    """The main menu's groups and links (the context processor's ``navigation``), as layout/base.html's loop over
    them wrote them, character for character; built in Python because the loop and its conditions were most of
    the layout's rendering time, which every page pays."""
    parts = []
    for item in navigation:
        active = " active" if item.get("active") else ""
        icon = format_html(_ICON, item["icon"], item["label"])
        if item.get("children"):
            children = mark_safe("".join(  # each part is format_html's
                format_html(_CHILD, " active" if child.get("active") else "", child["url"],
                            _CURRENT if child.get("active") else "", format_html(_ICON, child["icon"], child["label"]))
                for child in item["children"]))
            parts.append(format_html(_GROUP, active, icon, children))
        else:
            parts.append(format_html(_LINK, active, item.get("url"), _CURRENT if active else "", icon))
    return mark_safe("".join(parts))  # each part is format_html's
