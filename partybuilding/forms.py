import re

from django import forms
from django.utils.translation import gettext_lazy as _

from partybuilding.choices import AssignmentKind
from partybuilding.models import InstructorAssignment, MeetingRecord, PartyBuilding
from registry.models import Organization
from registry.resources import validate_import_file
from registry.widgets import pick_organizations

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartyBuildingForm(forms.ModelForm):
    class Meta:
        model = PartyBuilding
        fields = ["full_members", "probationary_members", "form", "joint_with", "established_on",
                  "superior_organization", "two_way_entry", "cross_appointment", "last_contact_on"]
        widgets = {"established_on": DATE, "last_contact_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The picker offers only what the user may see: open organizations of the same street, the usual partners.
        organization = self.instance.organization
        street = organization.region_id[:9]
        partners = Organization.objects.visible_to(user).open().exclude(pk=organization.pk)
        pick_organizations(self.fields["joint_with"], partners.filter(region__code__startswith=street),
                           open="1", within=street, exclude=organization.pk)
        self.fields["joint_with"].label_from_instance = lambda org: f"{org.name}（{org.region_id}）"


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = InstructorAssignment
        fields = ["kind", "person_name", "unit", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class EndAssignmentForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label=_("Ended on"), widget=DATE)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = MeetingRecord
        fields = ["held_on", "kind", "attendees", "note"]
        widgets = {"held_on": DATE}


class OrganizationIdsField(forms.CharField):
    """Organization ids, typed or carried over from the list's tick boxes, separated by commas or spaces."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        text = super().to_python(value)
        parts = [part for part in re.split(r"[,，、;\s]+", text) if part]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(_("Organization ids are whole numbers separated by commas."))
        return [int(part) for part in parts]


class BulkAssignForm(forms.Form):
    organizations = OrganizationIdsField(
        label=_("Organizations (ids)"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ticked on the Party-building list, or typed, separated by commas."),
    )
    kind = forms.ChoiceField(choices=AssignmentKind.choices, label=_("Kind"))
    person_name = forms.CharField(max_length=50, label=_("Name"))
    unit = forms.CharField(max_length=100, required=False, label=_("Work unit"))
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("To"), required=False, widget=DATE)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("An assignment cannot end before it starts."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet"), help_text=_("XLSX (or CSV) in the template's columns."),
                           validators=[validate_import_file])
    dry_run = forms.BooleanField(label=_("Check only (dry run)"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload
