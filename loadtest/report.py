"""Summarise a load-test run: p50/p95/p99 per group, requests/s, errors (issue #18).

python loadtest/report.py var/loadtest.jsonl SECONDS [RSS] [WORKER_CPU_SECONDS] [LOADAVG]
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict


def pct(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    path, seconds = sys.argv[1], float(sys.argv[2])
    rss = sys.argv[3] if len(sys.argv) > 3 else "?"
    cpu = float(sys.argv[4]) if len(sys.argv) > 4 else None
    load = sys.argv[5] if len(sys.argv) > 5 else "?"
    groups: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    names: dict[str, list[float]] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            groups[r["group"]].append(r["ms"])
            names[r["name"]].append(r["ms"])
            errors[r["group"]] += r["error"]
    pages_api = [ms for g, v in groups.items() if g != "login" for ms in v]
    print("| gruppe | forespørsler | req/s | p50 ms | p95 ms | p99 ms | feil |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for g in sorted(groups) + ["sider og API (uten innlogging)"]:
        v = groups.get(g, pages_api)
        e = errors[g] if g in groups else sum(n for k, n in errors.items() if k != "login")
        print(
            f"| {g} | {len(v)} | {len(v) / seconds:.1f} | {pct(v, 50):.0f} | "
            f"{pct(v, 95):.0f} | {pct(v, 99):.0f} | {e} |"
        )
    total = sum(len(v) for v in groups.values())
    print(
        f"\nVarighet {seconds:.0f} s, arbeidsprosessenes RSS ved slutt: {rss}; "
        f"maskinens belastning (1/5/15 min) ved slutt: {load}."
    )
    if cpu is not None and total:
        print(
            f"Arbeidsprosessene brukte {cpu:.1f} CPU-sekunder på {total} forespørsler: "
            f"{1000 * cpu / total:.0f} ms CPU per forespørsel i snitt, dvs. plass til "
            f"≈ {2 * total / cpu:.0f} forespørsler/s på to ledige kjerner."
        )
    print("\n| forespørsel | antall | p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, v in sorted(names.items(), key=lambda kv: -pct(kv[1], 95))[:25]:
        print(f"| `{name}` | {len(v)} | {pct(v, 50):.0f} | {pct(v, 95):.0f} |")


if __name__ == "__main__":
    main()
