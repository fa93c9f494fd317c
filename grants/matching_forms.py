from django import forms
from django.utils.translation import gettext_lazy as _

from grants.matching_models import Posting
from registry.choices import RegionLevel, Vocabulary
from registry.models import Region, Term


class PostingForm(forms.ModelForm):
    class Meta:
        model = Posting
        fields = ["kind", "title", "description", "category", "target_groups", "region", "place", "starts_on",
                  "ends_on", "budget"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "target_groups": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Term.objects.of(Vocabulary.CATEGORY)
        self.fields["target_groups"].queryset = Term.objects.of(Vocabulary.TARGET_GROUP)
        # Only the streets and communities the publisher holds.
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=(RegionLevel.STREET, RegionLevel.COMMUNITY), is_active=True).order_by("code")


class InterestForm(forms.Form):
    message = forms.CharField(label=_("Message to the publisher"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What your organization would do, and its experience with it."))


class ActivityForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=100000, initial=0)
    beneficiaries = forms.IntegerField(label=_("Beneficiaries"), min_value=0, max_value=100000, initial=0)


class EvaluationForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=_("Residents' satisfaction"), coerce=int,
                                          choices=[(n, str(n)) for n in range(5, 0, -1)])
    comment = forms.CharField(label=_("Residents' comments"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
