from django import forms, template

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
