"""Venture-grant allocation: who gets money, and why. Pure: plain dataclasses in, plain dataclasses out.

Two modes over the same inputs and constraints, shown side by side:

``rank``
    Candidates are ranked by the documented tie-break (``rank_key``: higher score, then lower amount, then earlier
    submission, then lower id). In that order each one is funded at its requested amount when it fits its track's
    remaining budget, the round's remaining budget and its organization's cap; a candidate that does not fit is
    skipped (with the reason) and the next one is tried. If the community share is then below the ring-fence,
    the lowest-ranked funded non-community award is taken out and the best-ranked unfunded community candidates
    that now fit are added, one award at a time from the bottom, until the ring-fence is met. That always ends
    met when any community candidate fits on its own; when none does, no set that funds anything can meet it:
    the ranked result is kept, ``ring_fence_met`` is False and ``message`` gives that proof. Money freed goes down
    the list again to anything that fits without breaking the ring-fence.

``optimal``
    An integer programme (``scipy.optimize.milp``, HiGHS) with one binary variable per candidate: maximise the
    sum of funded scores subject to the same track budgets, round budget, per-organization caps and the
    ring-fence as a linear inequality, community_awarded ≥ pct × total_awarded. When the rank-mode result
    meets every constraint it is a feasible point, so the better of the two is returned: the optimal total
    score is never below rank mode's, even when the solver stops at its time limit.

Candidates that are not eligible, whose amount lies outside the per-project limits, or whose score is below the
pass line are never funded in either mode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")


class Reason:
    FUNDED = "funded"
    FUNDED_FOR_RING_FENCE = "funded_for_ring_fence"
    BELOW_LINE = "below_line"
    TRACK_BUDGET = "track_budget"
    ROUND_BUDGET = "round_budget"
    ORG_CAP = "org_cap"
    REPLACED = "replaced_for_ring_fence"
    NOT_SELECTED = "not_selected"
    WOULD_BREAK_RING_FENCE = "would_break_ring_fence"
    INELIGIBLE = "ineligible"
    OUT_OF_LIMITS = "amount_out_of_limits"

    FUNDED_REASONS = (FUNDED, FUNDED_FOR_RING_FENCE)


class Mode:
    RANK = "rank"
    OPTIMAL = "optimal"


@dataclass(frozen=True)
class Candidate:
    id: int
    track: str
    org: int
    is_community: bool
    score: Decimal
    amount: Decimal
    eligible: bool = True
    #: any sortable value: earlier submissions rank first among equal scores and amounts
    submitted: float = 0.0


@dataclass(frozen=True)
class Constraints:
    round_budget: Decimal
    track_budgets: dict[str, Decimal]
    ring_fence_pct: Decimal = Decimal("30")
    #: the most one organization may receive in the round; None = no cap
    org_cap: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    #: the pass line: a lower score is never funded; None = no line
    pass_score: Decimal | None = None


@dataclass(frozen=True)
class Decision:
    id: int
    funded: bool
    reason: str
    rank: int
    amount: Decimal = ZERO


@dataclass
class Result:
    mode: str
    decisions: dict[int, Decision]
    total_awarded: Decimal = ZERO
    community_awarded: Decimal = ZERO
    total_score: Decimal = ZERO
    track_awarded: dict[str, Decimal] = field(default_factory=dict)
    ring_fence_pct: Decimal = Decimal("30")
    ring_fence_met: bool = True
    message: str = ""
    seconds: float = 0.0

    @property
    def community_share(self) -> Decimal:
        """Percentage of the awarded money that goes to community organizations (0 when nothing is awarded)."""
        if not self.total_awarded:
            return ZERO
        return (self.community_awarded * 100 / self.total_awarded).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def funded_ids(self) -> set[int]:
        return {d.id for d in self.decisions.values() if d.funded}

    def as_dict(self) -> dict:
        return {
            "mode": self.mode, "total_awarded": str(self.total_awarded),
            "community_awarded": str(self.community_awarded), "community_share": str(self.community_share),
            "total_score": str(self.total_score), "ring_fence_pct": str(self.ring_fence_pct),
            "ring_fence_met": self.ring_fence_met, "message": self.message, "seconds": round(self.seconds, 4),
            "track_awarded": {k: str(v) for k, v in self.track_awarded.items()},
            "decisions": {str(d.id): {"funded": d.funded, "reason": d.reason, "rank": d.rank, "amount": str(d.amount)}
                          for d in self.decisions.values()},
        }


def rank_key(candidate: Candidate):
    """The documented tie-break: higher score, then lower amount, then earlier submission, then lower id."""
    return (-candidate.score, candidate.amount, candidate.submitted, candidate.id)


def ranked(candidates) -> list[Candidate]:
    return sorted(candidates, key=rank_key)


def exclusion(candidate: Candidate, constraints: Constraints) -> str | None:
    """Why a candidate can never be funded, whatever the others do; None when it may be."""
    if not candidate.eligible:
        return Reason.INELIGIBLE
    if (constraints.min_amount is not None and candidate.amount < constraints.min_amount) or (
            constraints.max_amount is not None and candidate.amount > constraints.max_amount):
        return Reason.OUT_OF_LIMITS
    if constraints.pass_score is not None and candidate.score < constraints.pass_score:
        return Reason.BELOW_LINE
    return None


class _Ledger:
    """Running totals of a funded set, and whether one more candidate fits."""

    def __init__(self, constraints: Constraints):
        self.constraints = constraints
        self.track: dict[str, Decimal] = {}
        self.org: dict[int, Decimal] = {}
        self.total = ZERO
        self.community = ZERO

    def blocker(self, c: Candidate, without: Candidate | None = None) -> str | None:
        def less(value, key, other):
            return value - (without.amount if without is not None and other == key else ZERO)

        track_budget = self.constraints.track_budgets.get(c.track, ZERO)
        track_used = less(self.track.get(c.track, ZERO), c.track, without.track if without else None)
        if track_used + c.amount > track_budget:
            return Reason.TRACK_BUDGET
        total = self.total - (without.amount if without is not None else ZERO)
        if total + c.amount > self.constraints.round_budget:
            return Reason.ROUND_BUDGET
        if self.constraints.org_cap is not None:
            org_used = less(self.org.get(c.org, ZERO), c.org, without.org if without else None)
            if org_used + c.amount > self.constraints.org_cap:
                return Reason.ORG_CAP
        return None

    def add(self, c: Candidate, sign: int = 1):
        amount = c.amount * sign
        self.track[c.track] = self.track.get(c.track, ZERO) + amount
        self.org[c.org] = self.org.get(c.org, ZERO) + amount
        self.total += amount
        if c.is_community:
            self.community += amount

    def share_met(self) -> bool:
        return self.community * 100 >= self.constraints.ring_fence_pct * self.total


def _result(mode, order, funded: dict[int, str], reasons: dict[int, str], constraints, started) -> Result:
    decisions, result = {}, Result(mode=mode, decisions={}, ring_fence_pct=constraints.ring_fence_pct)
    for position, c in enumerate(order, start=1):
        if c.id in funded:
            decisions[c.id] = Decision(c.id, True, funded[c.id], position, c.amount)
            result.total_awarded += c.amount
            result.total_score += c.score
            result.track_awarded[c.track] = result.track_awarded.get(c.track, ZERO) + c.amount
            if c.is_community:
                result.community_awarded += c.amount
        else:
            decisions[c.id] = Decision(c.id, False, reasons.get(c.id, Reason.NOT_SELECTED), position)
    result.decisions = decisions
    result.ring_fence_met = result.community_awarded * 100 >= constraints.ring_fence_pct * result.total_awarded
    if not result.ring_fence_met:
        result.message = (f"The ring-fence of {constraints.ring_fence_pct}% cannot be met: "
                          f"community organizations get {result.community_share}% of the awarded money.")
    result.seconds = time.perf_counter() - started
    return result


def allocate_rank(candidates, constraints: Constraints) -> Result:
    started = time.perf_counter()
    order = ranked(candidates)
    ledger = _Ledger(constraints)
    funded: dict[int, str] = {}
    reasons: dict[int, str] = {}
    open_ = []
    for c in order:
        excluded = exclusion(c, constraints)
        if excluded:
            reasons[c.id] = excluded
            continue
        open_.append(c)
        blocker = ledger.blocker(c)
        if blocker:
            reasons[c.id] = blocker
        else:
            ledger.add(c)
            funded[c.id] = Reason.FUNDED

    # Ring-fence: while it fails, take out the lowest-ranked non-community award (replacing it with the best
    # unfunded community candidate that fits once it is gone, when there is one) and add community candidates
    # that fit. Taking every non-community award out leaves only community money, so this meets the ring-fence
    # whenever a single community candidate can be funded at all; when none can, no set that funds anything
    # meets it (``ring_fence_proof``) and the ranked result is kept with the reason.
    replaced: set[int] = set()
    proof = _ring_fence_proof(open_, constraints)
    while proof is None and not ledger.share_met():
        waiting = [c for c in open_ if c.is_community and c.id not in funded]
        fits = next((c for c in waiting if ledger.blocker(c) is None), None)
        if fits is not None:
            ledger.add(fits)
            funded[fits.id] = Reason.FUNDED_FOR_RING_FENCE
            continue
        others = [c for c in open_ if c.id in funded and not c.is_community]
        if not others:
            break
        lowest = others[-1]
        ledger.add(lowest, sign=-1)
        del funded[lowest.id]
        reasons[lowest.id] = Reason.REPLACED
        replaced.add(lowest.id)

    # Money freed by the swaps goes down the list again, to anything that fits and keeps the ring-fence;
    # every candidate left out is then told what stops it in the final award list.
    for c in open_:
        if c.id in funded or c.id in replaced:
            continue
        blocker = ledger.blocker(c)
        if blocker is None:
            ledger.add(c)
            if ledger.share_met() or c.is_community:
                funded[c.id] = Reason.FUNDED
                continue
            ledger.add(c, sign=-1)
            blocker = Reason.WOULD_BREAK_RING_FENCE
        reasons[c.id] = blocker
    result = _result(Mode.RANK, order, funded, reasons, constraints, started)
    if proof is not None and not result.ring_fence_met:
        result.message += " " + proof
    return result


def _ring_fence_proof(open_, constraints: Constraints) -> str | None:
    """Why no set that funds anything can meet the ring-fence, or None when one can.

    A set meeting a positive ring-fence with money in it holds a community candidate, and a candidate that fits in
    a set fits on its own (budgets and caps only shrink as others join). So such a set exists exactly when one
    community candidate fits alone."""
    if constraints.ring_fence_pct <= 0:
        return None
    empty = _Ledger(constraints)
    if any(c.is_community and empty.blocker(c) is None for c in open_):
        return None
    if not any(empty.blocker(c) is None for c in open_):
        return None
    return ("No community application fits its track budget, the round budget and the organization cap on its "
            "own, so no funded set can reach the ring-fence.")


def allocate_optimal(candidates, constraints: Constraints, time_limit: float = 20.0,
                     baseline: Result | None = None) -> Result:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    started = time.perf_counter()
    order = ranked(candidates)
    reasons: dict[int, str] = {}
    open_ = []
    for c in order:
        excluded = exclusion(c, constraints)
        if excluded:
            reasons[c.id] = excluded
        else:
            open_.append(c)
    funded: dict[int, str] = {}
    if open_:
        n = len(open_)
        amounts = np.array([float(c.amount) for c in open_])
        # Maximise the funded score; a vanishing preference for the better-ranked among equal sets keeps the
        # answer stable from run to run.
        scores = np.array([float(c.score) for c in open_])
        cost = -(scores + 1e-9 * (n - np.arange(n)) / n)
        rows, cols, values, upper = [], [], [], []

        def row(members, limit, weights=None):
            index = len(upper)
            for j in members:
                rows.append(index)
                cols.append(j)
                values.append(amounts[j] if weights is None else weights[j])
            upper.append(limit)

        by_track: dict[str, list[int]] = {}
        by_org: dict[int, list[int]] = {}
        for j, c in enumerate(open_):
            by_track.setdefault(c.track, []).append(j)
            by_org.setdefault(c.org, []).append(j)
        for track, members in by_track.items():
            row(members, float(constraints.track_budgets.get(track, ZERO)))
        row(range(n), float(constraints.round_budget))
        if constraints.org_cap is not None:
            for members in by_org.values():
                if len(members) > 1 or amounts[members[0]] > float(constraints.org_cap):
                    row(members, float(constraints.org_cap))
        # community_awarded ≥ p × total  ⇔  Σ (p − community_j) × amount_j × x_j ≤ 0
        p = float(constraints.ring_fence_pct) / 100
        ring = [(p - (1.0 if c.is_community else 0.0)) * amounts[j] for j, c in enumerate(open_)]
        row(range(n), 0.0, weights=ring)
        matrix = coo_array((values, (rows, cols)), shape=(len(upper), n)).tocsr()
        solution = milp(
            cost, integrality=np.ones(n), bounds=Bounds(0, 1),
            constraints=LinearConstraint(matrix, -np.inf, np.array(upper)),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-9, "presolve": True},
        )
        if solution.x is not None:
            chosen = [c for j, c in enumerate(open_) if solution.x[j] > 0.5]
            if _feasible(chosen, constraints):
                funded = dict.fromkeys((c.id for c in chosen), Reason.FUNDED)
    if baseline is not None and baseline.ring_fence_met and baseline.total_score > sum(
            (c.score for c in open_ if c.id in funded), ZERO):
        funded = dict.fromkeys(baseline.funded_ids, Reason.FUNDED)
    # Why each unfunded open candidate was left out: the first constraint it would break, else "not selected".
    ledger = _Ledger(constraints)
    for c in open_:
        if c.id in funded:
            ledger.add(c)
    for c in open_:
        if c.id not in funded:
            reasons[c.id] = ledger.blocker(c) or _ring_fence_blocker(ledger, c) or Reason.NOT_SELECTED
    return _result(Mode.OPTIMAL, order, funded, reasons, constraints, started)


def _ring_fence_blocker(ledger: _Ledger, c: Candidate) -> str | None:
    ledger.add(c)
    broken = not ledger.share_met()
    ledger.add(c, sign=-1)
    return Reason.WOULD_BREAK_RING_FENCE if broken else None


def _feasible(chosen, constraints: Constraints) -> bool:
    """Re-checks a set in exact decimals (the solver works in floating point)."""
    ledger = _Ledger(constraints)
    for c in chosen:
        if exclusion(c, constraints):
            return False
        ledger.add(c)
    if ledger.total > constraints.round_budget:
        return False
    if any(used > constraints.track_budgets.get(t, ZERO) for t, used in ledger.track.items()):
        return False
    if constraints.org_cap is not None and any(used > constraints.org_cap for used in ledger.org.values()):
        return False
    return ledger.share_met()


def check(result: Result, candidates, constraints: Constraints) -> list[str]:
    """Every constraint a result breaks, in words (empty when it meets them all). Used by tests and the page."""
    chosen = [c for c in candidates if c.id in result.funded_ids]
    problems = []
    ledger = _Ledger(constraints)
    for c in chosen:
        if exclusion(c, constraints):
            problems.append(f"application {c.id} is funded but {exclusion(c, constraints)}")
        ledger.add(c)
    if ledger.total > constraints.round_budget:
        problems.append(f"round budget exceeded: {ledger.total} > {constraints.round_budget}")
    for track, used in ledger.track.items():
        if used > constraints.track_budgets.get(track, ZERO):
            problems.append(f"track {track} budget exceeded: {used}")
    if constraints.org_cap is not None:
        problems.extend(f"organization {org} above the cap: {used}" for org, used in ledger.org.items()
                        if used > constraints.org_cap)
    if not ledger.share_met():
        problems.append(f"ring-fence not met: {ledger.community} of {ledger.total}")
    return problems


def allocate(candidates, constraints: Constraints) -> dict[str, Result]:
    """Both modes, rank first (it is the optimal mode's baseline)."""
    candidates = list(candidates)
    rank = allocate_rank(candidates, constraints)
    return {Mode.RANK: rank, Mode.OPTIMAL: allocate_optimal(candidates, constraints, baseline=rank)}


__all__ = ["Candidate", "Constraints", "Decision", "Mode", "Reason", "Result", "allocate", "allocate_optimal",
           "allocate_rank", "check", "rank_key", "ranked"]
