"""The supply–demand board's actions: publish, express interest, pick, record an activity, evaluate, withdraw.

One function per action, shared by the pages and the API: each takes the acting user and plain data, checks role
and scope, writes its rows and the audit trail (registry.audit's signals; a posting's steps are PostingEvent rows)
in one transaction. The steps of a posting, with the roles that take them, are the table ``STEPS``.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.matching_models import (
    Interest,
    InterestState,
    Pairing,
    Posting,
    PostingEvent,
    PostingState,
)
from registry.accounts import membership_of
from registry.choices import RegionLevel, Role, Vocabulary
from registry.middleware import is_organization_user
from registry.models import Activity, Organization

# Streets and communities publish and pick (Pinghu: 社区提出项目); the district reads the board of its county.
PUBLISHERS = (Role.STREET_STAFF, Role.COMMUNITY_WORKER, Role.ADMIN)


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str


STEPS = {
    "publish": Step("publish", (), PostingState.OPEN),
    "pick": Step("pick", (PostingState.OPEN,), PostingState.MATCHED),
    "close": Step("close", (PostingState.MATCHED,), PostingState.DONE),  # the residents' evaluation closes it
    "withdraw": Step("withdraw", (PostingState.OPEN, PostingState.MATCHED), PostingState.WITHDRAWN),
}


def may_view_board(user) -> bool:
    """The staff's board pages: any staff role holding a region (an organization user has its own side)."""
    return user.is_active and not is_organization_user(user) and (user.sees_everything or bool(user.region_prefixes))


def may_publish(user) -> bool:
    """Publishing, picking, recording and evaluating: street and community staff (and administrators)."""
    return may_view_board(user) and (user.is_superuser or user.role in PUBLISHERS)


def _require_publisher(user, posting):
    if not may_publish(user):
        raise PermissionDenied(_("Only the street or community staff who published it may do this."))
    if not Posting.objects.visible_to(user).filter(pk=posting.pk).exists():
        raise PermissionDenied(_("This posting lies outside your jurisdiction."))


def _move(posting, action, user, comment=""):
    step = STEPS[action]
    if step.sources and posting.state not in step.sources:
        raise ValidationError(_("This posting is %(state)s: it cannot be changed that way now.")
                              % {"state": posting.get_state_display()})
    before = posting.state if step.sources else ""
    posting.state = step.target
    posting.save()
    PostingEvent.objects.create(posting=posting, action=action, from_state=before, to_state=step.target,
                                actor=user, comment=comment[:500])
    return posting


def _locked(posting):
    return Posting.objects.select_for_update().get(pk=posting.pk)


@transaction.atomic
def publish(user, *, kind, title, description, category, region, starts_on, target_groups=(), place="",
            ends_on=None, budget=None) -> Posting:
    if not may_publish(user):
        raise PermissionDenied(_("Only street or community staff publish needs and service projects."))
    errors = {}
    if region.level not in (RegionLevel.STREET, RegionLevel.COMMUNITY) or not user.can_see_region(region):
        errors["region"] = _("Choose a community or street of your jurisdiction.")
    if category.vocabulary != Vocabulary.CATEGORY:
        errors["category"] = _("Choose a category.")
    if any(term.vocabulary != Vocabulary.TARGET_GROUP for term in target_groups):
        errors["target_groups"] = _("Choose target groups from the list.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The period ends before it starts.")
    if budget is not None and Decimal(budget) <= 0:
        errors["budget"] = _("A budget, when the service is purchased, is a positive amount; leave it empty "
                             "otherwise.")
    if not title.strip():
        errors["title"] = _("Enter a title.")
    if errors:
        raise ValidationError(errors)
    posting = Posting(kind=kind, title=title.strip(), description=description, category=category, region=region,
                      place=place, starts_on=starts_on, ends_on=ends_on, budget=budget, published_by=user,
                      state=PostingState.OPEN)
    posting.save()
    posting.target_groups.set(target_groups)
    PostingEvent.objects.create(posting=posting, action="publish", to_state=PostingState.OPEN, actor=user)
    return posting


def interested_organization(user):
    """The organization an organization user acts for (PermissionDenied for anyone else)."""
    member = membership_of(user)
    if member is None:
        raise PermissionDenied(_("Only an organization's own users express interest."))
    return Organization.objects.visible_to(user).get(pk=member.organization_id)


