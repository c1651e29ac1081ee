"""The strengthened model (odd-cycle inequalities, `optimise._strengthen`): the same integer
optimum as the model without them, and a bound between the plain LP bound and the optimum.
Also the root-node bound: valid, and not below the strengthened LP."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from lisplan.allocation import optimise as opt
from lisplan.allocation.generate import generate
from lisplan.allocation.parse import parse_instance

from .builders import baseline_of
from .test_properties import documents

SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def mip_optimum(model: opt.Model) -> float:
    n = len(model.columns)
    h = opt._highs(opt._highs_lp(model), 30.0)
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, opt.highspy.HighsVarType.kInteger)
    )
    h.run()
    assert h.modelStatusToString(h.getModelStatus()) == "Optimal"
    return h.getInfo().objective_function_value


def plain_and_strengthened(inst, base, order, request_ids=None):
    """The part's model as built, and the same model after LP + odd-cycle separation."""
    shared = opt.Shared.of(inst, order)
    plain = opt.build_model(inst, base, order, request_ids, shared)
    strong = opt.build_model(inst, base, order, request_ids, shared)
    if not strong.columns:
        return plain, strong
    relaxation = opt._highs(opt._highs_lp(strong), 30.0)
    relaxation.run()
    strong.lp_bound = relaxation.getInfo().objective_function_value
    opt._strengthen(strong, relaxation, float("inf"))
    return plain, strong


def check_same_optimum(inst, base, order, request_ids=None) -> int:
    plain, strong = plain_and_strengthened(inst, base, order, request_ids)
    if not plain.columns:
        return 0
    optimum = mip_optimum(plain)
    assert mip_optimum(strong) == pytest.approx(optimum, abs=1e-6)
    assert strong.cut_bound is not None
    assert strong.lp_bound - 1e-6 <= strong.cut_bound <= optimum + 1e-6
    return strong.cuts


def test_an_odd_cycle_at_one_half_is_cut():
    # Five columns in a ring of conflicts (as in a capacity-1 arena with six-month periods:
    # two requests with two starts each and one with one), every x = 1/2: 2.5 > 2.
    model = opt.Model()
    model.columns = [opt.Column("R", "A", s, 6) for s in range(5)]
    for i in range(5):
        model.row(-np.inf, 1, [(i, 1.0), ((i + 1) % 5, 1.0)])
    model.row(-np.inf, 0, [(0, 1.0), (2, -1.0)])  # not a clique row: ignored
    graph = opt.conflict_graph(model)
    assert graph[0] == {1, 4}
    cycles = opt.odd_cycles(graph, np.full(5, 0.5))
    assert [sorted(c) for c in cycles] == [[0, 1, 2, 3, 4]]
    assert opt.odd_cycles(graph, np.array([1.0, 0, 1.0, 0, 0])) == []  # integer: none
    assert opt.odd_cycles(graph, np.full(5, 0.4)) == []  # Σ = 2: not violated


def test_a_closed_walk_is_reduced_to_a_simple_odd_cycle():
    assert opt._simple_odd([1, 2, 3]) == [1, 2, 3]
    assert sorted(opt._simple_odd([1, 2, 3, 1, 4, 5, 6, 7])) in ([1, 2, 3], [1, 4, 5, 6, 7])
    assert len(opt._simple_odd([1, 2, 3, 4, 2, 5, 6])) % 2 == 1


@SOME
@given(documents())
def test_random_instances_keep_their_integer_optimum(document):
    inst, order, base = baseline_of(document)
    check_same_optimum(inst, base, order)


@pytest.mark.parametrize("delta", [6, 12])
def test_generated_region_keeps_its_optimum_and_the_bound_rises(delta):
    # Generated instances (congested, one region) have fractional LPs; their parts are
    # checked one by one: the same integer optimum, a bound between the LP and the optimum.
    inst = parse_instance(generate(400, seed=3, max_delay_months=delta, capacity_scale=0.7))
    _, order, base = baseline_of_inst(inst)
    cuts = sum(check_same_optimum(inst, base, order, part) for part in opt.parts(inst, base, order))
    assert cuts > 0  # the test exercises the cuts


def test_the_optimiser_reports_all_bounds_in_order():
    inst = parse_instance(generate(400, seed=3, max_delay_months=6, capacity_scale=0.7))
    _, order, base = baseline_of_inst(inst)
    outcome = opt.optimise(inst, base, 30.0, order=order)
    assert outcome.status == "Optimal"
    tolerance = 1e-6 * abs(outcome.objective)
    assert outcome.lp_bound <= outcome.cut_bound + tolerance
    assert outcome.cut_bound <= outcome.root_bound + tolerance
    assert outcome.root_bound <= outcome.objective + tolerance
    assert outcome.cuts > 0 and outcome.cut_bound > outcome.lp_bound
    assert outcome.gap_to(outcome.lp_bound) >= outcome.gap_to(outcome.cut_bound) >= 0.0


def baseline_of_inst(inst):
    from lisplan.allocation.baseline import queue_baseline
    from lisplan.allocation.priority import priority_order

    order = priority_order(inst)
    return inst, order, queue_baseline(inst, order)
