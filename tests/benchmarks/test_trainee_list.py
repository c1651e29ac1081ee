"""Benchmark of the trainee list (not a timed unit test; excluded from the normal run).

Builds the demo region with 700 and then 7,000 trainees on the test database and, for four
personas, measures one page of the trainee list through the query function
(`trainee_list` + Django's Paginator), the page `/leger/` and the API `GET /api/v1/trainees`:
queries per page (must be the same at 700 and 7,000 trainees) and the median wall time.

    .venv/bin/pytest tests/benchmarks/test_trainee_list.py -s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lisplan_bench \\
        .venv/bin/pytest tests/benchmarks/test_trainee_list.py -s

With LISPLAN_BENCH_WRITE=1 the results table replaces this database's block in the
`## Trainee list` section of docs/performance.md; otherwise it is only printed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import django
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from lisplan.accounts.models import ApiToken, User
from lisplan.demo.generator import DEFAULT_SEED, load_demo
from lisplan.organisations.models import Institution
from lisplan.trainees.queries import TraineeFilters, trainee_list

pytestmark = pytest.mark.django_db

SIZES = tuple(int(n) for n in os.environ.get("LISPLAN_BENCH_SIZES", "700,7000").split(","))
PERSONAS = ("regional_coordinator", "local_coordinator", "leader", "admin")
PAGE_SIZE = 50
RUNS = int(os.environ.get("LISPLAN_BENCH_RUNS", "7"))
API_PATH = "/api/v1/trainees"
DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"


@dataclass(frozen=True)
class Case:
    label: str
    q: str = ""
    specialty: str | None = None
    permanent: bool | None = None
    unn: bool = False  # filter on the employer UNN
    middle: bool = False  # the middle page instead of page 1

    def filters(self, unn_id: int) -> TraineeFilters:
        return TraineeFilters(
            q=self.q,
            specialty=self.specialty,
            permanent=self.permanent,
            institution=unn_id if self.unn else None,
        )

    def params(self, unn_id: int, page: int) -> dict:
        out = {"page": page}
        if self.q:
            out["q"] = self.q
        if self.specialty:
            out["specialty"] = self.specialty
        if self.unn:
            out["institution"] = unn_id
        return out


CASES = (
    Case("side 1"),
    Case("midterste side", middle=True),
    Case("søk «sen»", q="sen"),
    Case("filter UNN + ORT", specialty="ORT", unn=True),
)


@dataclass
class Row:
    surface: str
    persona: str
    case: str
    n: int
    visible: int
    queries: int
    median_ms: float


def _fresh(user):
    user.__dict__.pop("_lisplan_grants", None)  # grants are cached per request (user object)
    return user


def _measure(run) -> tuple[int, float]:
    run()  # warm up
    with CaptureQueriesContext(connection) as ctx:
        run()
    queries = len(ctx.captured_queries)  # now: the next request clears the log
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(times)


# The URL configuration may not (yet) have the page or the API; measure what exists.
_URL_ERRORS = (NoReverseMatch, Resolver404, ImproperlyConfigured, ImportError)


def _ui_url() -> str | None:
    try:
        return reverse("trainees:list")
    except _URL_ERRORS as exc:
        print(f"\n/leger/ hoppes over: {exc!r}")
        return None


def _api_url() -> str | None:
    try:
        resolve(API_PATH)
    except _URL_ERRORS as exc:
        print(f"\n{API_PATH} hoppes over: {exc!r}")
        return None
    return API_PATH


def _measure_size(n: int) -> tuple[list[Row], float]:
    built = load_demo(trainees=n, seed=DEFAULT_SEED, force=True)
    unn_id = Institution.objects.get(code="UNN").pk
    ui, api = _ui_url(), _api_url()
    rows: list[Row] = []
    for persona in PERSONAS:
        user = User.objects.get(username=persona)
        client = Client()
        client.force_login(user)
        _token, raw = ApiToken.issue(user, "benchmark")
        for case in CASES:
            visible = trainee_list(_fresh(user), case.filters(unn_id)).count()
            pages = max(1, -(-visible // PAGE_SIZE))
            page = (pages + 1) // 2 if case.middle else 1

            def query_page(case=case, page=page, user=user):
                qs = trainee_list(_fresh(user), case.filters(unn_id))
                list(Paginator(qs, PAGE_SIZE).get_page(page).object_list)

            queries, ms = _measure(query_page)
            rows.append(Row("trainee_list()", persona, case.label, n, visible, queries, ms))
            params = case.params(unn_id, page)
            if ui:

                def get_ui(params=params, client=client):
                    response = client.get(ui, params)
                    assert response.status_code == 200, response.status_code

                queries, ms = _measure(get_ui)
                rows.append(Row("GET /leger/", persona, case.label, n, visible, queries, ms))
            if api:

                def get_api(params=params, raw=raw, visible=visible):
                    response = Client().get(
                        api,
                        {**params, "page_size": PAGE_SIZE},
                        headers={"Authorization": f"Bearer {raw}"},
                    )
                    assert response.status_code == 200, response.status_code
                    assert response.json()["count"] == visible

                queries, ms = _measure(get_api)
                rows.append(
                    Row("GET /api/v1/trainees", persona, case.label, n, visible, queries, ms)
                )
    return rows, built.seconds


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    db = connection.vendor
    if db == "sqlite":
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
    return (
        f"{cpu}, {os.cpu_count()} kjerner (delt med andre prosesser), "
        f"Python {platform.python_version()}, Django {django.get_version()}, {db}"
    )


def _table(rows: list[Row], build: dict[int, float]) -> str:
    small, large = SIZES
    by_key = {(r.surface, r.persona, r.case, r.n): r for r in rows}
    lines = [
        f"Målt {dt.date.today():%d.%m.%Y} på {_machine()}; median av {RUNS} kjøringer, "
        f"{PAGE_SIZE} per side. Demodata bygd på "
        + ", ".join(f"{build[n]:.1f} s ({n:,} leger)".replace(",", "\u00a0") for n in SIZES)
        + " i testdatabasen.",
        "",
        f"| flate | persona | side | synlige ({large}) | spørringer ({small} / {large}) "
        f"| median ms ({small} / {large}) |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        if r.n != large:
            continue
        s = by_key[(r.surface, r.persona, r.case, small)]
        lines.append(
            f"| {r.surface} | {r.persona} | {r.case} | {r.visible} | "
            f"{s.queries} / {r.queries} | {s.median_ms:.1f} / {r.median_ms:.1f} |"
        )
    return "\n".join(lines)


def _write_doc(block: str) -> None:
    """Replace this database's block inside `## Trainee list`, leaving the rest of the file."""
    vendor = connection.vendor
    start, end = f"<!-- trainee-list:{vendor} -->", f"<!-- /trainee-list:{vendor} -->"
    marked = f"{start}\n{block}\n{end}"
    text = (
        DOC.read_text(encoding="utf-8")
        if DOC.exists()
        else ("# Ytelse\n\nMålinger av lisplan; hver seksjon eies av området den måler.\n")
    )
    if start in text and end in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: marked, text, flags=re.S
        )
    else:
        if "## Trainee list" not in text:
            text = text.rstrip("\n") + "\n\n## Trainee list\n"
        head, _sep, tail = text.partition("## Trainee list")
        nxt = tail.find("\n## ")
        body, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
        title = "PostgreSQL" if vendor == "postgresql" else "SQLite"
        text = (
            f"{head}## Trainee list{body.rstrip()}\n\n### Resultater ({title})\n\n{marked}\n{rest}"
        )
    DOC.write_text(text, encoding="utf-8")


def test_trainee_list_benchmark():
    rows: list[Row] = []
    build: dict[int, float] = {}
    for n in SIZES:
        measured, build[n] = _measure_size(n)
        rows += measured
    table = _table(rows, build)
    print("\n" + table)
    if os.environ.get("LISPLAN_BENCH_WRITE") == "1":
        _write_doc(table)
    small, large = SIZES
    counts: dict[tuple, dict[int, int]] = {}
    for r in rows:
        counts.setdefault((r.surface, r.persona, r.case), {})[r.n] = r.queries
    changed = {k: v for k, v in counts.items() if v[small] != v[large]}
    assert not changed, f"queries per page depend on the number of trainees: {changed}"
