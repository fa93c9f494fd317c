"""The workflow kit: an object's workflow as data, and the one engine that moves it.

An app describes each workflow as a table (``Workflow`` with its ``Transition`` rows: the states a step starts from,
the state it leads to, the roles that may take it) and names its guards and side effects, which are plain
functions kept in the workflow's ``guards`` and ``effects``. A subclass of ``Workflow`` may refine who counts for a
role, what must hold before a step, what a step records on the object and who shaped the object (separation of
duties); the defaults suit a workflow that needs none of it. The object carries its workflow (``obj.workflow``),
a ``state``, a ``version`` and an ``events`` relation to a model built on ``registry.models.WorkflowEvent``.

``transition()`` is the only way such an object changes state: it locks the row (fetched through the access rule),
answers ``TransitionConflict`` when the object moved on since the user looked at it (another version, or a state the
step does not start from), checks the step, runs its effect in the same transaction, raises the version and writes
the event row. Pages and the API answer a conflict the same way: 409 with ``conflict_message``.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from registry.choices import Role

COMMENT = "comment"
NOT_APPLICABLE = _l("This step does not apply here.")


class TransitionConflict(Exception):
    """The object moved on since the user looked at it (someone else acted first)."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    #: the state it leads to; "" keeps the state (a recorded step, such as a failed milestone review or a comment)
    target: str
    roles: tuple[str, ...]
    needs_reason: bool = False
    #: a decision: whoever drafted, edited or submitted the object may not take it (separation of duties)
    decides: bool = False
    #: hands the object over for a decision (the workflow's ``before`` checks it is complete)
    submits: bool = False
    #: name of a guard in the workflow's ``guards``: the step is offered only when it holds
    when: str = ""
    #: name of a side effect in the workflow's ``effects``, run inside the same transaction
    effect: str = ""
    #: taken only by a service (an allocation, an evaluation form), never offered as a plain button
    internal: bool = False
    #: days to the next decision, counted from this step (cases)
    due_days: int | None = None
    #: name of a date rule (cases: a calendar date instead of a number of days)
    due_rule: str = ""
    #: the step records a result (the annual inspection's pass / basic pass / fail)
    records_result: bool = False
    style: str = "primary"


@dataclass(frozen=True, kw_only=True)
class Workflow:
    label: str
    transitions: tuple[Transition, ...]
    #: guard name -> function(obj, user) -> bool
    guards: dict = field(default_factory=dict)
    #: effect name -> function(obj, user, comment, data), run in the step's transaction
    effects: dict = field(default_factory=dict)
    #: guard name -> why the step is refused when the guard does not hold (a text, or a function(obj) giving one)
    guard_refusals: dict = field(default_factory=dict)

    def get(self, action):
        return next((t for t in self.transitions if t.action == action), None)

    # -- hooks a workflow may refine --------------------------------------------------------------------------

    def roles_for(self, step, obj) -> tuple[str, ...]:
        """The roles that may take ``step`` on ``obj`` (a table may name a role that depends on the object)."""
        return step.roles

    def authors(self, obj) -> set[int]:
        """Who shaped the object (drafted, edited, uploaded to, submitted it): they may not take a decision."""
        return set()

    def other_refusal(self, obj, step, user) -> str | None:
        """A refusal particular to this workflow, checked after role and guard."""
        return None

    def before(self, obj, step, user, comment, data):
        """Raise ValidationError when the object is not ready for the step (e.g. incomplete at submission)."""

    def record(self, obj, step, user, comment, now):
        """What the step writes on the object besides its state (who submitted, who decided, due dates)."""

    def event_fields(self, obj) -> dict:
        """The event row's link to its object."""
        return {obj.events.field.name: obj}


def guard_holds(obj, name, user=None) -> bool:
    return obj.workflow.guards[name](obj, user)


def refusal(obj, step, user) -> str | None:
    """Why ``user`` may not take ``step`` on ``obj`` now; None when they may."""
    workflow = obj.workflow
    if step.action == COMMENT:
        return None
    if obj.state not in step.sources:
        return _("Not possible while it is “%(state)s”.") % {"state": obj.get_state_display()}
    roles = workflow.roles_for(step, obj)
    if not (user.is_active and (user.is_superuser or user.role in roles)):
        names = "、".join(str(Role(r).label) for r in roles)
        return _("Only %(roles)s may do this.") % {"roles": names}
    if step.when and not guard_holds(obj, step.when, user):
        why = workflow.guard_refusals.get(step.when, NOT_APPLICABLE)
        return str(why(obj) if callable(why) else why)
    if step.decides and user.pk in workflow.authors(obj):
        return _("You drafted, edited or submitted this case, so someone else must decide it "
                 "(separation of duties).")
    return workflow.other_refusal(obj, step, user)


def available_transitions(obj, user):
    """The buttons ``user`` is offered on ``obj``: every step they may take now (not comments, not internal)."""
    return [t for t in obj.workflow.transitions
            if t.action != COMMENT and not t.internal and refusal(obj, t, user) is None]


def conflict_message(obj) -> str:
    """The one answer to a stale state, on pages and in the API: what the object is now and who moved it."""
    last = obj.events.exclude(action=COMMENT).exclude(to_state="").select_related("actor").last()
    who = (last.actor.get_full_name() or last.actor.username) if last else ""
    return _("Someone acted on this first: it is now “%(state)s”%(who)s. Reload to see the current state.") % {
        "state": obj.get_state_display(), "who": _(" (by %(name)s)") % {"name": who} if who else ""}


@transaction.atomic
def transition(obj, action, user, comment="", data=None, version=None):
    """Take ``action`` on ``obj`` as ``user``. ``version`` is the version the user saw (pages and API send it);
    when given and no longer current, or when the state no longer allows the step, TransitionConflict."""
    workflow = obj.workflow
    step = workflow.get(action)
    if step is None:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": action})
    # Out of the user's scope: the model's DoesNotExist, as for any object the user may not see (404 on pages/API).
    locked = type(obj).objects.visible_to(user).select_for_update(of=("self",)).get(pk=obj.pk)
    if action != COMMENT:
        stale = version not in (None, "") and locked.version != int(version)
        if stale or locked.state not in step.sources:
            raise TransitionConflict(conflict_message(locked))
    reason = refusal(locked, step, user)
    if reason:
        raise PermissionDenied(reason)
    comment = (comment or "").strip()
    if step.needs_reason and not comment:
        raise ValidationError(_("Please give a reason; it is recorded with the decision."))
    if action == COMMENT and not comment:
        raise ValidationError(_("The comment is empty."))
    workflow.before(locked, step, user, comment, data or {})

    from_state = locked.state
    if step.target:
        locked.state = step.target
    workflow.record(locked, step, user, comment, timezone.now())
    if step.effect:
        workflow.effects[step.effect](locked, user, comment, data or {})
    if action != COMMENT:
        locked.version += 1
    locked.save()
    locked.events.model.objects.create(**workflow.event_fields(locked), action=action, from_state=from_state,
                                       to_state=locked.state if step.target else "", actor=user, comment=comment)
    return locked
