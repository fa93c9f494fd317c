from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.choices import INSPECTION_RESULTS, CaseKind, DocumentKind, RevocationGround
from filings.eligibility import EXCLUDED_NATURES
from registry.calendar import add_years
from registry.choices import Tier
from registry.forms import OrganizationForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseForm(OrganizationForm):
    """The organization's proposed details, plus the declarations a registration needs."""

    declared_natures = forms.MultipleChoiceField(
        choices=list(EXCLUDED_NATURES.items()), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("The organization is or needs"),
        help_text=_("Tick what applies; such organizations may not use the lowered thresholds or register directly "
                    "(民发〔2017〕191号); they may still register under the national conditions with a supervising "
                    "unit."),
    )
    supervisor_approved_on = forms.DateField(
        label=_("Supervising unit approved the change on"), required=False, widget=DATE,
        help_text=_("The organization must apply within 30 days of this date (《社会团体登记管理条例》 art. 18)."),
    )

    def __init__(self, *args, tier, kind=None, **kwargs):
        super().__init__(*args, tier=tier, **kwargs)
        from filings.corrections import FILLED_BY_AUTHORITY

        for name in FILLED_BY_AUTHORITY.get(kind, ()):
            self.fields.pop(name, None)
        if tier != Tier.REGISTERED or kind == CaseKind.CHANGE:
            del self.fields["declared_natures"]
        if kind != CaseKind.CHANGE or tier != Tier.REGISTERED:
            del self.fields["supervisor_approved_on"]
        if "directly_registered" in self.fields:
            self.fields["directly_registered"].help_text = _(
                "Only for community-service organizations with a community certificate; mediation and deliberation "
                "groups take the street / township as supervising unit instead (民发〔2017〕191号).")


class KindForm(forms.Form):
    """The payload of a case kind that is not an organization's details; knows the organization it concerns."""

    def __init__(self, *args, organization=None, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)

    def payload(self) -> dict:
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.cleaned_data.items()}


class DeregistrationForm(KindForm):
    reason = forms.CharField(label=_("Reason for deregistration"), widget=forms.Textarea(attrs={"rows": 3}))
    resolution_on = forms.DateField(label=_("Date of the resolution"), widget=DATE)
    liquidation_ended_on = forms.DateField(
        label=_("Liquidation ended on"), required=False, widget=DATE,
        help_text=_("The organization must file within 15 days after liquidation ends (《社会团体登记管理条例》 "
                    "art. 20)."))


class LeadershipChangeForm(KindForm):
    """换届: the new leadership and the new term, as elected under the charter."""

    elected_on = forms.DateField(label=_("Elected on"), widget=DATE)
    leader_name = forms.CharField(label=_("New person in charge"), max_length=50)
    legal_representative = forms.CharField(label=_("New legal representative"), max_length=50, required=False)
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=10, initial=5,
                                    help_text=_("As the charter sets it."))
    term_ends_on = forms.DateField(label=_("New term ends on"), required=False, widget=DATE,
                                   help_text=_("Empty: the same day as the election, the term's years later."))

    def clean(self):
        cleaned = super().clean()
        elected, years = cleaned.get("elected_on"), cleaned.get("term_years")
        if elected and elected > timezone.localdate():
            self.add_error("elected_on", _("The election cannot lie in the future."))
        if elected and years and not cleaned.get("term_ends_on"):
            cleaned["term_ends_on"] = add_years(elected, years)
        if elected and cleaned.get("term_ends_on") and cleaned["term_ends_on"] <= elected:
            self.add_error("term_ends_on", _("The term must end after the election."))
        return cleaned


class RevocationForm(KindForm):
    """撤销: the ground must hold for the organization on the day the case is submitted."""

    ground = forms.ChoiceField(choices=RevocationGround.choices, label=_("Ground"))
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What shows the ground: dates of the last activity, the inspection results."))

    def clean(self):
        from filings.lifecycle import revocation_grounds

        cleaned = super().clean()
        ground = cleaned.get("ground")
        if ground and self.organization is not None and ground not in revocation_grounds(self.organization):
            self.add_error("ground", _("This ground does not hold for %(name)s today.")
                           % {"name": self.organization.name})
        return cleaned


# Case kinds whose payload is not the organization's details.
KIND_FORMS = {
    CaseKind.DEREGISTRATION: DeregistrationForm,
    CaseKind.LEADERSHIP_CHANGE: LeadershipChangeForm,
    CaseKind.REVOCATION: RevocationForm,
}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, label=_("Document type"))
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG or PNG."))


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment / reason"))
    uscc = forms.CharField(required=False, max_length=18, label=_("Unified social credit code"))
    result = forms.ChoiceField(required=False, label=_("Inspection result"),
                               choices=[("", "—")] + [(r.value, r.label) for r in INSPECTION_RESULTS])
    rejected_documents = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=(),
                                                        label=_("Documents to replace"))

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rejected_documents"].choices = [(d.pk, d.original_name) for d in documents]


class ReplaceDocumentForm(forms.Form):
    # Not named "file": the case page's upload form has that field, and one page holds both.
    replacement = forms.FileField(label=_("New version"), help_text=_("PDF, JPEG or PNG."))

