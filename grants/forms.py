from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grants.choices import ReportKind
from grants.models import Application, BudgetLine, Fund, Round, Subsidy
from registry.choices import RegionLevel, Role, Tier, Vocabulary
from registry.models import Organization, Region, Term, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _terms(*vocabularies):
    return Term.objects.filter(vocabulary__in=vocabularies, is_active=True)


class RoundForm(forms.ModelForm):
    allowed_tiers = forms.MultipleChoiceField(choices=Tier.choices, widget=forms.CheckboxSelectMultiple,
                                              label=_("Tiers that may apply"))
    ring_fence_tiers = forms.MultipleChoiceField(
        choices=Tier.choices, widget=forms.CheckboxSelectMultiple, required=False,
        label=_("Tiers that count for the ring-fence"), help_text=Round._meta.get_field("ring_fence_tiers").help_text)
    tranche_plan = forms.CharField(label=_("Tranches (percent of the award)"), initial="50/30/20",
                                   help_text=_("Shares separated by “/”, adding up to 100, e.g. 50/30/20."))

    class Meta:
        model = Round
        fields = ["name", "year", "region", "call_opens_on", "call_closes_on", "review_by", "decision_on",
                  "allowed_tiers", "min_grade", "one_application_per_organization", "min_amount", "max_amount",
                  "org_cap", "cofunding_pct", "pass_score", "ring_fence_pct", "ring_fence_tiers",
                  "ring_fence_registered_in_community", "normalise_scores", "tranche_plan"]
        widgets = {"call_opens_on": DATE, "call_closes_on": DATE, "review_by": DATE, "decision_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=(RegionLevel.COUNTY, RegionLevel.STREET)).order_by("code")
        if isinstance(self.initial.get("tranche_plan"), list):
            self.initial["tranche_plan"] = "/".join(str(p) for p in self.initial["tranche_plan"])
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("allowed_tiers", [t.value for t in Tier])
            self.initial.setdefault("ring_fence_tiers", [Tier.FILED.value, Tier.COMMUNITY.value])
            if user.primary_region is not None:
                self.initial.setdefault("region", user.primary_region.pk)

    def clean_tranche_plan(self):
        try:
            text = self.cleaned_data["tranche_plan"].strip("[] ").replace(",", "/")
            plan = [int(part) for part in text.split("/") if part.strip()]
        except ValueError:
            raise ValidationError(_("Write the shares as whole numbers, e.g. 50/30/20.")) from None
        if not plan or sum(plan) != 100 or any(p <= 0 for p in plan):
            raise ValidationError(_("The shares must be positive and add up to 100."))
        return plan


class TrackForm(forms.Form):
    name = forms.CharField(label=_("Track"), max_length=100)
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=14, decimal_places=2)


class BudgetForm(forms.Form):
    fund = forms.ModelChoiceField(queryset=Fund.objects.none(), label=_("Fund"),
                                  help_text=_("A fund of the round's year, of its jurisdiction or a region above."))
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14,
                                decimal_places=2)

    def __init__(self, *args, round=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if round is not None:
            from grants.services import funds_for

            self.fields["fund"].queryset = funds_for(round, user)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=100)
    description = forms.CharField(label=_("What to look for"), max_length=300, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    progress = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"spent_{line.pk}"] = forms.DecimalField(
                label=_("Spent on “%(item)s” (budget %(amount)s)") % {"item": line.item, "amount": line.amount},
                min_value=0, max_digits=14, decimal_places=2, initial=0)

    def spending(self):
        return {str(line.pk): self.cleaned_data[f"spent_{line.pk}"] for line in self.lines}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=(("accept", _("Accept")), ("return", _("Return"))), widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (required to return)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class OtherApplicantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Region"))
    nature = forms.CharField(label=_("Kind of organization"), max_length=200,
                             help_text=_("e.g. county-level social-work agency"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=(RegionLevel.COUNTY, RegionLevel.STREET)).order_by("code")


class ShareForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("County"))
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level=RegionLevel.COUNTY).order_by("code")


class ReviewsFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Show"),
                               choices=(("", _("All")), ("to_score", _("To score")), ("scored", _("Scored"))))


def experts():
    return User.objects.filter(role=Role.GRANT_EXPERT, is_active=True).order_by("username")


class PanelForm(forms.Form):
    name = forms.CharField(label=_("Panel"), max_length=100)
    experts = forms.ModelMultipleChoiceField(queryset=experts(), label=_("Experts"),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts()


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["organization", "other_applicant", "track", "title", "summary", "target_groups",
                  "expected_beneficiaries", "amount_requested", "own_funds", "timeline",
                  "declares_no_other_public_funding"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "timeline": forms.Textarea(attrs={"rows": 3}),
                   "target_groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, round, **kwargs):
        super().__init__(*args, **kwargs)
        from grants.models import OtherApplicant

        # Street staff file for CSOs; the district bureau for applicants that are not CSOs.
        if user.role == Role.STREET_STAFF:
            del self.fields["other_applicant"]
            self.fields["organization"].required = True
            self.fields["organization"].queryset = Organization.objects.visible_to(user).open().filter(
                region__code__startswith=round.region.prefix, tier__in=round.allowed_tiers or [])
        else:
            del self.fields["organization"]
            self.fields["other_applicant"].required = True
            self.fields["other_applicant"].queryset = OtherApplicant.objects.visible_to(user).filter(
                region__code__startswith=round.region.prefix)
        if self.instance.pk:
            self.fields.pop("organization", None)
            self.fields.pop("other_applicant", None)
        self.fields["track"].queryset = round.tracks.all()
        self.fields["target_groups"].queryset = _terms(Vocabulary.TARGET_GROUP)
        self.fields["declares_no_other_public_funding"].help_text = _(
            "Checked against the organization's earlier awards.")


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["item", "amount"]


BudgetLineFormSet = forms.inlineformset_factory(Application, BudgetLine, form=BudgetLineForm, extra=4,
                                                can_delete=False, min_num=1, validate_min=True)


def budget_lines_from(formset, amount) -> list[tuple[str, Decimal]]:
    lines = [(f.cleaned_data["item"], f.cleaned_data["amount"]) for f in formset.forms
             if f.cleaned_data and f.cleaned_data.get("item")]
    total = sum((a for _i, a in lines), Decimal("0"))
    if amount is not None and total != amount:
        raise ValidationError(_("The budget lines add up to %(total)s yuan, not the %(amount)s yuan requested.")
                              % {"total": total, "amount": amount})
    return lines


class AssignForm(forms.Form):
    expert = forms.ModelChoiceField(queryset=experts(), required=False, label=_("Expert"))
    panel = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts()


class ScoreForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {s.criterion_id: s.score for s in sheet.scores.all()} if sheet else {}
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name} ({criterion.weight}%)", min_value=0, max_value=100, decimal_places=2,
                required=False, initial=current.get(criterion.pk), help_text=criterion.description)
        if sheet:
            self.fields["comment"].initial = sheet.comment
        self.order_fields([f"c{c.pk}" for c in self.criteria] + ["comment"])

    def scores(self):
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, max_length=30)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment / reason"))
    score = forms.DecimalField(required=False, min_value=0, max_value=100, label=_("Final evaluation score"))
    amount = forms.DecimalField(required=False, min_value=Decimal("0.01"), max_digits=14, decimal_places=2,
                                label=_("Amount awarded (yuan)"))


class DecideForm(forms.Form):
    run = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    mode = forms.ChoiceField(choices=(("rank", "rank"), ("optimal", "optimal")))
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label=_("Reason (required when the result misses a constraint)"))


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    source = forms.ModelChoiceField(queryset=_terms(Vocabulary.FUNDING_SOURCE), label=_("Funding source"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, required=False)
    reference = forms.CharField(label=_("Voucher / reference"), required=False, max_length=100)


class FundForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = ["jurisdiction", "year", "source", "amount", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = Region.objects.visible_to(user).filter(
            level__in=(RegionLevel.COUNTY, RegionLevel.STREET)).order_by("code")
        self.fields["source"].queryset = _terms(Vocabulary.FUNDING_SOURCE)


class SubsidyForm(forms.ModelForm):
    class Meta:
        model = Subsidy
        fields = ["organization", "kind", "amount", "granted_on", "source", "note"]
        widgets = {"granted_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.visible_to(user).order_by("name")
        self.fields["kind"].queryset = _terms(Vocabulary.SUBSIDY_KIND, Vocabulary.REWARD_KIND)
        self.fields["source"].queryset = _terms(Vocabulary.FUNDING_SOURCE)


class LinkForm(forms.Form):
    organization = forms.CharField(label=_("Organization (exact name, USCC or number)"), max_length=200)
    nature = forms.CharField(label=_("Nature of the link"), max_length=200,
                             help_text=_("e.g. employee, board member, relative of the person in charge"))

    def clean_organization(self):
        from django.db.models import Q

        value = self.cleaned_data["organization"].strip()
        matches = list(Organization.objects.filter(
            Q(name=value) | Q(uscc=value.upper()) | Q(filing_number=value) | Q(ledger_number=value))[:2])
        if len(matches) != 1:
            raise ValidationError(_("No single organization matches “%(value)s”.") % {"value": value})
        return matches[0]
