"""Organization pickers: a scoped search instead of a drop-down of every organization.

A drop-down listing every organization in scope grows to megabytes (60,000 organizations in a province); the picker
renders only the chosen organization(s) and a search box that asks ``registry:organization_search`` (limited by
``visible_to``) for matches, which ``static/js/shequ.js`` puts into the field when clicked. The form field keeps its
own scoped queryset, so a posted id outside it is refused whatever the browser sends.
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


class OrganizationPicker(forms.Select):
    def __init__(self, attrs=None, search=None):
        super().__init__(attrs)
        # Narrowing the search to what the field accepts (open=1, within=<region prefix>, tier=..., exclude=<id>).
        self.search = dict(search or {})

    def _chosen_choices(self, value):
        """The field's choices cut down to the chosen organizations (plus the empty choice of a single select)."""
        queryset = getattr(self.choices, "queryset", None)
        field = getattr(self.choices, "field", None)
        chosen = [v for v in self.format_value(value) if str(v).isdigit()]
        choices = [] if self.allow_multiple_selected else [("", "---------")]
        if queryset is not None and chosen:
            label = field.label_from_instance if field is not None else str
            choices += [(org.pk, label(org)) for org in queryset.filter(pk__in=chosen)]
        return choices

    def get_context(self, name, value, attrs):
        all_choices = self.choices
        self.choices = self._chosen_choices(value)
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = all_choices

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        url = reverse("registry:organization_search")
        if self.search:
            url += "?" + urlencode(self.search, doseq=True)
        return format_html(
            '<div class="org-picker" data-org-picker data-testid="org-picker-{name}">{select}'
            '<input type="search" name="q" class="form-control form-control-sm mt-1" autocomplete="off" '
            'placeholder="{placeholder}" aria-label="{placeholder}" hx-get="{url}" '
            'hx-trigger="input changed delay:300ms, search" hx-target="next .org-picker-results" hx-swap="innerHTML">'
            '<div class="list-group org-picker-results"></div></div>',
            name=name, select=select, url=url,
            placeholder=_("Search by name, USCC or number"),
        )


class OrganizationMultiPicker(OrganizationPicker, forms.SelectMultiple):
    allow_multiple_selected = True


def pick_organizations(field, queryset, **search):
    """Makes a model choice field over organizations a picker over ``queryset``; ``search`` narrows the search box
    to what the queryset accepts (the queryset alone decides what a submitted id may be)."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = (OrganizationMultiPicker if multiple else OrganizationPicker)(attrs=field.widget.attrs, search=search)
    widget.is_required = field.required
    field.widget = widget
    field.queryset = queryset  # hands the new widget the field's choices
    return field
