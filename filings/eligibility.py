"""Eligibility checks (DOMAIN.md §2-3). Each failure names the rule, the value required and the value given."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.models import NATIONAL_SOURCE, RegistrationPolicy
from registry.choices import LegalForm, Tier

MCA_2017 = "民发〔2017〕191号"

# Natures excluded from the simplified routes only — the lowered thresholds and direct registration (民发〔2017〕
# 191号): such an organization may still register under the national conditions with a supervising unit, or file.
EXCLUDED_NATURES = {
    "political": gettext_lazy("political organization"),
    "religious": gettext_lazy("religious organization"),
    "legal": gettext_lazy("legal-affairs organization"),
    "prior_approval": gettext_lazy("activity that needs prior approval (前置审批)"),
}


@dataclass(frozen=True)
class Violation:
    rule: str
    required: str
    given: str
    source: str = ""

    def __str__(self):
        text = _("%(rule)s: required %(required)s, given %(given)s") % {
            "rule": self.rule, "required": self.required, "given": self.given}
        return f"{text} ({self.source})" if self.source else text


def _number(value, default=0):
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(default)
    except InvalidOperation:
        return Decimal(default)


# Categories that take the street / township as supervising unit instead of registering directly (民发〔2017〕191号:
# direct registration is for community-service organizations; mediation and deliberation groups are supervised).
SUPERVISED_CATEGORIES = {"mediation", "deliberation"}


def _excluded(payload) -> list[str]:
    return [str(EXCLUDED_NATURES[n]) for n in payload.get("declared_natures") or [] if n in EXCLUDED_NATURES]


def check(tier: str, payload: dict, region_code: str) -> list[Violation]:
    excluded = _excluded(payload)
    # An excluded nature loses the lowered thresholds: the national baseline applies.
    policy = RegistrationPolicy.for_region("" if excluded else region_code)
    if excluded and policy.jurisdiction_code:
        policy = RegistrationPolicy(name="national baseline", source_document=NATIONAL_SOURCE)
    violations = []
    members = int(payload.get("member_count") or 0)
    if tier == Tier.FILED and policy.filing_min_members and members < policy.filing_min_members:
        violations.append(Violation(
            _("Members for a filing (smaller groups are recorded by their community)"),
            _("at least %(n)d") % {"n": policy.filing_min_members}, str(members), policy.source_document,
        ))
    if tier == Tier.REGISTERED:
        violations += _registration(payload, policy)
        violations += _direct_registration(payload, excluded)
    return violations


def _direct_registration(payload, excluded) -> list[Violation]:
    if not payload.get("directly_registered"):
        return []
    violations = []
    if excluded:
        violations.append(Violation(
            _("Direct registration"), _("none of political, religious, legal or prior-approval"),
            "、".join(excluded), MCA_2017))
    from registry.models import Term

    category = Term.objects.filter(pk=payload.get("category")).values_list("code", flat=True).first()
    if category in SUPERVISED_CATEGORIES:
        violations.append(Violation(
            _("Direct registration"), _("community-service organizations only; mediation and deliberation groups "
                                        "take the street / township as supervising unit"),
            str(Term.objects.get(code=category, vocabulary="category")), MCA_2017))
    return violations


def _source(policy, value, national):
    """A lowered threshold cites the local text; the national one 《社会团体登记管理条例》 art. 10."""
    return policy.source_document if value < national else NATIONAL_SOURCE


def _registration(payload, policy) -> list[Violation]:
    violations = []
    legal_form = payload.get("legal_form")
    if legal_form == LegalForm.SOCIAL_GROUP:
        units = int(payload.get("unit_member_count") or 0)
        individuals = int(payload.get("individual_member_count") or 0)
        if units and individuals:
            rule, minimum, given, national = (_("Social group members (mixed)"), policy.min_mixed_members,
                                              units + individuals, 50)
        elif units:
            rule, minimum, given, national = _("Social group unit members"), policy.min_unit_members, units, 30
        else:
            rule, minimum, given, national = (_("Social group individual members"), policy.min_individual_members,
                                              individuals, 50)
        if given < minimum:
            violations.append(Violation(rule, _("at least %(n)d") % {"n": minimum}, str(given),
                                        _source(policy, minimum, national)))
    funds = _number(payload.get("startup_funds"))
    if payload.get("hub_kind"):
        rule, minimum = _("Start-up funds of a hub/support organization (yuan)"), policy.min_hub_startup_funds
    else:
        rule, minimum = _("Activity funds (yuan)"), policy.min_activity_funds
    if funds < minimum:
        violations.append(Violation(rule, _("at least %(n)s") % {"n": f"{minimum:,.0f}"}, f"{funds:,.0f}",
                                    _source(policy, minimum, 30000)))
    if not payload.get("directly_registered") and not payload.get("supervising_unit"):
        violations.append(Violation(
            _("Supervising unit"), _("named, unless registered directly"), _("none"), MCA_2017,
        ))
    return violations
