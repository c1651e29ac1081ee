"""Benchmark of the progress overview, the progress page and the progress API (not a timed
unit test; excluded from the normal run).

Builds the demo region with 700 and then 2,500 trainees (with demo progress and cached
summaries) on the test database, and for three personas measures page 1 and a status filter
of the overview `/progresjon/`, the progress page of one trainee, and
`GET /api/v1/trainees/{id}/progress`: queries per request (must be the same at both sizes)
and the median wall time.

    .venv/bin/pytest tests/benchmarks/test_progress.py -s
    LISPLAN_BENCH_WRITE=1 .venv/bin/pytest tests/benchmarks/test_progress.py -s

With LISPLAN_BENCH_WRITE=1 the table replaces this database's block in the `## Progress`
section of docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lisplan.accounts.access import scope_filter
from lisplan.accounts.models import ApiToken, User
from lisplan.demo.generator import DEFAULT_SEED, load_demo
from lisplan.progress.demo import load_progress_demo
from lisplan.trainees.models import Trainee

pytestmark = pytest.mark.django_db

SIZES = tuple(int(n) for n in os.environ.get("LISPLAN_BENCH_SIZES", "700,2500").split(","))
PERSONAS = ("regional_coordinator", "local_coordinator", "leader")
RUNS = int(os.environ.get("LISPLAN_BENCH_RUNS", "5"))
DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"


def _measure(run) -> tuple[int, float]:
    run()
    with CaptureQueriesContext(connection) as ctx:
        run()
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(times)


def _size(n: int):
    today = timezone.localdate()
    started = time.perf_counter()
    load_demo(trainees=n, seed=DEFAULT_SEED, force=True, today=today)
    demo_s = time.perf_counter() - started
    progress = load_progress_demo(seed=DEFAULT_SEED, today=today)
    rows = []
    for persona in PERSONAS:
        user = User.objects.get(username=persona)
        client = Client()
        client.force_login(user)
        _t, raw = ApiToken.issue(user, "benchmark")
        visible = scope_filter(user, "progress.view", Trainee.objects.all())
        one = visible.order_by("pk").first()
        cases = [
            ("GET /progresjon/", lambda c=client: c.get(reverse("progress:overview"))),
            (
                "GET /progresjon/?status=at_risk",
                lambda c=client: c.get(reverse("progress:overview"), {"status": "at_risk"}),
            ),
            (
                "GET /progresjon/<id>/",
                lambda c=client, t=one: c.get(reverse("progress:trainee", args=[t.pk])),
            ),
            (
                "GET /api/v1/trainees/<id>/progress",
                lambda t=one, r=raw: Client().get(
                    f"/api/v1/trainees/{t.pk}/progress", headers={"Authorization": f"Bearer {r}"}
                ),
            ),
        ]
        for label, run in cases:
            assert run().status_code == 200
            queries, ms = _measure(run)
            rows.append((label, persona, n, visible.count(), queries, ms))
    return rows, demo_s, progress.seconds


def _write_doc(block: str) -> None:
    vendor = connection.vendor
    start, end = f"<!-- progress:{vendor} -->", f"<!-- /progress:{vendor} -->"
    marked = f"{start}\n{block}\n{end}"
    text = DOC.read_text(encoding="utf-8")
    if start in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: marked, text, flags=re.S
        )
    elif "## Progress" in text:
        head, _sep, tail = text.partition("## Progress")
        nxt = tail.find("\n## ")
        body, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
        text = f"{head}## Progress{body.rstrip()}\n\n{marked}\n{rest}"
    DOC.write_text(text, encoding="utf-8")


def test_progress_benchmark():
    rows, builds = [], {}
    for n in SIZES:
        measured, demo_s, progress_s = _size(n)
        rows += measured
        builds[n] = (demo_s, progress_s)
    small, large = SIZES
    by_key = {(r[0], r[1], r[2]): r for r in rows}
    lines = [
        f"Målt {dt.date.today():%d.%m.%Y} ({connection.vendor}); median av {RUNS} kjøringer. "
        + "; ".join(
            f"{n} leger: demo {d:.1f} s + progresjonsdemo {p:.1f} s" for n, (d, p) in builds.items()
        )
        + ".",
        "",
        f"| forespørsel | persona | synlige ({large}) | spørringer ({small} / {large}) "
        f"| median ms ({small} / {large}) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for label, persona, n, visible, queries, ms in rows:
        if n != large:
            continue
        s = by_key[(label, persona, small)]
        lines.append(
            f"| {label} | {persona} | {visible} | {s[4]} / {queries} | {s[5]:.0f} / {ms:.0f} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    if os.environ.get("LISPLAN_BENCH_WRITE") == "1":
        _write_doc(table)
    changed = [
        (r[0], r[1]) for r in rows if r[2] == large and r[4] != by_key[(r[0], r[1], small)][4]
    ]
    assert not changed, f"queries depend on the number of trainees: {changed}"
