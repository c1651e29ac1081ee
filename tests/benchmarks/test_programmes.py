"""Benchmark: «where can this goal be reached» at national demo size (not a timed unit test;
excluded from the normal run).

Builds the demo (`lisplan demo --trainees N`, default 7,000; programme plans from
`programmes.demo`) on the test database and, as the regional coordinator, asks for every goal
that any published plan or valid agreement covers: the API (`/api/v1/learning-goals/{code}/
places`, for the region and for the whole country) and the by-goal page; then the coverage
endpoint for every course with a published plan, the region map and the gap report. Reports the
number of SQL queries per request (constant) and the median, 95th percentile and maximum wall
time. «Where» answers must come in under 300 ms (95th percentile asserted, maximum reported).

    .venv/bin/pytest tests/benchmarks/test_programmes.py -s
    LISPLAN_BENCH_TRAINEES=700 .venv/bin/pytest tests/benchmarks/test_programmes.py -s
    LISPLAN_BENCH_WRITE=1 .venv/bin/pytest tests/benchmarks/test_programmes.py -s

With LISPLAN_BENCH_WRITE=1 the table replaces this database's block in the
`## Programme plans and coverage` section of docs/performance.md.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lisplan.accounts.models import ApiToken, User
from lisplan.demo.generator import DEFAULT_SEED, load_demo

pytestmark = pytest.mark.django_db

TRAINEES = int(os.environ.get("LISPLAN_BENCH_TRAINEES", "7000"))
LIMIT_MS = 300
DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
SECTION = "## Programme plans and coverage"
MARK = "programmes"


@dataclass
class Row:
    label: str
    requests: int
    queries: str
    median_ms: float
    p95_ms: float
    max_ms: float


def _measure(label: str, client: Client, urls: list[str], headers=None) -> Row:
    times, queries = [], set()
    client.get(urls[0], headers=headers or {})  # warm-up
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, headers=headers or {})
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(ctx.captured_queries))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    q = f"{min(queries)}–{max(queries)}" if len(queries) > 1 else str(queries.pop())
    return Row(label, len(urls), q, statistics.median(times), p95, times[-1])


def _write_doc(block: str) -> None:
    vendor = connection.vendor
    start, end = f"<!-- {MARK}:{vendor} -->", f"<!-- /{MARK}:{vendor} -->"
    marked = f"{start}\n{block}\n{end}"
    text = DOC.read_text(encoding="utf-8")
    if start in text and end in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: marked, text, flags=re.S
        )
    else:
        if SECTION not in text:
            text = text.rstrip("\n") + f"\n\n{SECTION}\n"
        head, _sep, tail = text.partition(SECTION)
        nxt = tail.find("\n## ")
        body, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
        title = "PostgreSQL" if vendor == "postgresql" else "SQLite"
        text = f"{head}{SECTION}{body.rstrip()}\n\n### Resultater ({title})\n\n{marked}\n{rest}"
    DOC.write_text(text, encoding="utf-8")


@override_settings(AXES_ENABLED=False)
def test_where_can_this_goal_be_reached():
    from lisplan.programmes import queries
    from lisplan.programmes.demo import load_programme_demo
    from lisplan.programmes.models import ProgrammePlan, Status

    today = timezone.localdate()
    started = time.perf_counter()
    load_demo(trainees=TRAINEES, seed=DEFAULT_SEED, force=True, today=today)
    demo_s = time.perf_counter() - started
    programmes = load_programme_demo(seed=DEFAULT_SEED, today=today)

    user = User.objects.get(username="regional_coordinator")
    _, token = ApiToken.issue(user, name="bench")
    api = Client()
    bearer = {"Authorization": f"Bearer {token}"}
    page = Client()
    page.force_login(user)
    codes = sorted({p.goal for p in queries.places(region="NORD")})
    assert codes
    courses = list(
        ProgrammePlan.objects.filter(status=Status.PUBLISHED).values_list(
            "institution_id", "specialty__code"
        )
    )
    rows = [
        _measure(
            "API: hvor kan målet nås (regionen)",
            api,
            [f"/api/v1/learning-goals/{c}/places?region=NORD&page_size=200" for c in codes],
            bearer,
        ),
        _measure(
            "API: hvor kan målet nås (hele landet)",
            api,
            [f"/api/v1/learning-goals/{c}/places?page_size=200" for c in codes],
            bearer,
        ),
        _measure(
            "Side: hvor kan målet nås (regionen)",
            page,
            [f"/dekning/laeringsmal/{c}/?region=NORD" for c in codes],
        ),
        _measure(
            "API: dekning og mangler per utdanningsløp",
            api,
            [f"/api/v1/coverage?institution={i}&specialty={s}" for i, s in courses],
            bearer,
        ),
        _measure("Side: dekningskart for regionen", page, ["/dekning/?region=NORD"] * 5),
        _measure(
            "Side: rapport over mangler (regionen)", page, ["/dekning/mangler/?region=NORD"] * 5
        ),
    ]
    lines = [
        f"{TRAINEES:,} leger".replace(",", "\u00a0")
        + f" (demo {demo_s:.0f} s), {programmes.published} publiserte og "
        f"{programmes.drafts} utkast til utdanningsplaner, {len(codes)} læringsmål med steder, "
        f"{len(courses)} utdanningsløp; {connection.vendor}, "
        f"{timezone.localtime():%Y-%m-%d}.",
        "",
        "| Hva | Forespørsler | Spørringer per forespørsel | Median (ms) | 95-persentil (ms) "
        "| Maks (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.label} | {r.requests} | {r.queries} | {r.median_ms:.0f} | "
            f"{r.p95_ms:.0f} | {r.max_ms:.0f} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    if os.environ.get("LISPLAN_BENCH_WRITE") == "1":
        _write_doc(table)
    for r in rows[:3]:  # the maximum is reported; on a shared machine one outlier can exceed it
        assert r.p95_ms < LIMIT_MS, f"{r.label}: {r.p95_ms:.0f} ms (95th percentile)"
