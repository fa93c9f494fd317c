"""Time is an input: the demo, the daily job and the grade form work on every calendar day, 29 February included."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from filings.lifecycle import run_daily
from registry.calendar import add_months, add_years
from registry.choices import FlagList, FlagReason
from registry.models import CreditFlag, EvaluationGrade, Organization
from tests.factories import OrganizationFactory, make_uscc

EDGE_DAYS = [date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 12, 3), date(2027, 12, 31),
             date(2028, 2, 29)]


@pytest.mark.parametrize(("day", "years", "expected"), [
    (date(2024, 2, 29), 5, date(2029, 2, 28)),
    (date(2024, 2, 29), 4, date(2028, 2, 29)),
    (date(2028, 2, 29), -2, date(2026, 2, 28)),
    (date(2025, 12, 31), 1, date(2026, 12, 31)),
    (date(2026, 1, 1), -2, date(2024, 1, 1)),
])
def test_same_day_years_later(day, years, expected):
    assert add_years(day, years) == expected


def test_same_day_months_later_clamps_to_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 12, 31), 3) == date(2026, 3, 31)


def test_grade_valid_five_years_from_29_february():
    assert EvaluationGrade.validity(date(2024, 2, 29)) == date(2029, 2, 27)


@pytest.mark.parametrize("day", EDGE_DAYS, ids=str)
def test_demo_and_daily_job_on_edge_days(db, day):
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.get_current_timezone()),
                             tick=False):
        call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
        assert Organization.objects.exists()
        result = run_daily()
        assert set(result) >= {"opened", "reminders", "flagged", "escalated", "term_alerts", "dormant"}
        # on 1 January the year's reports open; otherwise the job still ran every step without error
        assert all(isinstance(value, int) for value in result.values())


@pytest.mark.parametrize("day", [date(2026, 2, 28), date(2028, 2, 29), date(2027, 12, 31), date(2027, 1, 1)], ids=str)
def test_escalation_after_two_years_on_edge_days(world, cast, day):
    """A flag raised two years before the day (clamped on 29 February) is escalated that day, not a day later."""
    organization = OrganizationFactory(region=world.community_a1, tier="registered", legal_form="social_service",
                                       uscc=make_uscc(legal_form_digit="2"), filing_number=None)
    flag = CreditFlag.objects.create(organization=organization, reason=FlagReason.UNREACHABLE,
                                     explanation="多次联系未果", raised_by=cast.reviewer,
                                     raised_on=add_years(day, -2))
    run_daily(day)
    flag.refresh_from_db()
    assert flag.listed_on == FlagList.SERIOUS


def test_grade_dated_29_february_through_page_and_api(world, cast, client_for):
    organization = OrganizationFactory(region=world.community_a1, tier="registered", legal_form="social_service",
                                       uscc=make_uscc(legal_form_digit="2"), filing_number=None)
    client = client_for(cast.reviewer)
    response = client.post("/grades/new/", {"organization": organization.pk, "grade": "4A",
                                             "awarded_on": "2024-02-29", "evaluator": "第三方评估机构"})
    assert response.status_code == 302, response.content.decode()[:2000]
    grade = EvaluationGrade.objects.get(organization=organization)
    assert grade.valid_until == date(2029, 2, 27)

    response = client.post("/api/grades/", {"organization": organization.pk, "grade": "5A",
                                             "awarded_on": "2028-02-29", "evaluator": "第三方评估机构"},
                           content_type="application/json")
    assert response.status_code == 201, response.content.decode()[:2000]
    assert response.json()["valid_until"] == "2033-02-27"
