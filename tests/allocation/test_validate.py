from dataclasses import replace

import pytest

from lisplan.allocation.instance import Assignment, Plan, Unassigned
from lisplan.allocation.validate import Inversion, inversions, violations

from .builders import agreement, baseline_of, instance, m, request, trainee

ARENAS = [
    {"id": "AR", "institution": "R", "capacity": 2},
    {"id": "B", "institution": "R", "capacity": 5},
]
AGREEMENTS = [
    agreement("A", capacity=1, start_months=[1, 4, 7, 10], prerequisites=["G"], valid_to="2028-12"),
    agreement("A2", capacity=2),
    agreement("B", arena="B", capacity=5, duration=3),
    agreement("X", arena="B", sending="OTHER"),
]
TRAINEES = [
    trainee("T1", [request("R1", ["A", "X"], latest_end="2028-06")], approved_goals=["G"]),
    trainee(
        "T2",
        [request("R2", ["A", "A2"], registered="2025-02-01")],
        expected_goals={"G": "2027-07"},
        unavailable=[{"from": "2028-01", "to": "2028-03"}],
    ),
    trainee("T3", [request("R3", ["B"]), request("R4", ["B"], after="R3")]),
    trainee("T4", [request("R5", ["A2"])], permanent=False),
]


@pytest.fixture
def world():
    inst, order, base = baseline_of(instance(AGREEMENTS, TRAINEES, arenas=ARENAS, delta=2))
    assert violations(inst, base, base, set(inversions(inst, base, order)), order) == []
    return inst, order, base


def moved(base: Plan, request_id: str, **changes) -> Plan:
    plan = Plan(dict(base.assignments), dict(base.unassigned))
    if request_id in plan.assignments:
        plan.assignments[request_id] = replace(plan.assignments[request_id], **changes)
    else:
        trainee_id = plan.unassigned.pop(request_id).trainee
        plan.assignments[request_id] = Assignment(request_id, trainee_id, **changes)
    return plan


def rules_broken(world, plan: Plan) -> set[str]:
    inst, order, base = world
    return {v.rule for v in violations(inst, plan, base)}


def test_the_baseline_is_as_expected(world):
    _, _, base = world
    assert {r: (a.agreement, a.start) for r, a in base.assignments.items()} == {
        "R1": ("A", m("2027-01")),
        "R2": ("A2", m("2027-01")),
        "R3": ("B", m("2027-01")),
        "R4": ("B", m("2027-04")),
    }
    assert base.unassigned.keys() == {"R5"}


@pytest.mark.parametrize(
    "request_id, changes, rule",
    [
        ("R5", {"agreement": "A2", "start": m("2027-07")}, "1"),
        ("R1", {"agreement": "X"}, "2"),
        ("R1", {"agreement": "B", "start": m("2027-07")}, "2"),
        ("R3", {"start": m("2026-12")}, "3"),
        ("R2", {"agreement": "A2", "start": m("2028-08")}, "3"),  # ends after the horizon
        ("R1", {"start": m("2028-04")}, "3"),  # ends after latest_end
        ("R1", {"start": m("2027-02")}, "3"),  # not a start month
        ("R2", {"agreement": "A2", "start": m("2028-05")}, "3"),
        ("R2", {"agreement": "A", "start": m("2027-04")}, "4"),  # G expected 2027-07
        ("R2", {"agreement": "A2", "start": m("2027-10")}, "5"),  # overlaps unavailable
        ("R4", {"start": m("2027-03")}, "5"),  # before R3 has ended
        ("R2", {"agreement": "A", "start": m("2027-04")}, "6"),
    ],
)
def test_each_hard_rule_violation_is_caught(world, request_id, changes, rule):
    inst, order, base = world
    plan = moved(base, request_id, **changes)
    if rule == "3" and changes.get("start") == m("2028-05"):
        inst.agreements["A2"] = replace(inst.agreements["A2"], valid_to=m("2028-08"))
    if rule == "6":  # keep R2 legal otherwise: its goal is then expected
        inst.trainees["T2"] = replace(inst.trainees["T2"], expected_goals={"G": m("2027-01")})
        plan = moved(plan, "R1", start=m("2027-01"))
    assert rule in rules_broken(world, plan)


