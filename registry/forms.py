from django import forms
from django.utils.translation import gettext_lazy as _

from registry.choices import RegionLevel, UrbanRuralCode
from registry.models import Region


class CommunityForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Street / township"))
    code = forms.RegexField(
        regex=r"^\d{12}$", label=_("12-digit statistical code"),
        error_messages={"invalid": _("Enter the 12-digit statistical code.")},
    )
    name = forms.CharField(max_length=100, label=_("Name"))
    urban_rural_code = forms.ChoiceField(choices=UrbanRuralCode.choices, label=_("Urban-rural code"))
    population = forms.IntegerField(min_value=0, required=False, label=_("Resident population"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Dropdowns list only what the user may see.
        self.fields["parent"].queryset = Region.objects.visible_to(user).filter(level=RegionLevel.STREET)


class CommunityImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: 12-digit code, name, urban-rural code (UTF-8 or GB18030). All rows or none are saved."),
    )
