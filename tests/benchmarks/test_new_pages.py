"""Benchmark of the pages and endpoints that landed without one (not a timed unit test;
excluded from the normal run): education plans (IUP), the combined «Til signering» page,
allocation runs, the progress web import (dry run) and the calendar feed.

Builds the full demo (`lisplan demo --trainees N`: register, implementation plans, progress,
education plans, one finished allocation run) with 2,500 and then 7,000 trainees on the test
database and, for the persona that sees the most on each surface, measures the number of SQL
queries per request (must be the same at both sizes) and the median and 95th percentile of the
wall time over `LISPLAN_BENCH_RUNS` runs (default 7, after one warm-up).

    .venv/bin/pytest tests/benchmarks/test_new_pages.py -s
    LISPLAN_BENCH_WRITE=1 .venv/bin/pytest tests/benchmarks/test_new_pages.py -s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lisplan_bench LISPLAN_BENCH_WRITE=1 \\
        .venv/bin/pytest tests/benchmarks/test_new_pages.py -s

With LISPLAN_BENCH_WRITE=1 the table replaces this database's block in the
`## New pages (IUP, signing, allocation, import, calendar)` section of docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lisplan.accounts.access import scope_filter
from lisplan.accounts.models import ApiToken, User
from lisplan.demo.generator import DEFAULT_SEED, load_demo

pytestmark = pytest.mark.django_db

SIZES = tuple(int(n) for n in os.environ.get("LISPLAN_BENCH_SIZES", "2500,7000").split(","))
RUNS = int(os.environ.get("LISPLAN_BENCH_RUNS", "7"))
IMPORT_TRAINEES = 100  # the import file: two activity rows for each of 100 trainees
DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
SECTION = "## New pages (IUP, signing, allocation, import, calendar)"
MARK = "new-pages"


@dataclass
class Row:
    label: str
    persona: str
    n: int
    rows: int  # how much the persona sees on this surface (trainees, revisions, proposals …)
    queries: int
    median_ms: float
    p95_ms: float
    kb: float


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def _measure(run: Callable) -> tuple[int, float, float, float]:
    response = run()  # warm up (and check)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as ctx:
        run()
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    size = len(response.content) / 1024 if not response.streaming else 0.0
    return queries, statistics.median(times), _p95(times), size


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _api(raw: str, path: str, params: dict | None = None):
    return Client().get(path, params or {}, headers={"Authorization": f"Bearer {raw}"})


def _build(n: int) -> dict[str, float]:
    from lisplan.allocation.demo import load_allocation_demo
    from lisplan.iup.demo import clear_iup_demo, load_iup_demo
    from lisplan.progress.demo import load_progress_demo

    today = timezone.localdate()
    out = {}
    started = time.perf_counter()
    clear_iup_demo()
    load_demo(trainees=n, seed=DEFAULT_SEED, force=True, today=today)
    out["demo"] = time.perf_counter() - started
    out["progress"] = load_progress_demo(seed=DEFAULT_SEED, today=today).seconds
    out["iup"] = load_iup_demo(seed=DEFAULT_SEED, today=today).seconds
    run = load_allocation_demo()
    assert run.run is not None and run.run.status == "done", run.run and run.run.status
    out["allocation"] = run.seconds
    from lisplan.demo.bulk import analyze_all

    analyze_all()  # as `lisplan demo` does: statistics for every table it filled
    return out


def _import_file(user: User) -> bytes:
    from lisplan.progress.upload import scope
    from lisplan.trainees.models import Trainee

    hprs = list(
        scope(user)
        .exclude(hpr_number="")
        .order_by("pk")
        .values_list("hpr_number", flat=True)[:IMPORT_TRAINEES]
    )
    assert len(hprs) == IMPORT_TRAINEES, len(hprs)
    assert Trainee.objects.filter(hpr_number__in=hprs).count() == IMPORT_TRAINEES
    day = (timezone.localdate() - dt.timedelta(days=30)).strftime("%d.%m.%Y")
    lines = [
        "hpr;type;dato;til_dato;læringsmål;status;vurdering;godkjent_av;kurs;beskrivelse;"
        "timer;antall;referent;deltakere"
    ]
    for hpr in hprs:
        lines.append(f"{hpr};legevakt;{day};;;;;;;;;4;;")
        lines.append(f"{hpr};vurderingskollegium;{day};;;;;;;;;;;UAO, leder, veileder")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cases(n: int) -> list[tuple[str, str, int, Callable]]:
    """(label, persona, how much the persona sees, request)."""
    from lisplan.allocation.models import AllocationRun
    from lisplan.iup import queries as iup_queries
    from lisplan.iup.models import EducationPlan, Revision
    from lisplan.notifications import calendar
    from lisplan.plans import pages as plan_pages
    from lisplan.trainees.models import Trainee

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=(
                "regional_coordinator",
                "local_coordinator",
                "planner",
                "leader",
                "education_lead",
            )
        )
    }
    regional, local, planner, leader = (
        users[k] for k in ("regional_coordinator", "local_coordinator", "planner", "leader")
    )
    rc, lc, pl, le = _client(regional), _client(local), _client(planner), _client(leader)
    el = _client(users["education_lead"])
    _t, raw_rc = ApiToken.issue(regional, "benchmark")
    _t, raw_pl = ApiToken.issue(planner, "benchmark")

    revisions = scope_filter(regional, "iup.view", Revision.objects.all())
    trainees = scope_filter(regional, "iup.view", Trainee.objects.all())
    # the trainee with the most revisions, and the newest revision of a plan with the most
    # revisions
    busiest = EducationPlan.objects.annotate(n=Count("revisions")).order_by("-n", "pk").first()
    newest = busiest.revisions.order_by("-number").first()
    # a later revision with the most meetings (it is compared with the one before), else that
    # newest one
    signed = (
        Revision.objects.filter(number__gt=1)
        .annotate(m=Count("meetings"))
        .order_by("-m", "pk")
        .first()
    ) or newest
    run = AllocationRun.objects.filter(demo=True, status="done").latest("pk")
    proposals = run.proposals.count()
    _feed, token = calendar.feed_issue(actor=leader, user=leader)
    feed_url = reverse("notifications:calendar_feed", args=[token])
    events = len(calendar.events_for(leader))
    data = _import_file(local)

    def post_import():
        r = lc.post(reverse("progress:import"), {"file": SimpleUploadedFile("eksport.csv", data)})
        assert r.context["report"].ok, r.context["report"].errors[:3]
        return r

    local_trainees = scope_filter(local, "iup.report", Trainee.objects.all()).count()
    return [
        (
            "GET /utdanningsplaner/lege/<id>/ (flest revisjoner)",
            "regional_coordinator",
            busiest.revisions.count(),
            lambda: rc.get(reverse("iup:trainee", args=[busiest.trainee_id])),
        ),
        (
            "GET /utdanningsplaner/revisjon/<id>/ (nr. > 1, flest møter)",
            "regional_coordinator",
            signed.meetings.count(),
            lambda: rc.get(reverse("iup:revision", args=[signed.pk])),
        ),
        (
            "GET /utdanningsplaner/revisjon/<id>/pdf/",
            "regional_coordinator",
            signed.meetings.count(),
            lambda: rc.get(reverse("iup:pdf", args=[signed.pk])),
        ),
        (
            "GET /utdanningsplaner/arbeidsliste/",
            "regional_coordinator",
            trainees.count(),
            lambda: rc.get(reverse("iup:work_list")),
        ),
        (
            "GET /utdanningsplaner/arbeidsliste/?status=all",
            "regional_coordinator",
            trainees.count(),
            lambda: rc.get(reverse("iup:work_list"), {"status": "all"}),
        ),
        (
            "GET /utdanningsplaner/arbeidsliste/",
            "local_coordinator",
            local_trainees,
            lambda: lc.get(reverse("iup:work_list")),
        ),
        (
            "GET /utdanningsplaner/kompletthet/",
            "regional_coordinator",
            trainees.count(),
            lambda: rc.get(reverse("iup:report")),
        ),
        (
            "GET /utdanningsplaner/kompletthet/",
            "local_coordinator",
            local_trainees,
            lambda: lc.get(reverse("iup:report")),
        ),
        (
            "GET /utdanningsplaner/maler/",
            "education_lead",
            1,
            lambda: el.get(reverse("iup:templates")),
        ),
        (
            "GET /api/v1/education-plans",
            "regional_coordinator",
            revisions.count(),
            lambda: _api(raw_rc, "/api/v1/education-plans"),
        ),
        (
            "GET /api/v1/education-plans/<id>",
            "regional_coordinator",
            signed.meetings.count(),
            lambda: _api(raw_rc, f"/api/v1/education-plans/{signed.pk}"),
        ),
        (
            "GET /planer/til-signering/",
            "leader",
            iup_queries.awaiting_my_signature(leader).count()
            + plan_pages.awaiting_my_signature(leader).count(),
            lambda: le.get(reverse("plans:to_sign")),
        ),
        (
            "GET /fordeling/",
            "planner",
            AllocationRun.objects.count(),
            lambda: pl.get(reverse("allocation:runs")),
        ),
        (
            "GET /fordeling/<id>/",
            "regional_coordinator",
            proposals,
            lambda: rc.get(reverse("allocation:run", args=[run.pk])),
        ),
        (
            "GET /fordeling/<id>/",
            "planner",
            proposals,
            lambda: pl.get(reverse("allocation:run", args=[run.pk])),
        ),
        (
            "GET /fordeling/<id>/?show=later&apage=2",
            "planner",
            proposals,
            lambda: pl.get(
                reverse("allocation:run", args=[run.pk]), {"show": "later", "apage": 2, "ipage": 2}
            ),
        ),
        (
            "GET /api/v1/allocation-runs/<id>/result",
            "planner",
            proposals,
            lambda: _api(raw_pl, f"/api/v1/allocation-runs/{run.pk}/result"),
        ),
        (
            f"POST /progresjon/import/ ({2 * IMPORT_TRAINEES} rader, tørrkjøring)",
            "local_coordinator",
            2 * IMPORT_TRAINEES,
            post_import,
        ),
        (
            "GET /varsler/kalender/<hemmelighet>.ics",
            "leader",
            events,
            lambda: Client().get(feed_url),
        ),
    ]


def _size(n: int, tmp: Path) -> tuple[list[Row], dict[str, float]]:
    build = _build(n)
    rows = []
    with override_settings(VAR_DIR=tmp):
        for label, persona, seen, run in _cases(n):
            queries, median, p95, kb = _measure(run)
            rows.append(Row(label, persona, n, seen, queries, median, p95, kb))
            print(f"{n:>5} {label} [{persona}] {queries} q, {median:.0f} ms", flush=True)
    return rows, build


def _machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version} (i minnet)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} kjerner, {db}, belastning ved slutt {load}"


def _table(rows: list[Row], builds: dict[int, dict[str, float]]) -> str:
    small, large = SIZES
    by_key = {(r.label, r.persona, r.n): r for r in rows}
    lines = [
        f"Målt {timezone.localdate():%d.%m.%Y} på {_machine()}; median og p95 av {RUNS} "
        "kjøringer etter én oppvarming. Demodata: "
        + "; ".join(
            f"{n:,} leger".replace(",", "\u00a0")
            + " "
            + ", ".join(f"{k} {v:.0f} s" for k, v in b.items())
            for n, b in builds.items()
        )
        + ".",
        "",
        f"| forespørsel | persona | omfang ({small} / {large}) | spørringer ({small} / {large}) "
        f"| median ms ({small} / {large}) | p95 ms ({small} / {large}) | kB ({large}) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        if r.n != large:
            continue
        s = by_key[(r.label, r.persona, small)]
        lines.append(
            f"| {r.label} | {r.persona} | {s.rows} / {r.rows} | "
            f"{s.queries} / {r.queries} | {s.median_ms:.0f} / {r.median_ms:.0f} | "
            f"{s.p95_ms:.0f} / {r.p95_ms:.0f} | {r.kb:.0f} |"
        )
    return "\n".join(lines)


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


def test_new_pages_benchmark(tmp_path):
    rows: list[Row] = []
    builds: dict[int, dict[str, float]] = {}
    for n in SIZES:
        measured, builds[n] = _size(n, tmp_path)
        rows += measured
    table = _table(rows, builds)
    print("\n" + table)
    if os.environ.get("LISPLAN_BENCH_WRITE") == "1":
        _write_doc(table)
    small, large = SIZES
    by_key = {(r.label, r.persona, r.n): r for r in rows}
    changed = {
        (r.label, r.persona): (by_key[(r.label, r.persona, small)].queries, r.queries)
        for r in rows
        if r.n == large and r.queries != by_key[(r.label, r.persona, small)].queries
    }
    assert not changed, f"queries per request depend on the number of trainees: {changed}"
