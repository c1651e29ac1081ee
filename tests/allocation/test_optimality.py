"""The optimiser against brute force on tiny instances, its bounds, and what Δ = 0 means.

The brute force enumerates every plan of the instance that keeps the hard rules and the
fairness guard, built from the rules themselves (`own_rule_failure` on every month, capacity,
overlap and `after` counted here), not from the optimiser's model; it prunes a branch only
when its cost so far already reaches the best complete plan's (every remaining term is ≥ 0).
"""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisplan.allocation.engine import solve
from lisplan.allocation.instance import Assignment, Instance, Plan, Unassigned, month_text
from lisplan.allocation.metrics import objective, queue_tiebreak, unassigned_penalty, wait_cost
from lisplan.allocation.optimise import build_model, optimise
from lisplan.allocation.rules import own_rule_failure
from lisplan.allocation.validate import violations

from .builders import agreement, baseline_of, instance, request, trainee
from .test_properties import START, documents

TINY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def options(inst: Instance, base: Plan, request_id: str) -> list[tuple[int, str] | None]:
    """Every (start, agreement) that rules 1-5 allow on its own and the guard allows; None
    (unassigned) unless the baseline places the request."""
    request = inst.requests[request_id]
    placed = base.assignments.get(request_id)
    found: list[tuple[int, str] | None] = [
        (s, a)
        for s in range(inst.start_month, inst.end_month + 1)
        for a in request.agreements
        if own_rule_failure(inst, request, inst.agreements[a], s) is None
        and (placed is None or s <= placed.start + inst.max_delay_months)
    ]
    if placed is None:
        found.append(None)
    return found


def brute_force(inst: Instance, base: Plan, cost, min_placed: int = 0) -> tuple[float, Plan]:
    """The least total `cost(request_id, option)` over all plans that keep rules 1-6 and the
    guard and place at least `min_placed` requests (math.inf and an empty plan if none)."""
    ids = sorted(inst.requests, key=lambda r: _depth(inst, r))  # `after` before its follower
    choices = {r: sorted(options(inst, base, r), key=lambda o: cost(r, o)) for r in ids}
    used: dict[tuple[str, int], int] = defaultdict(int)  # (agreement or arena, month)
    for occ in inst.occupied:
        for month in range(occ.span.first, occ.span.last + 1):
            used[occ.agreement, month] += 1
            used[inst.agreements[occ.agreement].arena, month] += 1
    chosen: dict[str, tuple[int, str] | None] = {}
    best: list = [math.inf, {}]

    def fits(request_id: str, start: int, agreement_id: str) -> bool:
        request, ag = inst.requests[request_id], inst.agreements[agreement_id]
        if request.after is not None:
            before = chosen[request.after]
            if before is None or before[0] + inst.agreements[before[1]].duration_months > start:
                return False
        for other, option in chosen.items():
            if (
                option is not None
                and inst.requests[other].trainee == request.trainee
                and inst.agreements[option[1]].period(option[0]).overlaps(ag.period(start))
            ):
                return False
        months = range(start, start + ag.duration_months)
        return all(
            used[ag.id, m] < ag.capacity and used[ag.arena, m] < inst.arenas[ag.arena].capacity
            for m in months
        )

    def count(start: int, agreement_id: str, step: int) -> None:
        ag = inst.agreements[agreement_id]
        for m in range(start, start + ag.duration_months):
            used[ag.id, m] += step
            used[ag.arena, m] += step

    def walk(i: int, so_far: float, placed: int) -> None:
        if so_far >= best[0] or placed + len(ids) - i < min_placed:
            return
        if i == len(ids):
            best[:] = [so_far, dict(chosen)]
            return
        request_id = ids[i]
        for option in choices[request_id]:
            if option is None:
                chosen[request_id] = None
                walk(i + 1, so_far + cost(request_id, None), placed)
            elif fits(request_id, *option):
                chosen[request_id] = option
                count(*option, 1)
                walk(i + 1, so_far + cost(request_id, option), placed + 1)
                count(*option, -1)
            chosen.pop(request_id, None)

    walk(0, 0.0, 0)
    plan = Plan()
    for request_id, option in best[1].items():
        trainee_id = inst.requests[request_id].trainee
        if option is None:
            plan.unassigned[request_id] = Unassigned(request_id, trainee_id, "brute force")
        else:
            plan.assignments[request_id] = Assignment(request_id, trainee_id, option[1], option[0])
    return best[0], plan


