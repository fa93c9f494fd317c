from django import forms
from django.utils.translation import gettext_lazy as _

from registry.choices import FlagReason, JobKind, NoticeResult
from registry.models import Activity, BrandDesignation, EvaluationGrade, Organization, Region, Term, Training
from registry.resources import validate_import_file
from registry.widgets import pick_organizations


class ScopedModelForm(forms.ModelForm):
    """Organization pickers and region drop-downs offer only what the user may see."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if "organization" in self.fields:
            pick_organizations(self.fields["organization"], Organization.objects.visible_to(user).open(), open="1")
        if "region" in self.fields:
            self.fields["region"].queryset = Region.objects.visible_to(user).order_by("code")
        if "campaign" in self.fields:
            self.fields["campaign"].queryset = Term.objects.of("campaign")


class ActivityForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("participants", "beneficiaries"):
            self.fields[name].required = False

    def clean_participants(self):
        return self.cleaned_data.get("participants") or 0

    def clean_beneficiaries(self):
        return self.cleaned_data.get("beneficiaries") or 0

    class Meta:
        model = Activity
        fields = ["organization", "held_on", "title", "place", "participants", "beneficiaries", "campaign"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}


class TrainingForm(ScopedModelForm):
    class Meta:
        model = Training
        fields = ["region", "organization", "person_name", "trainee_kind", "course", "held_on", "hours"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}


class EvaluationGradeForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].help_text = _("Recorded by the district bureau (沪民社管发〔2024〕1号 第六条).")

    class Meta:
        model = EvaluationGrade
        fields = ["organization", "grade", "awarded_on", "evaluator"]
        widgets = {"awarded_on": forms.DateInput(attrs={"type": "date"})}


class BrandDesignationForm(ScopedModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].help_text = _("Named by the county bureau, which selects quality projects once a year "
                                           "(豫民文〔2021〕115号).")

    class Meta:
        model = BrandDesignation
        fields = ["organization", "project", "year", "level", "title"]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=[(v, label) for v, label in FlagReason.choices if v != "no_annual_report"],
                               label=_("Reason"))
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Explanation"))


class NoticeForm(forms.Form):
    reason = forms.ChoiceField(choices=FlagReason.choices, label=_("Reason"))
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("What is to be rectified"))
    deadline = forms.DateField(label=_("Rectify by"), widget=forms.DateInput(attrs={"type": "date"}))


class NoticeResultForm(forms.Form):
    result = forms.ChoiceField(choices=[(v, label) for v, label in NoticeResult.choices if v != NoticeResult.PENDING],
                               label=_("Result"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Note on the result"))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, v) for k, v in JobKind.choices if k != JobKind.EXPORT],
                             label=_("What to import"))
    file = forms.FileField(label=_("File (XLSX or CSV)"), validators=[validate_import_file])
