"""Allocation benchmark: a generated round of ``n`` applications, both modes timed (``make bench``)."""

import random
import time
from decimal import Decimal

from grants.allocation import Candidate, Constraints, Mode, allocate_optimal, allocate_rank, check


def generated_round(n=2000, seed=1, tracks=4):
    """``n`` applications over ``tracks`` tracks, 30% from community organizations, amounts 10k–100k yuan,
    scores 30–99; the round's budget covers about 30% of what is asked for."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    names = [f"track-{i}" for i in range(tracks)]
    candidates = [
        Candidate(id=i, track=rng.choice(names), org=i, is_community=rng.random() < 0.3,
                  score=Decimal(rng.randint(3000, 9900)) / 100, amount=Decimal(rng.randint(20, 200) * 500),
                  eligible=rng.random() > 0.05, submitted=rng.random())
        for i in range(1, n + 1)
    ]
    asked = sum((c.amount for c in candidates), Decimal("0"))
    constraints = Constraints(
        round_budget=(asked * Decimal("0.3")).quantize(Decimal("0.01")),
        track_budgets={t: (asked * Decimal("0.1")).quantize(Decimal("0.01")) for t in names},
        ring_fence_pct=Decimal("30"), pass_score=Decimal("60"), min_amount=Decimal("10000"),
        max_amount=Decimal("100000"))
    return candidates, constraints


def run(n=2000, seed=1) -> dict:
    candidates, constraints = generated_round(n, seed)
    started = time.perf_counter()
    rank = allocate_rank(candidates, constraints)
    rank_seconds = time.perf_counter() - started
    started = time.perf_counter()
    optimal = allocate_optimal(candidates, constraints, baseline=rank)
    optimal_seconds = time.perf_counter() - started
    return {
        "applications": n,
        "rank_seconds": round(rank_seconds, 3),
        "optimal_seconds": round(optimal_seconds, 3),
        "rank_funded": len(rank.funded_ids),
        "optimal_funded": len(optimal.funded_ids),
        "rank_total_score": str(rank.total_score),
        "optimal_total_score": str(optimal.total_score),
        "rank_community_share": str(rank.community_share),
        "optimal_community_share": str(optimal.community_share),
        "optimal_constraint_violations": len(check(optimal, candidates, constraints)),
        "modes": [Mode.RANK, Mode.OPTIMAL],
    }
