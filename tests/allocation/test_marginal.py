"""«One more place at X would place N»: the marginal analysis on instances where N is known."""

from __future__ import annotations

from lisplan.allocation.engine import solve
from lisplan.allocation.marginal import analyse, candidates, part_instance
from lisplan.allocation.optimise import parts

from .builders import agreement, instance, m, request, trainee


def _crowded(n: int, ident: str, capacity: int = 1, duration: int = 3) -> tuple[dict, list]:
    """Agreement `ident` with `capacity` places of `duration` months, and n trainees who all
    must finish by 2027-06: each place holds 6 // duration of them."""
    doc = agreement(ident, arena=f"AR-{ident}", capacity=capacity, duration=duration)
    people = [
        trainee(
            f"{ident}-T{i}",
            [
                request(
                    f"{ident}-R{i}",
                    [ident],
                    registered=f"2025-01-{i + 1:02d}",
                    latest_end="2027-06",
                )
            ],
        )
        for i in range(n)
    ]
    return doc, people


def _solved(agreements, trainees, delta=0):
    result = solve(instance(agreements, trainees, delta=delta), time_limit=20.0)
    return result, analyse(result.instance, result.plan, result.order, time_limit=20.0)


def test_one_more_place_places_as_many_as_fit_in_it_and_says_when():
    # A: 1 place, 3-month periods, all must end by 2027-06: 2 fit, 4 ask → 2 without a place;
    # one more place holds both. B: 1 place of 6 months, 3 ask → one more place places 1.
    a, a_people = _crowded(4, "A", duration=3)
    b, b_people = _crowded(3, "B", duration=6)
    result, found = _solved([a, b], a_people + b_people)
    assert len(result.plan.unassigned) == 2 + 2
    by_id = {x.agreement: x for x in found.agreements}
    assert set(by_id) == {"A", "B"}
    assert (by_id["A"].waiting, by_id["A"].extra) == (2, 2)
    assert (by_id["B"].waiting, by_id["B"].extra) == (2, 1)
    assert (by_id["A"].first, by_id["A"].last) == (m("2027-01"), m("2027-06"))
    assert (by_id["B"].first, by_id["B"].last) == (m("2027-01"), m("2027-06"))
    assert all(x.proven for x in found.agreements)
    assert found.complete
    # Most waiting first (a tie: by id).
    assert [x.agreement for x in found.agreements] == ["A", "B"]
    assert found.document()["agreements"][0] == {
        "agreement": "A",
        "waiting": 2,
        "extra": 2,
        "first": "2027-01",
        "last": "2027-06",
        "proven": True,
    }


def test_a_place_the_trainee_cannot_use_places_nobody():
    # T has two requests that must both end by 2027-06 (6 months each): she can do one. Both
    # agreements are free; the other one is named by a request without a place, but one more
    # place there places nobody (the trainee is busy), and the answer says so (0).
    people = [
        trainee(
            "T",
            [
                request("R1", ["L"], registered="2025-01-01", latest_end="2027-06"),
                request("R2", ["M"], registered="2025-01-02", latest_end="2027-06"),
            ],
        )
    ]
    result, found = _solved(
        [agreement("L", arena="AL", duration=6), agreement("M", arena="AM", duration=6)], people
    )
    assert len(result.plan.unassigned) == 1
    (only,) = found.agreements
    assert only.waiting == 1 and only.extra == 0 and only.first is None


def test_requests_no_place_can_help_are_not_candidates():
    # Not permanent (rule 1) and no start month before latest_end: no agreement to analyse.
    people = [
        trainee("T1", [request("R1", ["A"])], permanent=False),
        trainee("T2", [request("R2", ["A"], latest_end="2027-03")]),  # 6 months do not fit
    ]
    result, found = _solved([agreement("A", duration=6)], people)
    assert len(result.plan.unassigned) == 2
    assert candidates(result.instance, result.plan) == {}
    assert found.agreements == [] and found.complete


def test_the_extra_place_counts_in_the_arena_too():
    # Two agreements share arena X with 1 place in all: one more place in A is also one more
    # at the unit, so the request waiting for A is placed.
    a = agreement("A", arena="X", duration=6)
    b = agreement("B", arena="X", duration=6, sending="S")
    people = [
        trainee("T1", [request("R1", ["B"], registered="2025-01-01", latest_end="2027-06")]),
        trainee("T2", [request("R2", ["A"], registered="2025-01-02", latest_end="2027-06")]),
    ]
    doc = instance([a, b], people, arenas=[{"id": "X", "institution": "R", "capacity": 1}])
    result = solve(doc, time_limit=10.0)
    assert set(result.plan.unassigned) == {"R2"}
    found = analyse(result.instance, result.plan, result.order, time_limit=10.0)
    assert [(x.agreement, x.extra) for x in found.agreements] == [("A", 1)]


def test_a_part_is_solved_alone_and_out_of_time_is_reported():
    a, a_people = _crowded(4, "A", duration=3)
    b, b_people = _crowded(3, "B", duration=6)
    result = solve(instance([a, b], a_people + b_people), time_limit=10.0)
    inst = result.instance
    groups = parts(inst, result.baseline, result.order)
    assert len(groups) == 2
    sub = part_instance(inst, next(g for g in groups if "A-R0" in g))
    assert set(sub.requests) == {f"A-R{i}" for i in range(4)}
    assert set(sub.agreements) == {"A"} and set(sub.arenas) == {"AR-A"}
    late = analyse(inst, result.plan, result.order, time_limit=0.0)
    assert late.agreements == [] and not late.complete
