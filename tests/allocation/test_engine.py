import copy

import pytest

from lisplan.allocation.engine import solve
from lisplan.allocation.generate import generate
from lisplan.allocation.parse import InvalidFile, parse_instance
from lisplan.allocation.validate import violations

from .builders import agreement, instance, request, trainee


def test_solve_reports_progress_and_returns_the_result_document():
    document = instance(
        [agreement("A"), agreement("B", arena="B")],
        [
            trainee("T1", [request("R1", ["A", "B"], registered="2025-01-01")]),
            trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
        ],
    )
    untouched = copy.deepcopy(document)
    seen = []
    result = solve(
        document,
        max_delay=2,
        time_limit=5.0,
        progress=lambda fraction, message: seen.append((fraction, message)),
    )
    assert document == untouched
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in seen)
    assert any("queue baseline" in m for _, m in seen)
    assert result.instance.max_delay_months == 2
    out = result.document()
    assert out["format"] == "lisplan-allocation-result/1"
    assert {a["request"]: a["agreement"] for a in out["assignments"]} == {"R1": "B", "R2": "A"}
    assert out["lower_bound"]["total_wait_months"] == 0
    assert out["lower_bound"]["placed"] == 2
    assert out["max_delay_months"] == 2


def test_solve_takes_an_instance_and_leaves_it_alone():
    inst = parse_instance(generate(300, seed=2, max_delay_months=3))
    result = solve(inst, max_delay=6, time_limit=10.0)
    assert inst.max_delay_months == 3 and result.instance.max_delay_months == 6
    assert violations(result.instance, result.plan, result.baseline) == []
    assert result.seconds < 30


def test_solve_rejects_a_bad_document_with_paths():
    with pytest.raises(InvalidFile) as caught:
        solve({"format": "lisplan-allocation/1", "arenas": 3}, time_limit=1.0)
    assert any(e.path == "$.arenas" for e in caught.value.errors)
