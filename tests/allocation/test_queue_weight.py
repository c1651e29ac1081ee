"""The queue-order weight of the objective as a region's policy setting (decision 0004)."""

from __future__ import annotations

import pytest

from lisplan.allocation.engine import solve
from lisplan.allocation.metrics import QUEUE_WEIGHT, objective

from .builders import agreement, baseline_of, instance, request, trainee


def two_for_one_slot() -> dict:
    # One capacity-1 agreement, three-month periods, two requests that both want 2027-01:
    # one waits 3 months whichever goes first. Equal cost except the queue order term.
    return instance(
        [agreement("A", duration=3)],
        [
            trainee("T1", [request("R1", ["A"], registered="2025-01-01")]),
            trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
        ],
        delta=6,
    )


def test_default_weight_is_the_documented_constant():
    result = solve(two_for_one_slot(), time_limit=5.0)
    assert result.queue_weight == QUEUE_WEIGHT == 0.01
    assert result.document()["queue_weight"] == 0.01


@pytest.mark.parametrize("weight", [0.0, 0.01, 0.5, 1.0])
def test_the_weight_enters_the_objective(weight):
    inst, order, base = baseline_of(two_for_one_slot())
    result = solve(two_for_one_slot(), time_limit=5.0, queue_weight=weight)
    # The first in the queue starts first, and the objective counts the waiting of the
    # second (3 months: w(3) = 6) plus the weight times its position share (1/2) per month.
    assert result.plan.assignments["R1"].start < result.plan.assignments["R2"].start
    assert result.outcome.objective == pytest.approx(6 + 3 * weight * 0.5)
    assert objective(inst, result.plan, order, {"R1", "R2"}, weight) == pytest.approx(
        result.outcome.objective
    )


@pytest.mark.parametrize("weight", [-0.1, 1.5, float("nan")])
def test_weights_outside_0_to_1_are_refused(weight):
    with pytest.raises(ValueError, match="queue weight must be between 0.0 and 1.0"):
        solve(two_for_one_slot(), time_limit=5.0, queue_weight=weight)
