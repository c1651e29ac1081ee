from .builders import agreement, baseline_of, instance, request, trainee


def plan_of(agreements, trainees, **options):
    return baseline_of(instance(agreements, trainees, **options))[2]


def starts_of(agreements, trainees, **options):
    from .builders import starts

    return starts(plan_of(agreements, trainees, **options))


def test_queue_order_decides_who_waits():
    assert starts_of(
        [agreement("A")],
        [
            trainee("T1", [request("R1", ["A"], registered="2025-02-01")]),
            trainee("T2", [request("R2", ["A"], registered="2025-01-01")]),
        ],
    ) == {"R2": ("A", "2027-01"), "R1": ("A", "2027-07")}


def test_sending_rank_overrides_seniority_within_a_trust():
    assert starts_of(
        [agreement("A")],
        [
            trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
            trainee("T2", [request("R2", ["A"], registered="2025-02-01")], sending_rank=1),
        ],
    ) == {"R2": ("A", "2027-01"), "R1": ("A", "2027-07")}


def test_start_months_and_first_acceptable_agreement_in_the_same_month():
    assert starts_of(
        [
            agreement("A", start_months=[3]),
            agreement("B", arena="B"),
            agreement("C", arena="C", start_months=[2]),
        ],
        [
            trainee("T1", [request("R1", ["A"])]),
            trainee("T2", [request("R2", ["C", "B"], desired="2027-02")]),
        ],
    ) == {"R1": ("A", "2027-03"), "R2": ("C", "2027-02")}


def test_prerequisites_approved_or_expected():
    ag = agreement("A", capacity=3, prerequisites=["G1"])
    assert starts_of(
        [ag],
        [
            trainee("T1", [request("R1", ["A"])], approved_goals=["G1"]),
            trainee("T2", [request("R2", ["A"])], expected_goals={"G1": "2027-04"}),
            trainee("T3", [request("R3", ["A"])]),
        ],
    ) == {"R1": ("A", "2027-01"), "R2": ("A", "2027-04"), "R3": None}


def test_unavailable_months_are_avoided():
    assert starts_of(
        [agreement("A", duration=3)],
        [
            trainee(
                "T1", [request("R1", ["A"])], unavailable=[{"from": "2027-02", "to": "2027-05"}]
            ),
        ],
    ) == {"R1": ("A", "2027-06")}


def test_after_chain_waits_and_is_considered_right_after_its_request():
    # R-second is first in the queue but waits for R-first; once R-first is placed, R-second
    # is considered before R-other, which follows R-first in the queue.
    ags = [agreement("A", duration=3, capacity=5), agreement("B", arena="B", duration=6)]
    result = starts_of(
        ags,
        [
            trainee(
                "T1",
                [
                    request("R-second", ["B"], registered="2024-01-01", after="R-first"),
                    request("R-first", ["A"], registered="2025-01-01"),
                ],
            ),
            trainee("T2", [request("R-other", ["B"], registered="2025-06-01")]),
        ],
    )
    assert result == {
        "R-first": ("A", "2027-01"),
        "R-second": ("B", "2027-04"),
        "R-other": ("B", "2027-10"),
    }


def test_a_chain_is_unassigned_when_its_first_request_is():
    plan = plan_of(
        [agreement("A", duration=6), agreement("B", arena="B")],
        [
            trainee(
                "T1", [request("R1", ["A"], latest_end="2027-03"), request("R2", ["B"], after="R1")]
            ),
        ],
    )
    assert plan.assignments == {}
    assert "latest_end 2027-03" in plan.unassigned["R1"].reason
    assert "after request R1" in plan.unassigned["R2"].reason


def test_arena_capacity_binds_across_agreements():
    arenas = [{"id": "AR", "institution": "R", "capacity": 1}]
    assert starts_of(
        [agreement("A", capacity=1), agreement("B", capacity=1)],
        [
            trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
            trainee("T2", [request("R2", ["B"], registered="2025-02-01")]),
        ],
        arenas=arenas,
    ) == {"R1": ("A", "2027-01"), "R2": ("B", "2027-07")}


def test_agreement_capacity_binds_below_arena_capacity():
    assert starts_of(
        [agreement("A", capacity=2)],
        [
            trainee(f"T{i}", [request(f"R{i}", ["A"], registered=f"2025-01-0{i}")])
            for i in range(1, 4)
        ],
    ) == {"R1": ("A", "2027-01"), "R2": ("A", "2027-01"), "R3": ("A", "2027-07")}


def test_occupied_periods_use_capacity():
    occupied = [{"agreement": "A", "trainee": "T-old", "from": "2026-10", "to": "2027-03"}]
    assert starts_of(
        [agreement("A")], [trainee("T1", [request("R1", ["A"])])], occupied=occupied
    ) == {"R1": ("A", "2027-04")}


def test_a_later_request_fills_a_gap_before_an_earlier_one():
    assert starts_of(
        [agreement("A", duration=3)],
        [
            trainee("T1", [request("R1", ["A"], desired="2027-04", registered="2025-01-01")]),
            trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
        ],
    ) == {"R1": ("A", "2027-04"), "R2": ("A", "2027-01")}


def test_a_trainees_own_periods_do_not_overlap():
    assert starts_of(
        [agreement("A", capacity=2), agreement("B", arena="B")],
        [
            trainee("T1", [request("R1", ["A"]), request("R2", ["B"], registered="2025-02-01")]),
        ],
    ) == {"R1": ("A", "2027-01"), "R2": ("B", "2027-07")}


def test_unassigned_reasons_a_coordinator_can_act_on():
    plan = plan_of(
        [
            agreement("A"),
            agreement("W", arena="B", sending="OTHER"),
            agreement("N", arena="C", valid_to="2027-03"),
        ],
        [
            trainee("T1", [request("R1", ["A"])], permanent=False),
            trainee("T2", [request("R2", ["W"])]),
            trainee("T3", [request("R3", ["A"], registered="2024-01-01")]),
            trainee("T4", [request("R4", ["A"], latest_end="2027-09")]),
            trainee("T5", [request("R5", ["N"])]),
        ],
    )
    assert plan.assignments.keys() == {"R3"}
    assert "not permanent" in plan.unassigned["R1"].reason
    assert "home S" in plan.unassigned["R2"].reason
    assert "no capacity before latest_end 2027-09" in plan.unassigned["R4"].reason
    assert "no start month" in plan.unassigned["R5"].reason


def test_the_horizon_limits_the_end():
    assert starts_of(
        [agreement("A", duration=12)],
        [
            trainee("T1", [request("R1", ["A"])]),
            trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
        ],
        horizon=24,
    ) == {"R1": ("A", "2027-01"), "R2": ("A", "2028-01")}
