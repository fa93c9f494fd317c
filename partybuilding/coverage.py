"""Party-building coverage, computed in the database from the organization records (DOMAIN.md §4).

Counted: open organizations (not deregistered, revoked or cleared) of every tier, in the queryset given, which
the caller has already narrowed to what the user may see. An organization without a Party-building row counts
as having no Party organization and no Party members.

- organizational coverage = organizations with an own or joint Party organization ÷ organizations
- work coverage = organizations with a Party organization or an instructor/liaison in force today ÷ organizations
- should establish (应建未建) = at least 3 full Party members and no own or joint Party organization
- needs instructor = no Party organization and no instructor/liaison in force today

The reporting app calls ``coverage()`` and ``coverage_by_child()``; the lifecycle's credit flags call
``should_establish()`` (see docs/partybuilding.md).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from partybuilding.choices import MIN_FULL_MEMBERS, PARTY_ORGANIZATION_FORMS, Gap, PartyForm
from partybuilding.models import InstructorAssignment
from registry.choices import CLOSED_STATUSES, PREFIX_LENGTH, RegionLevel
from registry.models import Organization, Region

HAS_PARTY_ORGANIZATION = Q(party_form__in=PARTY_ORGANIZATION_FORMS)
WORK_COVERED = HAS_PARTY_ORGANIZATION | Q(has_instructor=True)

GAP_CONDITIONS = {
    Gap.NO_ORG: ~HAS_PARTY_ORGANIZATION,
    Gap.NO_WORK_COVERAGE: ~WORK_COVERED,
    Gap.SHOULD_ESTABLISH: Q(party_full_members__gte=MIN_FULL_MEMBERS) & ~HAS_PARTY_ORGANIZATION,
    Gap.NEEDS_INSTRUCTOR: ~HAS_PARTY_ORGANIZATION & Q(has_instructor=False),
}

# The counts every coverage figure is built from, as conditional aggregates over annotated organizations.
COUNTS = {
    "organizations": Count("pk"),
    "with_party_organization": Count("pk", filter=HAS_PARTY_ORGANIZATION),
    "own": Count("pk", filter=Q(party_form=PartyForm.OWN)),
    "joint": Count("pk", filter=Q(party_form=PartyForm.JOINT)),
    "work_covered": Count("pk", filter=WORK_COVERED),
    "no_party_organization": Count("pk", filter=GAP_CONDITIONS[Gap.NO_ORG]),
    "not_work_covered": Count("pk", filter=GAP_CONDITIONS[Gap.NO_WORK_COVERAGE]),
    "with_instructor": Count("pk", filter=Q(has_instructor=True)),
    "should_establish": Count("pk", filter=GAP_CONDITIONS[Gap.SHOULD_ESTABLISH]),
    "needs_instructor": Count("pk", filter=GAP_CONDITIONS[Gap.NEEDS_INSTRUCTOR]),
    "full_members": Coalesce(Sum("party_full_members"), 0),
    "probationary_members": Coalesce(Sum("party_probationary_members"), 0),
}


def annotate_party(organizations, today=None):
    """Organizations with their Party-building form, member counts and "instructor in force" as columns."""
    today = today or timezone.localdate()
    current = InstructorAssignment.objects.current(today).filter(organization=OuterRef("pk"))
    return organizations.annotate(
        party_form=Coalesce(F("party_building__form"), Value(PartyForm.NONE)),
        party_full_members=Coalesce(F("party_building__full_members"), 0),
        party_probationary_members=Coalesce(F("party_building__probationary_members"), 0),
        has_instructor=Exists(current),
    )


def with_gap(organizations, gap, today=None):
    """The organizations behind one gap of the coverage figures."""
    return annotate_party(organizations, today).filter(GAP_CONDITIONS[Gap(gap)])


def percentage(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal (84.0); None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _with_ratios(counts: dict) -> dict:
    counts["organizational_coverage"] = percentage(counts["with_party_organization"], counts["organizations"])
    counts["work_coverage"] = percentage(counts["work_covered"], counts["organizations"])
    return counts


def coverage(organizations, today=None) -> dict:
    """Coverage counts and ratios of a queryset of organizations, in one aggregate query.

    Closed organizations are left out. Returns ``organizations``, ``with_party_organization``, ``own``,
    ``joint``, ``work_covered``, ``no_party_organization``, ``not_work_covered``, ``with_instructor``,
    ``should_establish``, ``needs_instructor``,
    ``full_members``, ``probationary_members`` (ints) and ``organizational_coverage``, ``work_coverage``
    (Decimal percentages with one decimal, or None when there are no organizations).
    """
    return _with_ratios(annotate_party(organizations.exclude(status__in=CLOSED_STATUSES), today).aggregate(**COUNTS))


def coverage_by_child(region, user, today=None) -> list[dict]:
    """One row per child region of ``region`` the user may see, plus one for organizations attached to
    ``region`` itself (a county-level registered organization, a street-level filed one), in one grouped query.

    Each row is ``coverage()``'s dict with ``region`` (the child Region, or None for the organizations directly
    under ``region``) and ``prefix`` (the code prefix that selects the row's organizations).
    """
    children = list(Region.objects.visible_to(user).filter(parent=region).order_by("code"))
    organizations = in_region(region, user)
    level = RegionLevel(region.level + 1) if children else RegionLevel(region.level)
    width = PREFIX_LENGTH[level]
    grouped = (
        annotate_party(organizations, today)
        .annotate(child_prefix=Substr("region_id", 1, width))
        .order_by()
        .values("child_prefix")
        .annotate(**COUNTS)
    )
    by_prefix = {row.pop("child_prefix"): _with_ratios(row) for row in grouped}
    rows = [{"region": child, "prefix": child.prefix, **by_prefix.pop(child.prefix, _empty())} for child in children]
    # Organizations whose region is ``region`` itself have a code shorter than a child's prefix.
    direct = _empty()
    for counts in by_prefix.values():
        for key in COUNTS:
            direct[key] += counts[key]
    if direct["organizations"]:
        rows.append({"region": None, "prefix": region.code, **_with_ratios(direct)})
    return rows


def overview_region(user, code=None):
    """The region a coverage page shows (registry.generic.region_for_page)."""
    from registry.generic import region_for_page

    return region_for_page(user, code)


def in_region(region, user):
    """Open organizations in ``region``'s subtree that ``user`` may see: the population of every figure."""
    return Organization.objects.visible_to(user).open().filter(region__code__startswith=region.prefix)


def should_establish(organizations, today=None):
    """Open organizations of the queryset that should establish a Party organization (应建未建): at least three
    full Party members and no own or joint Party organization. The "Party organization not established as
    required" credit-flag trigger."""
    return with_gap(organizations.exclude(status__in=CLOSED_STATUSES), Gap.SHOULD_ESTABLISH, today)


def _empty() -> dict:
    return _with_ratios(dict.fromkeys(COUNTS, 0))

