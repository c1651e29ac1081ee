"""Plan metrics and the optimiser's objective (the same numbers for baseline and optimum)."""

from __future__ import annotations

import math
from collections import defaultdict

from .instance import Instance, Plan


def wait_cost(wait: int) -> int:
    """Convex: a month of waiting costs more the longer one has already waited, so shortening
    the longest waits pays most; this is also how a smaller maximum wait is preferred (a
    separate max-wait term would couple otherwise independent parts of the country)."""
    return wait * (wait + 1) // 2


def unassigned_penalty(inst: Instance) -> int:
    # Above the cost of any single wait, so placing one more request is worth a lot of waiting.
    return 4 * wait_cost(inst.horizon_months)


# How strongly the queue order is kept: the most a month of waiting costs extra for the first
# in the queue (decision 0004). A region's policy setting; 0 ignores the order among plans of
# equal cost, 1 weighs it like the first month of waiting.
QUEUE_WEIGHT = 0.01
QUEUE_WEIGHT_RANGE = (0.0, 1.0)


def check_queue_weight(weight: float) -> float:
    low, high = QUEUE_WEIGHT_RANGE
    if not low <= weight <= high:  # NaN fails too
        raise ValueError(f"queue weight must be between {low} and {high}, got {weight}")
    return float(weight)


def queue_tiebreak(position: int, n_requests: int, weight: float = QUEUE_WEIGHT) -> float:
    """Per month of wait: small, larger for earlier queue positions (prefers queue order)."""
    return weight * (n_requests - position) / max(n_requests, 1)


def objective(
    inst: Instance,
    plan: Plan,
    order: list[str],
    assignable: set[str],
    queue_weight: float = QUEUE_WEIGHT,
) -> float:
    """What the optimiser minimises; `assignable` are the requests that have a feasible start."""
    position = {request_id: i for i, request_id in enumerate(order)}
    value = 0.0
    for request_id in plan.assignments:
        wait = plan.wait(inst, request_id)
        value += wait_cost(wait) + wait * queue_tiebreak(
            position[request_id], len(order), queue_weight
        )
    missing = len(assignable - plan.assignments.keys())
    return value + unassigned_penalty(inst) * missing


def metrics(inst: Instance, plan: Plan) -> dict:
    waits = sorted(plan.wait(inst, r) for r in plan.assignments)
    n = len(waits)
    return {
        "requests": len(inst.requests),
        "assigned": n,
        "unassigned": len(plan.unassigned),
        "total_wait_months": sum(waits),
        "mean_wait_months": round(sum(waits) / n, 3) if n else 0.0,
        "p95_wait_months": waits[min(n - 1, math.ceil(0.95 * n) - 1)] if n else 0,
        "max_wait_months": waits[-1] if n else 0,
        "share_within_3_months": round(sum(w <= 3 for w in waits) / len(inst.requests), 4)
        if inst.requests
        else 0.0,
        "utilisation": round(utilisation(inst, plan), 4),
    }


def utilisation(inst: Instance, plan: Plan) -> float:
    """Used trainee-months / usable positions, over the months of the horizon; an arena's
    positions are the lesser of its capacity and the sum of its valid agreements'."""
    months = range(inst.start_month, inst.end_month + 1)
    offered: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for agreement in inst.agreements.values():
        for i, month in enumerate(months):
            if (agreement.valid_from is None or agreement.valid_from <= month) and (
                agreement.valid_to is None or month <= agreement.valid_to
            ):
                offered[agreement.arena][i] += agreement.capacity
    positions = sum(
        min(inst.arenas[arena].capacity, n) for arena, row in offered.items() for n in row
    )
    used = 0
    for occ in inst.occupied:
        used += max(0, min(occ.span.last, inst.end_month) - max(occ.span.first, months.start) + 1)
    for a in plan.assignments.values():
        agreement = inst.agreements[a.agreement]
        used += min(agreement.duration_months, inst.end_month - a.start + 1)
    return used / positions if positions else 0.0
