"""Venture-grant objects for the permission matrix (see tests/matrix.py).

Rounds normally belong to a county and are visible to every street in it; a county-level round cannot be
"street A's and not street B's", so the matrix uses rounds run by a street (a street may run its own round):
side "a" → a round of street A, side "b" → a round of street B. Everything below a round belongs to the
organization's community on that side.
"""

from decimal import Decimal
from itertools import count

from django.core.files.base import ContentFile

from grants.choices import AppState, Milestone, RoundState
from grants.matching_models import Interest, Pairing, Posting
from grants.models import Application, Attachment, Fund, ProjectReport, Round, Subsidy, Track, Tranche

_serial = count(1)


def _street(world, side):
    return world.street_a if side == "a" else world.street_b


def _user(username):
    from registry.models import User

    return User.objects.get(username=username)


def _round(world, side):
    round_ = Round.objects.create(region=_street(world, side), name=f"矩阵创投{side.upper()}{next(_serial)}",
                                  year=2026, state=RoundState.OPEN, created_by=_user("reviewer"))
    Track.objects.create(round=round_, name="综合", budget=Decimal(100000))
    return round_


def _application(world, side):
    from tests.matrix import _organization

    round_ = _round(world, side)
    return Application.objects.create(
        round=round_, track=round_.tracks.first(), organization=_organization(world, side),
        title=f"矩阵项目{side.upper()}{next(_serial)}", summary="—", amount_requested=Decimal(20000),
        state=AppState.AWARDED, awarded_amount=Decimal(20000),
        created_by=_user("street_a" if side == "a" else "street_b"))


def _attachment(world, side):
    from tests.factories import PDF_BYTES

    application = _application(world, side)
    attachment = Attachment(application=application, original_name=f"矩阵附件{side.upper()}{next(_serial)}.pdf",
                            content_type="application/pdf", size=len(PDF_BYTES), uploaded_by=application.created_by)
    attachment.file.save("m.pdf", ContentFile(PDF_BYTES), save=True)
    return attachment


def _tranche(world, side):
    application = _application(world, side)
    return Tranche.objects.create(application=application, sequence=1, percent=Decimal(50), amount=Decimal(10000),
                                  milestone=Milestone.CONTRACT, state="released",
                                  note=f"矩阵拨付{side.upper()}{next(_serial)}")


def _report(world, side):
    application = _application(world, side)
    return ProjectReport.objects.create(application=application, kind="interim",
                                        progress=f"矩阵报告{side.upper()}{next(_serial)}",
                                        submitted_by=application.created_by)


def _fund(world, side):
    from registry.models import Term

    source = Term.objects.get(vocabulary="funding_source", code="lottery")
    return Fund.objects.create(jurisdiction=_street(world, side), year=2000 + next(_serial), source=source,
                               amount=Decimal(1000), note=f"矩阵资金{side.upper()}{next(_serial)}")


def _subsidy(world, side):
    from registry.models import Term
    from tests.matrix import _organization

    return Subsidy.objects.create(
        organization=_organization(world, side), kind=Term.objects.get(vocabulary="subsidy_kind", code="rent"),
        source=Term.objects.get(vocabulary="funding_source", code="public_finance"), amount=Decimal(500),
        note=f"矩阵补贴{side.upper()}{next(_serial)}", recorded_by=_user("reviewer"))


def _posting(world, side):
    from registry.models import Term
    from tests.matrix import _community

    return Posting.objects.create(kind="need", title=f"矩阵需求{side.upper()}{next(_serial)}", description="—",
                                  category=Term.objects.get(vocabulary="category", code="mutual_aid"),
                                  region=_community(world, side), starts_on="2026-10-01",
                                  published_by=_user("street_a" if side == "a" else "street_b"))


def _interest(world, side):
    from tests.matrix import _organization

    return Interest.objects.create(posting=_posting(world, side), organization=_organization(world, side),
                                   message=f"矩阵意向{side.upper()}{next(_serial)}",
                                   expressed_by=_user("street_a" if side == "a" else "street_b"))


def _pairing(world, side):
    interest = _interest(world, side)
    Posting.objects.filter(pk=interest.posting_id).update(state="matched")
    return Pairing.objects.create(posting=interest.posting, interest=interest, organization=interest.organization,
                                  picked_by=_user("street_a" if side == "a" else "street_b"))


OBJECTS = {
    Round: _round,
    Application: _application,
    Attachment: _attachment,
    Tranche: _tranche,
    Fund: _fund,
    Subsidy: _subsidy,
    ProjectReport: _report,
}

# The supply–demand board: postings of each side's community, an organization's interest, a picked pairing.
OBJECTS.update({Posting: _posting, Interest: _interest, Pairing: _pairing})

MARKERS = {Round: "name", Application: "title", Attachment: "original_name", Tranche: "note", Fund: "note",
           Subsidy: "note", ProjectReport: "progress"}
MARKERS.update({Posting: "title", Interest: "message", Pairing: "posting"})


