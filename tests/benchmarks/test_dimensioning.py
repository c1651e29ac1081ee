"""Dimensioning engine benchmark (not part of the normal run).

    .venv/bin/pytest tests/benchmarks/test_dimensioning.py -q -s

The national size: 46 specialties × 4 regions, base 2026 → target 2044, 1,000 Monte Carlo
draws over four uncertain parameters (demand growth, exit-rate factor, completion rate, imports),
plus the projection, the balance-year intake, the smooth path and the tornado — one
`engine.run()` call, as a run does. The bar is 20 s (recorded, and asserted: the engine is
vectorised and far below it). Appends one JSON line to var/benchmarks/dimensioning.jsonl and
prints a Markdown row for docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from pathlib import Path

from lisplan.dimensioning.engine import run
from lisplan.dimensioning.engine.generate import generate_input

BAR_SECONDS = 20.0
DRAWS = int(os.environ.get("DIMENSIONING_BENCH_DRAWS", "1000"))


def test_monte_carlo_national_size():
    doc = generate_input(specialties=46, seed=1)
    started = time.perf_counter()
    result = run(doc, draws=DRAWS, seed=1)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result["checks"]["closed"] and result["checks"]["montecarlo_consistent"]
    assert len(result["required_intake"]) == 46 * 4
    assert all("p10" in r for r in result["required_intake"])
    row = {
        "benchmark": "dimensioning",
        "specialties": 46,
        "regions": 4,
        "draws": DRAWS,
        "years": 19,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    out = Path("var/benchmarks")
    out.mkdir(parents=True, exist_ok=True)
    with (out / "dimensioning.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    print(f"\n| 46 × 4 | {DRAWS} | {seconds:.1f} s | {peak_mb:.0f} MB | bar 20 s |")
    assert seconds < BAR_SECONDS