def _depth(inst: Instance, request_id: str) -> int:
    depth = 0
    while (request_id := inst.requests[request_id].after) is not None:
        depth += 1
    return depth


def objective_cost(inst: Instance, order: list[str], assignable: set[str]):
    """The optimiser's objective, request by request (metrics.objective)."""
    position = {r: i for i, r in enumerate(order)}
    penalty = unassigned_penalty(inst)

    def cost(request_id: str, option) -> float:
        if option is None:
            return penalty if request_id in assignable else 0.0
        wait = option[0] - inst.earliest_start(inst.requests[request_id])
        return wait_cost(wait) + wait * queue_tiebreak(position[request_id], len(order))

    return cost


def wait_months(inst: Instance):
    def cost(request_id: str, option) -> float:
        return 0 if option is None else option[0] - inst.earliest_start(inst.requests[request_id])

    return cost


def check_against_brute_force(document: dict) -> None:
    inst, order, base = baseline_of(document)
    outcome = optimise(inst, base, 10.0, order=order)
    assignable = set(build_model(inst, base, order).by_request)
    optimum, best = brute_force(inst, base, objective_cost(inst, order, assignable))

    # The brute force finds a plan (the baseline is one), and its own plan is valid and
    # scored as the optimiser scores plans.
    assert optimum < math.inf
    assert violations(inst, best, base) == []
    assert abs(objective(inst, best, order, assignable) - optimum) < 1e-6
    # The optimiser's plan is as good as the best of all, and proven so.
    assert outcome.status == "Optimal"
    assert abs(outcome.objective - optimum) < 1e-6
    # Never below the bounds, and the bounds are below the true optimum.
    for bound in (
        outcome.lp_bound,
        outcome.cut_bound,
        outcome.root_bound,
        outcome.mip_bound,
        outcome.bound,
    ):
        assert bound is not None and bound <= optimum + 1e-6
    # The odd-cycle inequalities only tighten the LP.
    assert outcome.cut_bound >= outcome.lp_bound - 1e-6
    # The bound on total wait holds for every plan that places as many requests.
    least_wait, _ = brute_force(inst, base, wait_months(inst), outcome.wait_bound_placed)
    assert outcome.wait_bound is not None and outcome.wait_bound <= least_wait
    assert outcome.wait_bound <= sum(outcome.plan.wait(inst, r) for r in outcome.plan.assignments)


