from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.choices import RegionLevel, Tier, UrbanRuralCode, Vocabulary
from registry.models import Organization, Region, Term


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


COMMON_FIELDS = [
    "name", "region", "category", "target_groups", "hub_kind", "founded_on", "leader_name", "leader_id_number",
    "leader_phone", "leader_is_party_member", "member_count", "venue", "charter_kind", "is_volunteer_service",
]
TIER_FIELDS = {
    Tier.COMMUNITY: COMMON_FIELDS,
    Tier.FILED: [*COMMON_FIELDS, "is_social_work_institution", "financial_custody"],
    Tier.REGISTERED: [
        *COMMON_FIELDS, "is_social_work_institution", "legal_form", "uscc", "uscc_override_reason",
        "supervising_unit", "directly_registered", "legal_representative", "domicile", "startup_funds",
        "unit_member_count", "individual_member_count", "is_charity", "term_ends_on",
    ],
}
TIER_REGION_LEVELS = {
    Tier.COMMUNITY: (RegionLevel.COMMUNITY,),
    Tier.FILED: (RegionLevel.STREET, RegionLevel.COMMUNITY),
    Tier.REGISTERED: (RegionLevel.COUNTY, RegionLevel.STREET, RegionLevel.COMMUNITY),
}


class MaskedIdInput(forms.TextInput):
    """Shows a stored ID number masked: a form never sends the full number to the browser (PIPL). The value
    typed by the person filling the form is theirs and shown back as typed."""

    stored = ""

    def format_value(self, value):
        from registry.personal import mask_id

        if value and self.stored and str(value) == self.stored:
            return mask_id(self.stored)
        return super().format_value(value)


class OrganizationForm(forms.ModelForm):
    """The organization's details as proposed in a case; validated on submission and again on approval.

    The stored ID number (of the organization, or of the draft being edited: ``stored_id_number``) is shown
    masked and kept when the masked text comes back unchanged; a newly typed number replaces it."""

    class Meta:
        model = Organization
        fields = TIER_FIELDS[Tier.REGISTERED]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "target_groups": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, tier, user=None, stored_id_number=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.tier = tier
        self.stored_id_number = (stored_id_number if stored_id_number is not None
                                 else self.instance.leader_id_number) or ""
        if "leader_id_number" in self.fields:
            self.fields["leader_id_number"].widget = MaskedIdInput(attrs={"autocomplete": "off"})
            self.fields["leader_id_number"].widget.stored = self.stored_id_number
        keep = set(TIER_FIELDS[tier])
        for name in TIER_FIELDS[Tier.REGISTERED]:
            if name not in keep:
                del self.fields[name]
        regions = Region.objects.filter(level__in=TIER_REGION_LEVELS[tier])
        if user is not None:
            regions = regions.visible_to(user)
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["region"].label_from_instance = lambda region: f"{region.code} {region.name}"
        self.fields["category"].queryset = Term.objects.of(Vocabulary.CATEGORY)
        self.fields["target_groups"].queryset = Term.objects.of(Vocabulary.TARGET_GROUP)
        self.fields["hub_kind"].queryset = Term.objects.of(Vocabulary.HUB_KIND)
        if tier == Tier.REGISTERED:
            self.fields["legal_form"].required = True
            self.fields["uscc"].help_text = _("Leave empty until the registration authority issues it.")
            for name in ("unit_member_count", "individual_member_count"):
                self.fields[name].required = False

    def clean_leader_id_number(self):
        from registry.personal import mask_id

        value = (self.cleaned_data.get("leader_id_number") or "").strip()
        if "*" in value:
            if self.stored_id_number and value == mask_id(self.stored_id_number):
                return self.stored_id_number  # unchanged: the masked number the form showed
            raise forms.ValidationError(_("Type the full ID number, or leave the masked one as shown."))
        return value

    def clean_unit_member_count(self):
        return self.cleaned_data.get("unit_member_count") or 0

    def clean_individual_member_count(self):
        return self.cleaned_data.get("individual_member_count") or 0

    def clean(self):
        cleaned = super().clean()
        name, region = cleaned.get("name"), cleaned.get("region")
        if name and region:
            # The database constraint holds this too; ModelForm skips it because status is not a form field.
            clash = Organization.objects.open().filter(region=region, name=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("An open organization named %(name)s already exists in %(region)s.")
                               % {"name": name, "region": region.name})
        return cleaned


def payload_from(form) -> dict:
    """The cleaned data of an OrganizationForm as JSON: model instances by primary key, dates as ISO text."""
    data = {}
    for name, value in form.cleaned_data.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "values_list"):
            value = sorted(value.values_list("pk", flat=True))
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[name] = value
    return data


def form_data_from(payload: dict) -> dict:
    """Payload back into form data (booleans left out when false, as a browser would send them)."""
    data = {}
    for name, value in payload.items():
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Name of the person invited"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    as_owner = forms.BooleanField(label=_("As person in charge (owner)"), required=False, initial=True,
                                  help_text=_("The person in charge may later invite delegates."))


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class AccountRequestForm(AcceptInvitationForm):
    """Applying for an organization's account with its number; the staff who hold its record confirm."""

    number = forms.CharField(label=_("Organization's number"), max_length=40, help_text=_(
        "The unified social credit code (registered organizations), the filing number (filed organizations) or the "
        "community ledger number (community-cultivated groups), as on its certificate or record."))
    field_order = ["number", "full_name", "phone", "username", "password", "password_again"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["full_name"].help_text = _("The person in charge, or a delegate the person in charge names.")


class RefuseRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
