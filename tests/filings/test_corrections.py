"""The correction loop (issue 15 item 4): returned documents replaced with their history kept, what changed since
the return shown to the reviewer, fields the submitter does not fill kept off its form, and notifications for
submitted, returned, decided and overdue cases, on the page, in the header, in the API and by e-mail."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from filings import corrections
from filings.choices import CaseState
from filings.models import Case, Document
from filings.services import transition, update_payload
from registry.models import Notification, NotificationKind
from tests.conftest import pdf
from tests.factories import org_payload, registration_payload

pytestmark = pytest.mark.django_db

NOON = "2026-06-10 12:00:00+08:00"


@pytest.fixture
def submitted(world, cast, colleague_a, ready_case):
    with time_machine.travel(NOON, tick=False):
        case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
        return corrections.act(case, "submit", cast.street_a)


def _charter(case):
    return case.documents.get(kind="charter", replacement__isnull=True)


def test_a_returned_document_is_replaced_and_the_old_one_kept(submitted, cast, colleague_a, client_for):
    charter = _charter(submitted)
    with time_machine.travel(NOON, tick=False):
        case = corrections.act(submitted, "return", colleague_a, comment="章程未签字",
                               rejected_documents=[charter.pk])
    charter.refresh_from_db()
    assert case.state == CaseState.RETURNED and charter.rejected_by == colleague_a

    # The returned charter no longer counts: the case cannot go back until it is replaced.
    with pytest.raises(ValidationError, match="章程"):
        transition(case, "submit", cast.street_a)
    with time_machine.travel("2026-06-11 09:00:00+08:00", tick=False):
        new = corrections.replace_document(cast.street_a, charter, pdf("章程-已签字.pdf"))
        case = corrections.act(Case.objects.get(pk=case.pk), "submit", cast.street_a)
    assert case.state == CaseState.SUBMITTED
    assert new.replaces == charter and Document.objects.filter(pk=charter.pk).exists()
    with pytest.raises(ValidationError):
        corrections.replace_document(cast.street_a, charter, pdf())  # replaced once; and the case moved on

    # The reviewer sees the replacement among what changed, and the old version in the history.
    body = client_for(colleague_a).get(case.get_absolute_url()).content.decode()
    changes = body[body.index('data-testid="changes-since-return"'):body.index('data-testid="details"')]
    assert "章程-已签字.pdf" in changes and "charter.pdf" in changes
    history = body[body.index('data-testid="document-history"'):]
    assert "charter.pdf" in history and "退回" in history


def test_the_reviewer_sees_which_fields_changed_since_the_return(submitted, world, cast, colleague_a, client_for):
    with time_machine.travel(NOON, tick=False):
        case = corrections.act(submitted, "return", colleague_a, comment="成员数不对")
    update_payload(cast.street_a, case, org_payload(world.community_a1, member_count=31, venue="社区文化家园"))
    with time_machine.travel("2026-06-11 09:00:00+08:00", tick=False):
        case = corrections.act(Case.objects.get(pk=case.pk), "submit", cast.street_a)
    body = client_for(colleague_a).get(case.get_absolute_url()).content.decode()
    start = body.index('data-testid="changed-fields"')
    table = body[start:body.index("</table>", start)]
    assert "社区活动室" in table and "社区文化家园" in table and "25" in table and "31" in table
    assert "夕阳红互助队" not in table  # an unchanged field is not listed
    assert "没有添加或替换材料" in body  # and no document changed


def test_documents_are_returned_only_with_the_case_and_only_its_own(submitted, world, cast, colleague_a,
                                                                     ready_case):
    other = ready_case(cast.street_a, "filing", org_payload(world.community_a2, name="葛岭村读书会"))
    with pytest.raises(ValidationError):
        corrections.act(submitted, "return", colleague_a, comment="补材料",
                        rejected_documents=[other.documents.first().pk])
    assert Case.objects.get(pk=submitted.pk).state == CaseState.SUBMITTED  # rolled back with the refusal
    assert not Document.objects.filter(rejected_at__isnull=False).exists()
    with pytest.raises(ValidationError):
        corrections.act(submitted, "comment", colleague_a, comment="看过了",
                        rejected_documents=[_charter(submitted).pk])


def test_page_return_with_a_document_then_replace_through_the_page(submitted, cast, colleague_a, client_for):
    charter = _charter(submitted)
    reviewer = client_for(colleague_a)
    page = reviewer.get(submitted.get_absolute_url()).content.decode()
    assert f'name="rejected_documents" value="{charter.pk}"' in page
    reviewer.post(f"/cases/{submitted.pk}/act/", {"action": "return", "comment": "章程未签字",
                                                  "version": submitted.version, "rejected_documents": [charter.pk]})
    charter.refresh_from_db()
    assert charter.rejected_at is not None

    street = client_for(cast.street_a)
    page = street.get(submitted.get_absolute_url()).content.decode()
    assert 'data-testid="document-returned"' in page and f"/documents/{charter.pk}/replace/" in page
    outsider = client_for(cast.street_b)
    assert outsider.post(f"/documents/{charter.pk}/replace/", {"replacement": pdf()}).status_code == 404
    street.post(f"/documents/{charter.pk}/replace/", {"replacement": pdf("章程-新.pdf")})
    assert charter.replacement.original_name == "章程-新.pdf"
    assert street.post(f"/cases/{submitted.pk}/act/", {"action": "submit", "version": 2}).status_code == 302
    assert Case.objects.get(pk=submitted.pk).state == CaseState.SUBMITTED


def test_the_api_returns_documents_and_replaces_them(submitted, cast, colleague_a, client_for):
    charter = _charter(submitted)
    returned = client_for(colleague_a).post(
        f"/api/cases/{submitted.pk}/transition/",
        {"action": "return", "comment": "章程未签字", "rejected_documents": [charter.pk]},
        content_type="application/json")
    assert returned.status_code == 200, returned.content
    listed = client_for(cast.street_a).get(f"/api/documents/{charter.pk}/").json()
    assert listed["rejected_at"] and listed["replaced_by"] is None
    replaced = client_for(cast.street_a).post(f"/api/documents/{charter.pk}/replace/", {"file": pdf("新章程.pdf")})
    assert replaced.status_code == 201, replaced.content
    assert replaced.json()["replaces"] == charter.pk
    assert client_for(cast.street_b).post(f"/api/documents/{charter.pk}/replace/",
                                          {"file": pdf()}).status_code == 404


def test_street_staff_are_not_asked_for_the_credit_code(world, cast, client_for):
    form = client_for(cast.street_a).get("/cases/new/registration/").content.decode()
    assert 'name="legal_form"' in form
    assert 'name="uscc"' not in form and 'name="uscc_override_reason"' not in form


def test_the_credit_code_is_not_shown_to_the_submitter_but_to_the_reviewer(world, cast, client_for, ready_case):
    case = ready_case(cast.street_a, "registration", registration_payload(world.community_a1))
    assert "统一社会信用代码" not in client_for(cast.street_a).get(case.get_absolute_url()).content.decode()
    corrections.act(case, "submit", cast.street_a)
    assert "统一社会信用代码" in client_for(cast.reviewer).get(case.get_absolute_url()).content.decode()


# ------------------------------------------------------------------------------------------------ notifications

def _notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_submitted_returned_and_decided_reach_the_right_people(submitted, cast, colleague_a, world):
    # Submitted: the street's deciders, not the submitter, not another street's staff.
    assert [n.url for n in _notes(colleague_a, NotificationKind.SUBMITTED)] == [submitted.get_absolute_url()]
    assert not Notification.objects.filter(user__in=[cast.street_a, cast.street_b, cast.outsider]).exists()
    case = corrections.act(submitted, "return", colleague_a, comment="章程未签字")
    returned = _notes(cast.street_a, NotificationKind.RETURNED)
    assert len(returned) == 1 and "章程未签字" in returned[0].message
    case = corrections.act(case, "submit", cast.street_a)
    assert len(_notes(colleague_a, NotificationKind.SUBMITTED)) == 2  # the resubmission too
    corrections.act(case, "approve", colleague_a)
    decided = _notes(cast.street_a, NotificationKind.DECIDED)
    assert len(decided) == 1 and case.number in decided[0].message
    assert not _notes(colleague_a, NotificationKind.DECIDED)  # the decider is not told of their own decision


def test_overdue_cases_are_told_once_to_their_deciders(submitted, colleague_a, cast):
    due = Case.objects.get(pk=submitted.pk).due_on
    assert corrections.notify_overdue_cases(due) == 0  # due today is not overdue
    assert corrections.notify_overdue_cases(due + timedelta(days=1)) == 1
    assert corrections.notify_overdue_cases(due + timedelta(days=2)) == 0  # once per case and due date
    assert len(_notes(colleague_a, NotificationKind.OVERDUE)) == 1
    assert not _notes(cast.street_b, NotificationKind.OVERDUE)


def test_header_count_list_page_and_mark_read(submitted, colleague_a, cast, client_for):
    corrections.act(submitted, "comment", colleague_a, comment="看过了")  # a comment notifies nobody
    reviewer = client_for(colleague_a)
    home = reviewer.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in home
    page = reviewer.get("/notifications/").content.decode()
    note = Notification.objects.get(user=colleague_a)
    assert note.message in page and 'data-unread="1"' in page
    opened = reviewer.post("/notifications/", {"open": note.pk})
    assert opened.status_code == 302 and opened["Location"] == submitted.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-testid="unread-count"' not in reviewer.get("/").content.decode()
    # Someone else's notification cannot be opened or marked through the page.
    client_for(cast.street_b).post("/notifications/", {"open": note.pk})
    client_for(cast.street_b).post("/notifications/")
    Notification.objects.filter(pk=note.pk).update(read_at=None)
    client_for(cast.street_b).post("/notifications/")
    assert Notification.objects.get(pk=note.pk).read_at is None
    reviewer.post("/notifications/")
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_notifications_api_same_rule(submitted, colleague_a, cast, client_for):
    note = Notification.objects.get(user=colleague_a)
    api = client_for(colleague_a)
    listed = api.get("/api/notifications/?unread=true").json()
    assert [n["id"] for n in listed["results"]] == [note.pk] and listed["results"][0]["kind"] == "submitted"
    assert client_for(cast.street_b).get(f"/api/notifications/{note.pk}/").status_code == 404
    assert client_for(cast.street_b).post(f"/api/notifications/{note.pk}/read/").status_code == 404
    assert api.post(f"/api/notifications/{note.pk}/read/").json() == {"marked": 1, "unread": 0}
    assert api.get("/api/notifications/?unread=true").json()["results"] == []
    assert api.post("/api/notifications/read-all/").json() == {"marked": 0, "unread": 0}


def test_mail_leaves_after_the_commit_when_configured(world, cast, colleague_a, ready_case, settings,
                                                      django_capture_on_commit_callbacks):
    colleague_a.email = "reviewer@example.gov.cn"
    colleague_a.save()
    case = ready_case(cast.street_a, "filing", org_payload(world.community_a1))
    settings.EMAIL_NOTIFICATIONS = False
    with django_capture_on_commit_callbacks(execute=True):
        case = corrections.act(case, "submit", cast.street_a)
    assert mail.outbox == [] and Notification.objects.filter(user=colleague_a).count() == 1
    case = corrections.act(case, "return", colleague_a, comment="补材料")
    settings.EMAIL_NOTIFICATIONS = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        corrections.act(case, "submit", cast.street_a)
    assert mail.outbox == [] and callbacks  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["reviewer@example.gov.cn"]]
    assert case.number in mail.outbox[0].body and f"/cases/{case.pk}/" in mail.outbox[0].body