# ------------------------------------------------------------------------------------------ the board, role by role
# Every role's answer on every route of the supply–demand board (tests/test_permission_matrix.py::test_board_answers),
# including the organization role: "org_own" acts for the organization of the interest or pairing addressed,
# "org_other" for another organization of the same community. Each (route, role) gets a fresh object of street A.
STAFF = ("street_a", "street_b", "community_a", "reviewer", "leader", "expert", "outsider", "admin")
ORGS = ("org_own", "org_other")


def answers(default, **by_role):
    """Expected status per role: ``default`` unless named (a key may name several roles joined by "__")."""
    table = dict.fromkeys(STAFF + ORGS, default)
    for roles, status in by_role.items():
        for role in roles.split("__"):
            table[role] = status
    return table


_PUBLISHERS_OF_A = "street_a__community_a__admin"
_BLIND_STAFF = "street_b__outsider"
_VIEWERS = "street_a__street_b__community_a__reviewer__leader__outsider__admin"

# route name -> (model addressed or None, method, payload, {role: status})
BOARD_ANSWERS = {
    "grants:posting_list": (None, "get", None, answers(403, **{_VIEWERS: 200})),
    "grants:posting_create": (None, "get", None, answers(403, **{_PUBLISHERS_OF_A: 200, _BLIND_STAFF: 200})),
    "grants:posting_detail": (Posting, "get", None, answers(
        403, **{_BLIND_STAFF: 404, "street_a__community_a__reviewer__leader__admin": 200})),
    "grants:posting_withdraw": (Posting, "post", {"reason": "矩阵"}, answers(
        403, **{_PUBLISHERS_OF_A: 302, _BLIND_STAFF: 404})),
    "grants:interest_pick": (Interest, "post", {}, answers(403, **{_PUBLISHERS_OF_A: 302, _BLIND_STAFF: 404})),
    "grants:pairing_activity": (Pairing, "get", None, answers(403, **{_PUBLISHERS_OF_A: 200, _BLIND_STAFF: 404})),
    "grants:pairing_evaluate": (Pairing, "get", None, answers(403, **{_PUBLISHERS_OF_A: 200, _BLIND_STAFF: 404})),
    "grants:org_board": (None, "get", None, answers(403, org_own=200, org_other=200)),
    "grants:org_posting": (Posting, "get", None, answers(403, org_own=200, org_other=200)),
    "grants:org_interest": (Interest, "get", None, answers(403, org_own=200, org_other=404)),
    "grants:org_pairing_activity": (Pairing, "get", None, answers(403, org_own=200, org_other=404)),
    "api:board-posting-list": (None, "get", None, answers(200, org_own=403, org_other=403)),
    "api:board-posting-detail": (Posting, "get", None, answers(
        200, **{_BLIND_STAFF: 404, "expert": 404, "org_own__org_other": 403})),
    "api:board-posting-withdraw": (Posting, "post", {"reason": "矩阵"}, answers(
        403, **{_PUBLISHERS_OF_A: 200, _BLIND_STAFF: 404, "expert": 404})),
    "api:board-interest-list": (None, "get", None, answers(200, org_own=403, org_other=403)),
    "api:board-interest-detail": (Interest, "get", None, answers(
        200, **{_BLIND_STAFF: 404, "expert": 404, "org_own__org_other": 403})),
    "api:board-interest-pick": (Interest, "post", {}, answers(
        403, **{_PUBLISHERS_OF_A: 201, _BLIND_STAFF: 404, "expert": 404})),
    "api:board-pairing-list": (None, "get", None, answers(200, org_own=403, org_other=403)),
    "api:board-pairing-detail": (Pairing, "get", None, answers(
        200, **{_BLIND_STAFF: 404, "expert": 404, "org_own__org_other": 403})),
    "api:board-pairing-activities": (Pairing, "post", {"held_on": "2026-10-10", "title": "矩阵活动"}, answers(
        403, **{_PUBLISHERS_OF_A: 201, _BLIND_STAFF: 404, "expert": 404})),
    # No activity recorded yet: the publishers reach the service, which refuses to close the pairing (400).
    "api:board-pairing-evaluate": (Pairing, "post", {"satisfaction": 5}, answers(
        403, **{_PUBLISHERS_OF_A: 400, _BLIND_STAFF: 404, "expert": 404})),
    "api:org-board-posting-list": (None, "get", None, answers(403, org_own=200, org_other=200)),
    "api:org-board-posting-detail": (Posting, "get", None, answers(403, org_own=200, org_other=200)),
    "api:org-board-posting-interest": (Posting, "post", {"message": "矩阵意向"}, answers(
        403, org_own=201, org_other=201)),
    "api:org-board-interest-list": (None, "get", None, answers(403, org_own=200, org_other=200)),
    "api:org-board-interest-detail": (Interest, "get", None, answers(403, org_own=200, org_other=404)),
    "api:org-board-pairing-list": (None, "get", None, answers(403, org_own=200, org_other=200)),
    "api:org-board-pairing-detail": (Pairing, "get", None, answers(403, org_own=200, org_other=404)),
    "api:org-board-pairing-activities": (Pairing, "post", {"held_on": "2026-10-10", "title": "矩阵活动"}, answers(
        403, org_own=201, org_other=404)),
}
