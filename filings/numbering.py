"""Issued numbers come from NumberSequence rows taken under a row lock (never max()+1 on the target table)."""

from django.db import IntegrityError, transaction

from filings.models import NumberSequence


def next_in_sequence(key: str, count: int = 1) -> int:
    """Takes ``count`` numbers and returns the last one (the block is last-count+1 .. last)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                NumberSequence.objects.get_or_create(key=key)
        except IntegrityError:
            pass  # created by a concurrent transaction a moment ago; the lock below waits for it
        sequence = NumberSequence.objects.select_for_update().get(key=key)
        sequence.last += count
        sequence.save(update_fields=["last"])
        return sequence.last


CASE_PREFIX = {
    "registration": "DJ", "filing": "BA", "community_record": "JL", "change": "BG", "deregistration": "ZX",
    "annual_report": "NB", "leadership_change": "HJ", "revocation": "CX",
}


def case_number(kind: str, year: int) -> str:
    return f"{CASE_PREFIX[kind]}{year}{next_in_sequence(f'case:{kind}:{year}'):06d}"


def case_numbers(kind: str, year: int, count: int) -> list[str]:
    """A block of case numbers for bulk creation (the yearly annual-report job)."""
    last = next_in_sequence(f"case:{kind}:{year}", count)
    return [f"{CASE_PREFIX[kind]}{year}{n:06d}" for n in range(last - count + 1, last + 1)]


FORMATS = {"filing": "BA{code}-{year}-{n:04d}", "ledger": "TZ{code}-{year}-{n:03d}"}


def filing_number(street_code: str, year: int) -> str:
    return FORMATS["filing"].format(code=street_code, year=year, n=next_in_sequence(f"filing:{street_code}:{year}"))


def ledger_number(community_code: str, year: int) -> str:
    return FORMATS["ledger"].format(code=community_code, year=year,
                                    n=next_in_sequence(f"ledger:{community_code}:{year}"))


def decision_number(county_code: str, year: int) -> str:
    return f"JD{county_code}-{year}-{next_in_sequence(f'decision:{county_code}:{year}'):05d}"


def number_imported(organizations, year=None) -> int:
    """Issued numbers for imported groups that come without one: a filed group's filing number (备案编号) from its
    street's sequence, a community-guided group's ledger number (台账编号) from its community's, in blocks (one
    locked update per street or community, not per row). Returns how many were given."""
    from django.utils import timezone

    from registry.choices import Tier

    year = year or timezone.localdate().year
    wanting: dict[tuple, list] = {}
    for organization in organizations:
        if organization.tier == Tier.FILED and not organization.filing_number:
            wanting.setdefault(("filing", organization.region_id[:9]), []).append(organization)
        elif organization.tier == Tier.COMMUNITY and not organization.ledger_number:
            wanting.setdefault(("ledger", organization.region_id), []).append(organization)
    for (kind, code), group in sorted(wanting.items()):
        last = next_in_sequence(f"{kind}:{code}:{year}", len(group))
        for number, organization in enumerate(group, start=last - len(group) + 1):
            setattr(organization, f"{kind}_number", FORMATS[kind].format(code=code, year=year, n=number))
    return sum(len(group) for group in wanting.values())
