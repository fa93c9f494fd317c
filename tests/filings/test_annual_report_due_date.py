"""An annual report is on time on its due date itself and late from the next day (DOMAIN.md §2): for the overdue
list, the daily job's flags and notices, and the "submitted on time" figure."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from filings.choices import CaseKind
from filings.lifecycle import flag_overdue_annual_reports, open_annual_reports
from filings.models import Case
from filings.services import transition
from registry.models import CreditFlag, Organization, RectificationNotice
from reporting.indicators import INDICATORS, Context
from tests.factories import OrganizationFactory, make_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = date(2026, 3, 31)  # registered and filed organizations' reports for 2025 (test_clock.py)


@pytest.fixture
def reports(world, cast):
    OrganizationFactory(name="登记甲", region=world.community_a1, tier="registered", legal_form="social_service",
                        uscc=make_uscc(legal_form_digit="2"), filing_number=None)
    OrganizationFactory(name="备案乙", region=world.community_a1)
    Organization.objects.update(created_at=datetime(2023, 1, 1, tzinfo=SHANGHAI))
    with time_machine.travel(datetime(2026, 1, 2, 9, tzinfo=SHANGHAI), tick=False):
        open_annual_reports(2025)
    made = {case.organization.name: case for case in Case.objects.filter(kind=CaseKind.ANNUAL_REPORT)}
    assert {case.due_on for case in made.values()} == {DUE}
    return made


def submit(case, user):
    from filings.services import add_document, required_documents
    from tests.conftest import pdf

    for kind in required_documents(case):
        add_document(user, case, pdf(f"{kind}.pdf"), kind)
    return transition(case, "submit", user)


def at(day, hour, minute=0):
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI), tick=False)


def test_not_overdue_on_the_due_date_overdue_the_day_after(reports):
    assert not Case.objects.overdue(DUE).filter(kind=CaseKind.ANNUAL_REPORT).exists()
    assert flag_overdue_annual_reports(DUE) == 0
    assert not CreditFlag.objects.exists() and not RectificationNotice.objects.exists()
    day_after = date(2026, 4, 1)
    assert set(Case.objects.overdue(day_after).values_list("title", flat=True)) == {"登记甲", "备案乙"}
    assert flag_overdue_annual_reports(day_after) == 2


def test_submitted_on_the_due_date_counts_as_on_time_the_day_after_does_not(reports, world, cast):
    with at(DUE, 23, 50):  # the last minutes of the due date, Beijing time
        submit(reports["登记甲"], cast.street_a)
    with at(date(2026, 4, 1), 0, 10):
        submit(reports["备案乙"], cast.street_a)
    assert flag_overdue_annual_reports(date(2026, 4, 1)) == 0  # both submitted: nothing to flag

    with at(date(2027, 4, 30), 12):
        ctx = Context(world.county, date(2026, 12, 31))
        assert timezone.localdate() > ctx.today
        submitted = INDICATORS["annual_report_completion"].numerator.count(ctx)
        on_time = INDICATORS["annual_report_on_time"].numerator.count(ctx)
    assert (submitted, on_time) == (2, 1)
    assert set(INDICATORS["annual_report_on_time"].numerator.rows(ctx).values_list("title", flat=True)) == {"登记甲"}