def test_capacity_counts_occupied_and_arena(world):
    inst, order, base = world
    plan = moved(base, "R2", agreement="A2", start=m("2027-01"))
    plan.assignments["R5"] = Assignment("R5", "T4", "A2", m("2027-01"))
    inst.trainees["T4"] = replace(inst.trainees["T4"], permanent=True)
    found = [v for v in violations(inst, plan) if v.rule == "6"]
    assert {v.subject for v in found} == {"AR"}  # A2 holds 2, arena AR only 2 with R1 at A


def test_a_trainee_cannot_be_in_two_places(world):
    inst, order, base = world
    plan = moved(base, "R4", start=m("2027-02"))
    plan.assignments["R4"] = replace(plan.assignments["R4"])
    inst.requests["R4"] = replace(inst.requests["R4"], after=None)
    assert "5" in rules_broken(world, plan)


def test_coverage_every_request_exactly_once(world):
    inst, order, base = world
    plan = Plan(dict(base.assignments), {})
    plan.unassigned["R1"] = Unassigned("R1", "T1", "x")
    plan.unassigned["R9"] = Unassigned("R9", "T1", "x")
    plan.assignments["R3"] = replace(plan.assignments["R3"], trainee="T2")
    messages = {(v.subject, v.message) for v in violations(inst, plan) if v.rule == "coverage"}
    assert messages == {
        ("R1", "both assigned and unassigned"),
        ("R9", "not a request of the instance"),
        ("R5", "neither assigned nor unassigned"),
        ("R3", "belongs to T3, not T2"),
    }


def test_the_fairness_guard(world):
    inst, order, base = world
    later = moved(base, "R3", start=m("2027-03"))
    later = moved(later, "R4", start=m("2027-06"))
    assert rules_broken(world, later) == set()  # 2 months later: within Δ = 2
    too_late = moved(later, "R4", start=m("2027-07"))
    assert rules_broken(world, too_late) == {"guard"}
    dropped = Plan(dict(base.assignments), dict(base.unassigned))
    del dropped.assignments["R4"]
    dropped.unassigned["R4"] = Unassigned("R4", "T3", "dropped")
    assert rules_broken(world, dropped) == {"guard"}


def test_inversions_are_found_and_must_be_reported():
    inst, order, base = baseline_of(
        instance(
            [agreement("A", duration=3)],
            [
                trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
                trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
            ],
            delta=3,
        )
    )
    assert inversions(inst, base, order) == []
    swapped = Plan(
        {
            "R1": Assignment("R1", "T1", "A", m("2027-04")),
            "R2": Assignment("R2", "T2", "A", m("2027-01")),
        },
        {},
    )
    found = inversions(inst, swapped, order)
    assert found == [Inversion("R1", "R2", "A", m("2027-01"))]
    assert violations(inst, swapped, base, set(found), order) == []
    missing = violations(inst, swapped, base, set(), order)
    assert [(v.rule, v.subject) for v in missing] == [("inversions", "R2")]


def test_no_inversion_when_the_earlier_request_could_not_have_started_then():
    inst, order, base = baseline_of(
        instance(
            [agreement("A", duration=3)],
            [
                trainee(
                    "T1",
                    [request("R1", ["A"], registered="2025-01-01")],
                    unavailable=[{"from": "2027-01", "to": "2027-06"}],
                ),
                trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
            ],
        )
    )
    assert base.assignments["R2"].start == m("2027-01")
    assert inversions(inst, base, order) == []


def test_only_requests_earlier_in_the_queue_count():
    # R3 and R4 are 3rd and 4th in the queue but 1st and 2nd at agreement A.
    inst, order, base = baseline_of(
        instance(
            [agreement("A"), agreement("B", arena="B")],
            [
                trainee("T1", [request("R1", ["B"], registered="2025-01-01")]),
                trainee("T2", [request("R2", ["B"], registered="2025-02-01")]),
                trainee("T3", [request("R3", ["A"], registered="2025-03-01")]),
                trainee("T4", [request("R4", ["A"], registered="2025-04-01")]),
            ],
        )
    )
    assert order == ["R1", "R2", "R3", "R4"]
    assert base.assignments["R4"].start > base.assignments["R3"].start
    assert inversions(inst, base, order) == []
