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


def filing_number(street_code: str, year: int) -> str:
    return f"BA{street_code}-{year}-{next_in_sequence(f'filing:{street_code}:{year}'):04d}"


def ledger_number(community_code: str, year: int) -> str:
    return f"TZ{community_code}-{year}-{next_in_sequence(f'ledger:{community_code}:{year}'):03d}"


def decision_number(county_code: str, year: int) -> str:
    return f"JD{county_code}-{year}-{next_in_sequence(f'decision:{county_code}:{year}'):05d}"
