from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.allocation import Mode, Reason


class RoundState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("grant round", "Draft")
    OPEN = "open", _("Call open")
    REVIEW = "review", _("Under review")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", pgettext_lazy("grant round", "Closed")


class AppState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("grant application", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("grant application", "Submitted")
    RETURNED = "returned", _("Returned for changes")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INELIGIBLE = "ineligible", _("Failed eligibility screening")
    IN_REVIEW = "in_review", _("Expert review")
    AWARDED = "awarded", _("Awarded")
    RESERVE = "reserve", _("Reserve list")
    DECLINED = "declined", _("Declined")
    CONTRACTED = "contracted", _("Contract signed")
    IN_PROGRESS = "in_progress", _("In progress")
    MIDTERM = "midterm", _("Mid-term review passed")
    EVALUATED = "evaluated", _("Final evaluation done")
    CLOSED = "closed", pgettext_lazy("grant application", "Closed")
    TERMINATED = "terminated", _("Terminated")


# States whose money is committed: they count as awards for totals and for the "already funded" check.
FUNDED_STATES = (AppState.AWARDED, AppState.CONTRACTED, AppState.IN_PROGRESS, AppState.MIDTERM, AppState.EVALUATED,
                 AppState.CLOSED)
# An organization holds its one application in a round unless it is one of these.
WITHDRAWN_STATES = (AppState.TERMINATED, AppState.WITHDRAWN)
# The applicant may still change the application.
EDITABLE_STATES = (AppState.DRAFT, AppState.RETURNED)


class FinalGrade(models.TextChoices):
    A = "A", _("A (85 and above)")
    B = "B", _("B (60 to 84)")
    C = "C", _("C (below 60)")


def grade_for(score) -> str:
    """Final evaluation grade: A ≥ 85, B 60–84, C < 60."""
    if score >= 85:
        return FinalGrade.A
    if score >= 60:
        return FinalGrade.B
    return FinalGrade.C


class SheetState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("score sheet", "Draft")
    SUBMITTED = "submitted", _("Submitted (locked)")
    VOID = "void", _("Void: conflict of interest (kept, not counted)")


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("Interim report")
    FINAL = "final", _("Final report")


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("project report", "Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", pgettext_lazy("project report", "Returned")


class TrancheState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")
    WITHHELD = "withheld", _("Withheld")
    PAID = "paid", _("Paid")


class Milestone(models.TextChoices):
    CONTRACT = "contract", _("Contract signed")
    MIDTERM = "midterm", _("Mid-term review")
    FINAL = "final", _("Final evaluation")


class AllocationMode(models.TextChoices):
    RANK = Mode.RANK, _("Rank order")
    OPTIMAL = Mode.OPTIMAL, _("Optimal (integer programme)")


REASON_LABELS = {
    Reason.FUNDED: _("Funded"),
    Reason.FUNDED_FOR_RING_FENCE: _("Funded to meet the ring-fence"),
    Reason.BELOW_LINE: _("Below the line (pass score)"),
    Reason.TRACK_BUDGET: _("Track budget spent"),
    Reason.ROUND_BUDGET: _("Round budget spent"),
    Reason.ORG_CAP: _("Organization cap reached"),
    Reason.REPLACED: _("Replaced for the ring-fence"),
    Reason.NOT_SELECTED: _("Not in the best combination"),
    Reason.WOULD_BREAK_RING_FENCE: _("Would break the ring-fence"),
    Reason.INELIGIBLE: _("Ineligible"),
    Reason.OUT_OF_LIMITS: _("Amount outside the per-project limits"),
    "override": _("Manual override"),
}
