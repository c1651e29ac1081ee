from lisplan.allocation.parse import parse_instance
from lisplan.allocation.priority import priority_order

from .builders import agreement, instance, request, trainee


def order_of(trainees):
    return priority_order(parse_instance(instance([agreement("A", sending="X")], trainees)))


def test_seniority_decides_between_trusts():
    assert order_of(
        [
            trainee("T1", [request("R-late", ["A"], registered="2025-06-01")], home="X"),
            trainee("T2", [request("R-early", ["A"], registered="2025-01-01")], home="Y"),
        ]
    ) == ["R-early", "R-late"]


def test_ties_on_registered_are_broken_by_id():
    assert order_of(
        [
            trainee("T1", [request("R-b", ["A"])], home="X"),
            trainee("T2", [request("R-a", ["A"])], home="Y"),
        ]
    ) == ["R-a", "R-b"]


def test_the_sending_trust_fills_its_own_places_by_rank():
    # X holds places 1 and 3, Y holds place 2; X's rank 1 gets X's first place although
    # registered last, and the unranked request comes after the ranked ones.
    assert order_of(
        [
            trainee("T1", [request("X-old", ["A"], registered="2024-01-01")], home="X"),
            trainee("T2", [request("Y-mid", ["A"], registered="2024-06-01")], home="Y"),
            trainee(
                "T3", [request("X-new", ["A"], registered="2025-01-01")], home="X", sending_rank=1
            ),
        ]
    ) == ["X-new", "Y-mid", "X-old"]


def test_among_equal_rank_and_unranked_registered_decides():
    assert order_of(
        [
            trainee(
                "T1", [request("R1", ["A"], registered="2024-03-01")], home="X", sending_rank=2
            ),
            trainee(
                "T2", [request("R2", ["A"], registered="2024-01-01")], home="X", sending_rank=2
            ),
            trainee("T3", [request("R3", ["A"], registered="2023-01-01")], home="X"),
            trainee("T4", [request("R4", ["A"], registered="2022-01-01")], home="X"),
            trainee(
                "T5", [request("R5", ["A"], registered="2025-01-01")], home="X", sending_rank=1
            ),
        ]
    ) == ["R5", "R2", "R1", "R4", "R3"]