@st.composite
def contended(draw):
    """Tiny instances where requests compete: one home, two or three agreements on one or
    two small arenas, desired starts close together, chains, a start rule, a latest end."""
    arenas = [
        {"id": f"AR{i}", "institution": "R", "capacity": draw(st.integers(1, 2))}
        for i in range(draw(st.integers(1, 2)))
    ]
    agreements = [
        {
            "id": f"A{i}",
            "sending": "S",
            "receiving": "R",
            "arena": draw(st.sampled_from([a["id"] for a in arenas])),
            "specialty": "X",
            "duration_months": draw(st.integers(1, 4)),
            "capacity": draw(st.integers(1, 2)),
            "start_months": draw(st.sampled_from([[], [], [1, 3, 5, 7, 9, 11]])),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    ids = [a["id"] for a in agreements]
    trainees, budget = [], 5
    for t in range(draw(st.integers(1, 4))):
        requests = []
        for k in range(min(budget, draw(st.integers(1, 2)))):
            budget -= 1
            requests.append(
                {
                    "id": f"R{t}{k}",
                    "registered": f"2025-0{draw(st.integers(1, 3))}-01",
                    "agreements": draw(
                        st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)
                    ),
                    "desired_start": month_text(START + draw(st.integers(0, 3))),
                    "latest_end": draw(
                        st.one_of(
                            st.none(),
                            st.none(),
                            st.integers(2, 7).map(lambda k: month_text(START + k)),
                        )
                    ),
                    "after": f"R{t}0" if k and draw(st.booleans()) else None,
                }
            )
        if requests:
            trainees.append(
                {
                    "id": f"T{t}",
                    "home": "S",
                    "specialty": "X",
                    "permanent": True,
                    "requests": requests,
                }
            )
    return {
        "format": "lisplan-allocation/1",
        "start_month": month_text(START),
        "horizon_months": 8,
        "policy": {"max_delay_months": draw(st.integers(0, 5))},
        "arenas": arenas,
        "agreements": agreements,
        "trainees": trainees,
        "occupied": [],
    }


@TINY
@given(contended())
def test_the_optimum_equals_brute_force_on_contended_tiny_instances(document):
    check_against_brute_force(document)


@TINY
@given(documents(max_trainees=4, max_requests=5, horizon=8))
def test_the_optimum_equals_brute_force_on_tiny_instances(document):
    check_against_brute_force(document)


def test_the_optimum_equals_brute_force_on_hand_made_instances():
    # Two agreements let both start at once; the baseline queues them on one.
    check_against_brute_force(
        instance(
            [agreement("A"), agreement("B", arena="B")],
            [
                trainee("T1", [request("R1", ["A", "B"], registered="2025-01-01")]),
                trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
            ],
            horizon=12,
        )
    )
    # A delay lets the second in the queue, who can only start at once, go first.
    check_against_brute_force(
        instance(
            [agreement("A", duration=4)],
            [
                trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
                trainee(
                    "T2", [request("R2", ["A"], registered="2025-02-01", latest_end="2027-04")]
                ),
            ],
            delta=4,
            horizon=10,
        )
    )
    # Convex waiting: a shared arena of two, three trainees, a chain and a start rule.
    check_against_brute_force(
        instance(
            [
                agreement("A", duration=3, capacity=2),
                agreement("B", duration=2),
                agreement("C", arena="C", duration=3, start_months=[1, 4, 7]),
            ],
            [
                trainee(
                    "T1",
                    [
                        request("R1", ["A"], registered="2025-01-01"),
                        request("R2", ["C", "B"], registered="2025-01-01", after="R1"),
                    ],
                ),
                trainee("T2", [request("R3", ["A", "C"], registered="2025-02-01")]),
                trainee(
                    "T3", [request("R4", ["B", "A"], registered="2025-03-01", desired="2027-02")]
                ),
                trainee("T4", [request("R5", ["A"], registered="2025-04-01")]),
            ],
            arenas=[
                {"id": "AR", "institution": "R", "capacity": 2},
                {"id": "C", "institution": "R", "capacity": 1},
            ],
            delta=3,
            horizon=9,
        )
    )
    # Nothing can improve on the baseline: one agreement, one request.
    check_against_brute_force(
        instance([agreement("A")], [trainee("T1", [request("R1", ["A"])])], horizon=8)
    )


@SOME
@given(documents())
def test_with_no_delay_nobody_starts_later_than_in_the_baseline(document):
    document["policy"]["max_delay_months"] = 0
    result = solve(document, time_limit=5.0)
    for request_id, placed in result.baseline.assignments.items():
        assert result.plan.assignments[request_id].start <= placed.start


@SOME
@given(documents())
def test_one_agreement_no_after_and_no_delay_give_the_baseline(document):
    for person in document["trainees"]:
        for item in person["requests"]:
            item["agreements"], item["after"] = item["agreements"][:1], None
    result = solve(document, max_delay=0, time_limit=5.0)
    assert result.plan.assignments == result.baseline.assignments
    assert result.plan.unassigned.keys() == result.baseline.unassigned.keys()


@SOME
@given(documents())
def test_the_objective_is_never_below_its_bounds(document):
    result = solve(document, time_limit=5.0)
    outcome = result.outcome
    assert outcome.lp_bound is not None and outcome.lp_bound <= outcome.objective + 1e-6
    assert outcome.bound is not None and outcome.bound <= outcome.objective + 1e-6
    assert outcome.wait_bound is not None
    assert outcome.wait_bound <= sum(
        outcome.plan.wait(result.instance, r) for r in outcome.plan.assignments
    )