@transaction.atomic
def express_interest(user, posting, message) -> Interest:
    organization = interested_organization(user)
    posting = _locked(posting)
    if posting.state != PostingState.OPEN:
        raise ValidationError(_("This posting is no longer open."))
    if not Organization.objects.open().filter(pk=organization.pk).exists():
        raise ValidationError(_("A closed organization cannot take on new work."))
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write a short message to the publisher.")})
    if Interest.objects.filter(posting=posting, organization=organization).exists():
        raise ValidationError(_("Your organization has already expressed interest in this posting."))
    return Interest.objects.create(posting=posting, organization=organization, message=message[:500],
                                   expressed_by=user)


@transaction.atomic
def pick(user, interest) -> Pairing:
    """The publisher picks one interested organization: the pairing is recorded, the others are told no."""
    posting = _locked(interest.posting)
    _require_publisher(user, posting)
    if posting.state != PostingState.OPEN:
        raise ValidationError(_("This posting is no longer open."))
    posting.interests.exclude(pk=interest.pk).update(state=InterestState.NOT_PICKED)
    interest.state = InterestState.PICKED
    interest.save()
    pairing = Pairing.objects.create(posting=posting, interest=interest, organization=interest.organization,
                                     picked_by=user)
    _move(posting, "pick", user, interest.organization.name)
    return pairing


def _require_pairing_actor(user, pairing):
    """The picked organization's own users, or the publishing staff."""
    if is_organization_user(user):
        if not Pairing.objects.visible_to(user).filter(pk=pairing.pk).exists():
            raise PermissionDenied(_("This pairing is not your organization's."))
        return
    _require_publisher(user, pairing.posting)


@transaction.atomic
def record_activity(user, pairing, *, held_on, title, place="", participants=0, beneficiaries=0) -> Activity:
    """An activity held under the pairing becomes an activity of the organization's record (so the figures,
    activities and beneficiaries, count it)."""
    _require_pairing_actor(user, pairing)
    posting = _locked(pairing.posting)
    if posting.state != PostingState.MATCHED:
        raise ValidationError(_("Activities are recorded while the pairing is under way."))
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("An activity is recorded once it has taken place.")
    if held_on < posting.starts_on:
        errors["held_on"] = _("The activity took place before the posting's period began.")
    if not title.strip():
        errors["title"] = _("Enter a title.")
    if participants < 0 or beneficiaries < 0:
        errors["beneficiaries"] = _("Counts cannot be negative.")
    if errors:
        raise ValidationError(errors)
    organization = Organization.objects.select_for_update().get(pk=pairing.organization_id)
    activity = Activity.objects.create(organization=organization, held_on=held_on, title=title.strip(),
                                       place=place or posting.place, participants=participants,
                                       beneficiaries=beneficiaries, recorded_by=user)
    pairing.activities.add(activity)
    if not organization.last_activity_on or held_on > organization.last_activity_on:
        organization.last_activity_on = held_on
        organization._history_user = user
        organization._change_reason = str(activity)
        organization.save(update_fields=["last_activity_on", "updated_at"])
    return activity


@transaction.atomic
def evaluate(user, pairing, *, satisfaction, comment="") -> Pairing:
    """The residents' evaluation, recorded by the publishing staff, closes the posting."""
    _require_publisher(user, pairing.posting)
    posting = _locked(pairing.posting)
    if posting.state != PostingState.MATCHED:
        raise ValidationError(_("Only a pairing under way can be evaluated."))
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": _("The satisfaction score is a whole number from 1 to 5.")})
    if not pairing.activities.exists():
        raise ValidationError(_("Record at least one activity before the residents' evaluation."))
    pairing.satisfaction, pairing.evaluation = satisfaction, (comment or "").strip()[:1000]
    pairing.evaluated_by, pairing.evaluated_at = user, timezone.now()
    pairing.save()
    _move(posting, "close", user, f"{satisfaction}/5")
    return pairing


@transaction.atomic
def withdraw(user, posting, reason) -> Posting:
    _require_publisher(user, posting)
    posting = _locked(posting)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the posting is withdrawn.")})
    return _move(posting, "withdraw", user, reason.strip())
