"""Eligibility checks (DOMAIN.md §2-3). Each failure names the rule, the value required and the value given."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.models import RegistrationPolicy
from registry.choices import LegalForm, Tier

# Natures excluded from both registration routes (民发〔2017〕191号 Q&A).
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


def check(tier: str, payload: dict, region_code: str) -> list[Violation]:
    policy = RegistrationPolicy.for_region(region_code)
    violations = []
    declared = payload.get("declared_natures") or []
    for nature in declared:
        if nature in EXCLUDED_NATURES:
            violations.append(Violation(
                _("Excluded from registration and filing"), _("none of political, religious, legal or prior-approval"),
                str(EXCLUDED_NATURES[nature]), "民发〔2017〕191号",
            ))
    members = int(payload.get("member_count") or 0)
    if tier == Tier.FILED and policy.filing_min_members and members < policy.filing_min_members:
        violations.append(Violation(
            _("Members for a filing (smaller groups are recorded by their community)"),
            _("at least %(n)d") % {"n": policy.filing_min_members}, str(members), policy.source_document,
        ))
    if tier == Tier.REGISTERED:
        violations += _registration(payload, policy)
    return violations


def _registration(payload, policy) -> list[Violation]:
    violations = []
    legal_form = payload.get("legal_form")
    if legal_form == LegalForm.SOCIAL_GROUP:
        units = int(payload.get("unit_member_count") or 0)
        individuals = int(payload.get("individual_member_count") or 0)
        if units and individuals:
            rule, minimum, given = _("Social group members (mixed)"), policy.min_mixed_members, units + individuals
        elif units:
            rule, minimum, given = _("Social group unit members"), policy.min_unit_members, units
        else:
            rule, minimum, given = _("Social group individual members"), policy.min_individual_members, individuals
        if given < minimum:
            violations.append(Violation(rule, _("at least %(n)d") % {"n": minimum}, str(given),
                                        policy.source_document))
    funds = _number(payload.get("startup_funds"))
    if payload.get("hub_kind"):
        rule, minimum = _("Start-up funds of a hub/support organization (yuan)"), policy.min_hub_startup_funds
    else:
        rule, minimum = _("Activity funds (yuan)"), policy.min_activity_funds
    if funds < minimum:
        violations.append(Violation(rule, _("at least %(n)s") % {"n": f"{minimum:,.0f}"}, f"{funds:,.0f}",
                                    policy.source_document))
    if not payload.get("directly_registered") and not payload.get("supervising_unit"):
        violations.append(Violation(
            _("Supervising unit"), _("named, unless registered directly"), _("none"), "民发〔2017〕191号",
        ))
    return violations
