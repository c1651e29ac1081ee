from lisplan.allocation.baseline import queue_baseline
from lisplan.allocation.generate import generate
from lisplan.allocation.metrics import objective
from lisplan.allocation.optimise import build_model, optimise, parts
from lisplan.allocation.parse import parse_instance
from lisplan.allocation.priority import priority_order
from lisplan.allocation.validate import inversions, violations

from .builders import agreement, baseline_of, instance, m, request, starts, trainee


def solved(document, time_limit=10.0):
    inst, order, base = baseline_of(document)
    return inst, order, base, optimise(inst, base, time_limit, order=order)


def assert_sound(inst, order, base, outcome):
    assert violations(inst, outcome.plan, base) == []
    assert outcome.objective <= outcome.baseline_objective + 1e-6
    assert outcome.lp_bound is not None
    assert outcome.lp_bound <= outcome.objective + 1e-6
    assignable = set(build_model(inst, base, order).by_request)
    assert abs(objective(inst, outcome.plan, order, assignable) - outcome.objective) < 1e-6


def test_with_no_delay_a_second_agreement_lets_both_start_at_once():
    inst, order, base, outcome = solved(
        instance(
            [agreement("A"), agreement("B", arena="B")],
            [
                trainee("T1", [request("R1", ["A", "B"], registered="2025-01-01")]),
                trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
            ],
        )
    )
    assert starts(base) == {"R1": ("A", "2027-01"), "R2": ("A", "2027-07")}
    assert starts(outcome.plan) == {"R1": ("B", "2027-01"), "R2": ("A", "2027-01")}
    assert outcome.source == "optimised" and outcome.objective < outcome.baseline_objective
    assert_sound(inst, order, base, outcome)


def test_with_no_delay_nobody_starts_later_than_in_the_baseline():
    inst, order, base, outcome = solved(
        instance(
            [agreement("A", duration=3)],
            [
                trainee("T1", [request("R1", ["A"], registered="2025-01-01", desired="2027-01")]),
                trainee("T2", [request("R2", ["A"], registered="2025-02-01", desired="2027-01")]),
                trainee("T3", [request("R3", ["A"], registered="2025-03-01", desired="2027-01")]),
            ],
        )
    )
    for request_id, placed in base.assignments.items():
        assert outcome.plan.assignments[request_id].start <= placed.start
    assert_sound(inst, order, base, outcome)


def test_a_delay_lets_a_long_waiter_go_first_and_the_inversion_is_reported():
    # R1 (first in the queue) takes the only 12-month slot from 2027-01, R2 can only start in
    # 2027-01 (latest_end) and is lost in the baseline. With Δ = 12, R1 yields and R2 is placed.
    document = instance(
        [agreement("A", duration=12)],
        [
            trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
            trainee("T2", [request("R2", ["A"], registered="2025-02-01", latest_end="2027-12")]),
        ],
        delta=12,
        horizon=36,
    )
    inst, order, base, outcome = solved(document)
    assert base.unassigned.keys() == {"R2"}
    assert starts(outcome.plan) == {"R1": ("A", "2028-01"), "R2": ("A", "2027-01")}
    assert inversions(inst, outcome.plan, order)[0].before == "R1"
    assert_sound(inst, order, base, outcome)

    document["policy"]["max_delay_months"] = 11
    inst, order, base, outcome = solved(document)
    assert outcome.source == "baseline" or starts(outcome.plan) == starts(base)
    assert_sound(inst, order, base, outcome)


def test_chains_and_trainee_overlap_hold_in_the_optimum():
    inst, order, base, outcome = solved(
        instance(
            [agreement("A", duration=3, capacity=1), agreement("B", arena="B", duration=3)],
            [
                trainee(
                    "T1",
                    [
                        request("R1", ["A"], registered="2025-03-01"),
                        request("R2", ["B", "A"], registered="2025-01-01", after="R1"),
                    ],
                ),
                trainee("T2", [request("R3", ["A", "B"], registered="2025-02-01")]),
                trainee("T3", [request("R4", ["B"], registered="2025-04-01")]),
            ],
            delta=3,
        )
    )
    assert_sound(inst, order, base, outcome)
    r1, r2 = outcome.plan.assignments["R1"], outcome.plan.assignments["R2"]
    assert r2.start >= r1.start + 3


def test_a_generated_region_is_improved_within_the_rules():
    inst = parse_instance(generate(300, seed=5, max_delay_months=3))
    order = priority_order(inst)
    base = queue_baseline(inst, order)
    outcome = optimise(inst, base, 20.0, order=order)
    assert_sound(inst, order, base, outcome)
    assert outcome.objective < outcome.baseline_objective
    assert outcome.bound is not None and outcome.bound <= outcome.objective + 1e-6


def test_no_time_still_gives_a_valid_plan():
    inst = parse_instance(generate(300, seed=5, max_delay_months=3))
    base = queue_baseline(inst)
    outcome = optimise(inst, base, time_limit=0.0)
    assert violations(inst, outcome.plan, base) == []
    assert outcome.objective <= outcome.baseline_objective + 1e-6


def test_nothing_to_decide():
    inst, order, base, outcome = solved(
        instance([agreement("A")], [trainee("T1", [request("R1", ["A"])], permanent=False)])
    )
    assert outcome.source == "baseline" and outcome.columns == 0
    assert outcome.plan.unassigned.keys() == {"R1"}


def test_model_has_one_column_per_feasible_start_in_the_window():
    inst, order, base = baseline_of(
        instance(
            [agreement("A", start_months=[1, 4, 7, 10])],
            [
                trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
                trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
            ],
            delta=3,
        )
    )
    model = build_model(inst, base, order)
    by_request = {
        r: sorted(model.columns[c].start for c in cols) for r, cols in model.by_request.items()
    }
    assert by_request == {
        "R1": [m("2027-01"), m("2027-04")],
        "R2": [m("2027-01"), m("2027-04"), m("2027-07"), m("2027-10")],
    }


def test_parts_split_only_what_shares_no_arena_and_no_trainee():
    inst, order, base = baseline_of(
        instance(
            [
                agreement("A"),
                agreement("B", arena="B"),
                agreement("C", arena="C"),
                agreement("D", arena="B"),
            ],
            [
                trainee("T1", [request("R1", ["A"]), request("R2", ["B"])]),
                trainee("T2", [request("R3", ["D"])]),  # shares arena B with T1
                trainee("T3", [request("R4", ["C"])]),
            ],
        )
    )
    assert sorted(sorted(p) for p in parts(inst, base, order)) == [["R1", "R2", "R3"], ["R4"]]
    outcome = optimise(inst, base, 5.0, order=order)
    assert outcome.parts == 2


def test_the_time_limit_is_respected():
    inst = parse_instance(generate(1500, seed=3, max_delay_months=12))
    base = queue_baseline(inst)
    outcome = optimise(inst, base, time_limit=0.5)
    assert outcome.seconds < 10  # model building (about 1 s) is not interruptible
    assert violations(inst, outcome.plan, base) == []
