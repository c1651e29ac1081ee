"""Allocation engine benchmark (not part of the normal run).

    .venv/bin/pytest tests/benchmarks/test_allocation.py -q -s

Selects the grid with ALLOCATION_BENCH_SIZES (default 2500,7000,14000),
ALLOCATION_BENCH_DELTAS (default 0,3,6,12) and ALLOCATION_BENCH_TIME_LIMIT (seconds per
solve, default 300). Each run appends one JSON line to var/benchmarks/allocation.jsonl and
prints a Markdown table row for docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import pytest

from lisplan.allocation.baseline import queue_baseline
from lisplan.allocation.generate import generate
from lisplan.allocation.metrics import metrics
from lisplan.allocation.optimise import optimise
from lisplan.allocation.parse import parse_instance
from lisplan.allocation.priority import priority_order
from lisplan.allocation.validate import inversions, violations

SIZES = [int(n) for n in os.environ.get("ALLOCATION_BENCH_SIZES", "2500,7000,14000").split(",")]
DELTAS = [int(d) for d in os.environ.get("ALLOCATION_BENCH_DELTAS", "0,3,6,12").split(",")]
TIME_LIMIT = float(os.environ.get("ALLOCATION_BENCH_TIME_LIMIT", "300"))
OUT = Path(os.environ.get("ALLOCATION_BENCH_OUT", "var/benchmarks/allocation.jsonl"))
SEED = 1


@pytest.mark.parametrize("delta", DELTAS)
@pytest.mark.parametrize("trainees", SIZES)
def test_allocation(trainees: int, delta: int) -> None:
    inst = parse_instance(generate(trainees, seed=SEED, max_delay_months=delta))
    began = time.monotonic()
    order = priority_order(inst)
    base = queue_baseline(inst, order)
    baseline_seconds = time.monotonic() - began
    outcome = optimise(inst, base, TIME_LIMIT, order=order)
    found = inversions(inst, outcome.plan, order)

    assert violations(inst, outcome.plan, base) == []
    assert outcome.objective <= outcome.baseline_objective + 1e-6
    assert outcome.bound is None or outcome.bound <= outcome.objective + 1e-6

    row = {
        "trainees": trainees, "requests": len(inst.requests), "delta": delta, "seed": SEED,
        "time_limit": TIME_LIMIT, "baseline_seconds": round(baseline_seconds, 2),
        "solve_seconds": round(outcome.seconds, 1), "variables": outcome.columns,
        "constraints": outcome.rows, "parts": outcome.parts, "source": outcome.source, "status": outcome.status,
        "baseline": metrics(inst, base), "optimised": metrics(inst, outcome.plan),
        "objective": outcome.objective, "baseline_objective": outcome.baseline_objective,
        "lp_bound": outcome.lp_bound, "bound": outcome.bound, "gap": outcome.gap,
        "inversions": len(found), "machine": f"{platform.machine()} {os.cpu_count()} cores",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
    print("\n" + markdown_row(row))


def markdown_row(row: dict) -> str:
    b, o = row["baseline"], row["optimised"]
    gap = "–" if row["gap"] is None else f"{row['gap']:.2%}"
    return (f"| {row['trainees']} | {row['requests']} | {row['delta']} | "
            f"{row['solve_seconds']} | {row['status']} | "
            f"{b['unassigned']} → {o['unassigned']} | "
            f"{b['total_wait_months']} → {o['total_wait_months']} | "
            f"{b['mean_wait_months']:.2f} → {o['mean_wait_months']:.2f} | "
            f"{b['p95_wait_months']} → {o['p95_wait_months']} | "
            f"{b['max_wait_months']} → {o['max_wait_months']} | "
            f"{b['share_within_3_months']:.1%} → {o['share_within_3_months']:.1%} | "
            f"{b['utilisation']:.1%} → {o['utilisation']:.1%} | "
            f"{row['objective']:.0f} | {row['bound'] or 0:.0f} | {gap} | {row['inversions']} |")
