"""Allocation engine benchmark (not part of the normal run).

    .venv/bin/pytest tests/benchmarks/test_allocation.py -q -s

The grid: ALLOCATION_BENCH_SIZES (trainees, default 7000 = the country, about 3,000
requests), ALLOCATION_BENCH_LOADS (capacity scale, default 0.7,1.0,1.3: 0.7 is the most
congested), ALLOCATION_BENCH_DELTAS (Δ, default 0,6,12) and ALLOCATION_BENCH_TIME_LIMIT
(seconds per `solve()` call, default 60: the bar). Each run is its own subprocess, so that its
peak memory (ru_maxrss, including the generated instance) is its own. The test fails only if a
plan breaks a rule or the guard, is worse than the baseline by the objective, or a bound is
above what it bounds; the performance bars are recorded beside the numbers ("bars"), not
asserted, since the machine is shared. Each run appends one JSON line to
var/benchmarks/allocation.jsonl and prints a Markdown row for docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

SIZES = [int(n) for n in os.environ.get("ALLOCATION_BENCH_SIZES", "7000").split(",")]
LOADS = [float(x) for x in os.environ.get("ALLOCATION_BENCH_LOADS", "0.7,1.0,1.3").split(",")]
DELTAS = [int(d) for d in os.environ.get("ALLOCATION_BENCH_DELTAS", "0,6,12").split(",")]
TIME_LIMIT = float(os.environ.get("ALLOCATION_BENCH_TIME_LIMIT", "60"))
OUT = Path(os.environ.get("ALLOCATION_BENCH_OUT", "var/benchmarks/allocation.jsonl"))
SEED = 1
GIB = 1024**3


@pytest.mark.parametrize("delta", DELTAS)
@pytest.mark.parametrize("load", LOADS)
@pytest.mark.parametrize("trainees", SIZES)
def test_allocation(trainees: int, load: float, delta: int) -> None:
    args = {"trainees": trainees, "load": load, "delta": delta, "time_limit": TIME_LIMIT}
    done = subprocess.run(
        [sys.executable, __file__, json.dumps(args)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    row = json.loads(done.stdout.splitlines()[-1])

    assert row["violations"] == []
    assert row["objective"] <= row["baseline_objective"] + 1e-6
    assert row["bound"] is None or row["bound"] <= row["objective"] + 1e-6
    assert row["lp_bound"] is None or row["lp_bound"] <= row["objective"] + 1e-6
    for key in ("cut_bound", "root_bound"):  # tighter than the plain LP, still below
        assert row[key] is None or row[key] <= row["objective"] + 1e-6
        assert (
            row[key] is None
            or row["lp_bound"] is None
            or row[key] >= row["lp_bound"] - 1e-6 * max(1.0, abs(row["lp_bound"]))
        )
    assert row["wait_bound"] is None or row["wait_bound"] <= row["optimised"]["total_wait_months"]

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
    print("\n" + markdown_row(row) + "\n" + bars_row(row))


def run(trainees: int, load: float, delta: int, time_limit: float) -> dict:
    """One run, in this (fresh) process."""
    from lisplan.allocation.engine import solve
    from lisplan.allocation.generate import generate
    from lisplan.allocation.metrics import metrics
    from lisplan.allocation.parse import parse_instance
    from lisplan.allocation.validate import violations

    load_before = os.getloadavg()[0]
    inst = parse_instance(
        generate(trainees, seed=SEED, max_delay_months=delta, capacity_scale=load)
    )
    result = solve(inst, time_limit=time_limit)
    outcome = result.outcome
    base, best = metrics(inst, result.baseline), metrics(inst, outcome.plan)
    lp_gap = outcome.gap_to(outcome.lp_bound)
    row = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "trainees": trainees,
        "requests": len(inst.requests),
        "load": load,
        "delta": delta,
        "seed": SEED,
        "time_limit": time_limit,
        "demand_per_position": round(demand_per_position(inst), 3),
        "baseline_seconds": round(result.baseline_seconds, 2),
        "seconds": round(result.seconds, 1),
        "variables": outcome.columns,
        "constraints": outcome.rows,
        "parts": outcome.parts,
        "source": outcome.source,
        "status": outcome.status,
        "baseline": base,
        "optimised": best,
        "baseline_no_capacity": sum(
            u.reason.startswith("no capacity") for u in result.baseline.unassigned.values()
        ),
        "objective": outcome.objective,
        "baseline_objective": outcome.baseline_objective,
        "lp_bound": outcome.lp_bound,
        "bound": outcome.bound,
        "gap": outcome.gap,
        "lp_gap": lp_gap,
        "wait_bound": outcome.wait_bound,
        "cut_bound": outcome.cut_bound,
        "cut_gap": outcome.gap_to(outcome.cut_bound),
        "cuts": outcome.cuts,
        "root_bound": outcome.root_bound,
        "root_gap": outcome.gap_to(outcome.root_bound),
        "inversions": len(result.inversions),
        "violations": [str(v) for v in violations(inst, outcome.plan, result.baseline)],
        "peak_memory_gib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB, 2
        ),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
    }
    row["bars"] = bars(row)
    return row


def demand_per_position(inst) -> float:
    """Requested period-months (each request's first agreement) per free arena position-month
    in the horizon (after the running periods): above 1 not everyone can be placed."""
    demand = sum(
        inst.agreements[r.agreements[0]].duration_months
        for r in inst.requests.values()
        if r.agreements
    )
    months = range(inst.start_month, inst.end_month + 1)
    positions = sum(inst.arenas[a].capacity for a in inst.arenas) * len(months)
    running = sum(
        len(range(max(o.span.first, months.start), min(o.span.last, months[-1]) + 1))
        for o in inst.occupied
    )
    return demand / max(1, positions - running)


def bars(row: dict) -> dict:
    """The issue's bars for this run: True (met), False (missed) or None (does not apply)."""
    b, o = row["baseline"], row["optimised"]
    more_placed = o["assigned"] > b["assigned"]
    return {
        "plan_within_60s": row["seconds"] <= 60,
        "no_worse_than_baseline": o["unassigned"] <= b["unassigned"]
        and (more_placed or o["total_wait_months"] <= b["total_wait_months"]),
        "places_more_at_delta_6": (more_placed or row["baseline_no_capacity"] == 0)
        if row["delta"] >= 6
        else None,
        "lp_gap_within_1pct": None
        if row["delta"] < 6
        else (row["lp_gap"] is not None and row["lp_gap"] <= 0.01),
        "strengthened_lp_gap_within_1pct": None
        if row["delta"] < 6
        else (row["cut_gap"] is not None and row["cut_gap"] <= 0.01),
        "root_gap_within_1pct": None
        if row["delta"] < 6
        else (row["root_gap"] is not None and row["root_gap"] <= 0.01),
        "baseline_under_2s": row["baseline_seconds"] < 2,
        "memory_under_4gib": row["peak_memory_gib"] < 4,
    }


def markdown_row(row: dict) -> str:
    b, o = row["baseline"], row["optimised"]

    def pct(value):
        return "–" if value is None else f"{max(value, 0.0):.2%}"  # -0.00 % is rounding

    return (
        f"| {row['load']} | {row['demand_per_position']:.2f} | {row['delta']} | "
        f"{row['seconds']} | {row['baseline_seconds']} | {row['peak_memory_gib']} | "
        f"{row['status']} | {b['unassigned']} → {o['unassigned']} | "
        f"{b['total_wait_months']} → {o['total_wait_months']} | "
        f"{row['wait_bound'] if row['wait_bound'] is None else int(row['wait_bound'])} | "
        f"{b['p95_wait_months']} → {o['p95_wait_months']} | "
        f"{b['max_wait_months']} → {o['max_wait_months']} | "
        f"{b['share_within_3_months']:.1%} → {o['share_within_3_months']:.1%} | "
        f"{row['objective']:.0f} | {row['lp_bound'] or 0:.0f} | {pct(row['lp_gap'])} | "
        f"{row['cut_bound'] or 0:.0f} | {pct(row['cut_gap'])} | {row['cuts']} | "
        f"{row['root_bound'] or 0:.0f} | {pct(row['root_gap'])} | "
        f"{pct(row['gap'])} | {row['inversions']} | "
        f"{row['load_average'][0]}/{row['load_average'][1]} |"
    )


def bars_row(row: dict) -> str:
    marks = {True: "met", False: "MISSED", None: "n/a"}
    return "bars: " + ", ".join(f"{k} {marks[v]}" for k, v in row["bars"].items())


if __name__ == "__main__":
    print(json.dumps(run(**json.loads(sys.argv[1]))))
