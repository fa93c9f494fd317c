from django import forms
from django.utils.translation import gettext_lazy as _

from filings.choices import DocumentKind
from filings.eligibility import EXCLUDED_NATURES
from registry.choices import Tier
from registry.forms import OrganizationForm


class CaseForm(OrganizationForm):
    """The organization's proposed details, plus the declarations a registration needs."""

    declared_natures = forms.MultipleChoiceField(
        choices=list(EXCLUDED_NATURES.items()), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("The organization is or needs"),
        help_text=_("Tick what applies; such organizations can be neither registered nor filed."),
    )

    def __init__(self, *args, tier, **kwargs):
        super().__init__(*args, tier=tier, **kwargs)
        if tier != Tier.REGISTERED:
            del self.fields["declared_natures"]


class DeregistrationForm(forms.Form):
    reason = forms.CharField(label=_("Reason for deregistration"), widget=forms.Textarea(attrs={"rows": 3}))
    resolution_on = forms.DateField(label=_("Date of the resolution"), widget=forms.DateInput(attrs={"type": "date"}))
    liquidation_ended_on = forms.DateField(label=_("Liquidation ended on"), required=False,
                                           widget=forms.DateInput(attrs={"type": "date"}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, label=_("Document type"))
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG or PNG."))


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment / reason"))
    uscc = forms.CharField(required=False, max_length=18, label=_("Unified social credit code"))
