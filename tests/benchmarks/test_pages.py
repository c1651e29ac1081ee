"""Every page reachable from each role's start page, timed in-process against the login page.

The secondary check for issue #18. The issue's bar (15 × the login page) is defined over HTTP
through gunicorn, where the login page is ≈ 8 ms; that is `scripts/pagebench`
(loadtest/pagebench.py), which owns the `start-pages` table in docs/performance.md. Here, with
Django's test client in the same process, the login page is ≈ 3 ms, so 15 × would be a much
stricter bar than the issue's: the ratios are printed but only growth, size, 5xx and the stored
PDF fail the test. This one needs no server, also runs on SQLite, and is quicker when fixing
one page.

Not a unit test (excluded from the normal run). Builds the full demo (`lisplan demo`'s steps)
with 700 and then 7,000 trainees on the test database; for each of the eight demo logins it
opens the start page, follows every same-site link on it (the cards, the task list and the
navigation, one level deep; the same link pattern once), and times each page: the median of
`LISPLAN_BENCH_RUNS` (default 5) after one warm-up. The anonymous login page is timed the same
way in the same run, and every page is reported as a ratio to it — on a shared two-core machine
the absolute times move with the other processes, the ratios much less. A signed education
plan's PDF is timed as a stored download (the first request renders and stores it).

It fails when a page's ratio to the login page grows more than `MAX_GROWTH` (2) × from the
smallest to the largest size, or a page is over 150 kB. Ratios are to the login page timed
right after each run of the page (`_paired`), so the two share the machine's load of the
moment: on a shared two-core machine the load moves by several times within minutes, and a
trivial page measured at a busier moment must not read as growth. A stored
PDF must be within 5 × the login page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h18 LISPLAN_BENCH_WRITE=1 \\
        .venv/bin/pytest tests/benchmarks/test_pages.py -s -o addopts=""

`LISPLAN_BENCH_PERSONAS=trainee,leader` times only those logins (to check one fix; the table
is then not written to the docs). With LISPLAN_BENCH_WRITE=1 the table replaces this database's
`start-pages-in-process` block in the `### Sider fra startsiden` section of docs/performance.md.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from lisplan.accounts.models import User
from loadtest.pagebench import MAX_GROWTH, MAX_KB, MAX_PDF_RATIO, MAX_RATIO, links, pattern

pytestmark = pytest.mark.django_db

SIZES = tuple(int(n) for n in os.environ.get("LISPLAN_BENCH_SIZES", "700,7000").split(","))
RUNS = int(os.environ.get("LISPLAN_BENCH_RUNS", "5"))
PERSONAS = tuple(
    os.environ.get("LISPLAN_BENCH_PERSONAS", "").split(",")
    if os.environ.get("LISPLAN_BENCH_PERSONAS")
    else (
        "trainee",
        "supervisor",
        "leader",
        "education_lead",
        "local_coordinator",
        "regional_coordinator",
        "planner",
        "admin",
    )
)
DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
SECTION = "### Sider fra startsiden"
MARK = "start-pages-in-process"


@dataclass
class Row:
    persona: str
    page: str  # the pattern
    n: int
    median_ms: float
    kb: float
    status: int
    login_ms: float = 0.0  # the login page, timed between the runs of this page

    @property
    def ratio(self) -> float:
        return self.median_ms / self.login_ms


def _timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    response = run()
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return (time.perf_counter() - started) * 1000, response


def _median(run) -> tuple[float, object]:
    response = run()  # warm up
    times = []
    for _ in range(RUNS):
        ms, response = _timed(run)
        times.append(ms)
    return statistics.median(times), response


_ANONYMOUS = Client()


def _login_page():
    return _ANONYMOUS.get(reverse("login"))


def _paired(run) -> tuple[float, float, object]:
    """(median ms of the page, median ms of the login page timed right after each run of it,
    last response): the two share the machine's load of the moment, so their ratio is
    steadier than either time on a shared machine."""
    response = run()  # warm up
    page, login = [], []
    for _ in range(RUNS):
        ms, response = _timed(run)
        page.append(ms)
        login.append(_timed(_login_page)[0])
    return statistics.median(page), statistics.median(login), response


def _build(n: int) -> float:
    from tests.benchmarks.test_new_pages import _build as build

    started = time.perf_counter()
    build(n)
    return time.perf_counter() - started


def _stored_pdf(n: int) -> tuple[float, str]:
    """The trainee persona's (or else any) signed education plan, downloaded as a stored PDF."""
    from lisplan.iup.models import Revision, Status

    rev = (
        Revision.objects.filter(
            status=Status.SIGNED, plan__trainee__user__username="trainee"
        ).first()
        or Revision.objects.filter(status=Status.SIGNED).order_by("pk").first()
    )
    assert rev is not None
    c = Client()
    c.force_login(User.objects.get(username="admin"))
    url = reverse("iup:pdf", args=[rev.pk])
    first = c.get(url)
    assert first.status_code == 200
    median, login, _response = _paired(lambda: c.get(url))
    return median / login, f"GET /iup/…/pdf (lagret, revisjon {rev.pk})"


def _size(n: int) -> tuple[list[Row], float, float, float]:
    build = _build(n)
    rows: list[Row] = []
    login_ms, _r = _median(_login_page)
    for persona in PERSONAS:
        c = Client()
        c.force_login(User.objects.get(username=persona))
        start_ms, start_login, response = _paired(lambda c=c: c.get("/"))
        assert response.status_code == 200
        rows.append(Row(persona, "/", n, start_ms, len(response.content) / 1024, 200, start_login))
        seen = {"/"}
        for href in links(response.content.decode()):
            key = pattern(href)
            if key in seen:
                continue
            seen.add(key)
            ms, login, page = _paired(lambda c=c, href=href: c.get(href))
            size = 0.0 if getattr(page, "streaming", False) else len(page.content) / 1024
            rows.append(Row(persona, key, n, ms, size, page.status_code, login))
            print(
                f"{n:>5} {persona:<21} {key:<50} {page.status_code} {ms:7.0f} ms "
                f"{ms / login:5.1f}× {size:6.0f} kB",
                flush=True,
            )
    pdf_ms, _label = _stored_pdf(n)
    return rows, login_ms, pdf_ms, build


def _machine() -> str:
    from tests.benchmarks.test_new_pages import _machine as machine

    return machine()


def _table(rows, login, pdf, builds) -> str:
    small, large = SIZES
    by_key = {(r.persona, r.page, r.n): r for r in rows}
    lines = [
        f"Målt {timezone.localdate():%d.%m.%Y} på {_machine()}; median av {RUNS} kjøringer etter "
        "én oppvarming, Djangos testklient i samme prosess (ingen nettverk). Innloggingssiden: "
        + ", ".join(f"{login[n]:.1f} ms ({n} leger)" for n in SIZES)
        + ". Lagret IUP-PDF: "
        + ", ".join(f"{pdf[n]:.1f}× innloggingssiden ({n})" for n in SIZES)
        + ". Demodata bygd på "
        + ", ".join(f"{builds[n]:.0f} s ({n})" for n in SIZES)
        + ".",
        "",
        f"| persona | side | status | median ms ({small} / {large}) | × innlogging ({small} / "
        f"{large}) | vekst | kB ({large}) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        if r.n != large:
            continue
        s = by_key.get((r.persona, r.page, small))
        if s is None:
            lines.append(
                f"| {r.persona} | `{r.page}` | {r.status} | – / {r.median_ms:.0f} | "
                f"– / {r.ratio:.1f} | – | {r.kb:.0f} |"
            )
            continue
        lines.append(
            f"| {r.persona} | `{r.page}` | {r.status} | {s.median_ms:.0f} / {r.median_ms:.0f} | "
            f"{s.ratio:.1f} / {r.ratio:.1f} | {_growth(s, r):.1f} | {r.kb:.0f} |"
        )
    return "\n".join(lines)


def _growth(small: Row, large: Row) -> float:
    """How much the page grew from the small to the large size, as ratios to the login page
    timed beside it (so a busier machine at one size does not read as growth); a page under
    1 × the login page counts as 1 ×."""
    return max(large.ratio, 1.0) / max(small.ratio, 1.0)


def _write_doc(block: str) -> None:
    from tests.benchmarks import test_new_pages

    old = (test_new_pages.SECTION, test_new_pages.MARK)
    test_new_pages.SECTION, test_new_pages.MARK = SECTION, MARK
    try:
        test_new_pages._write_doc(block)
    finally:
        test_new_pages.SECTION, test_new_pages.MARK = old


def test_pages_from_every_start_page(tmp_path):
    rows: list[Row] = []
    login: dict[int, float] = {}
    pdf: dict[int, float] = {}
    builds: dict[int, float] = {}
    with override_settings(MEDIA_ROOT=tmp_path / "media", VAR_DIR=tmp_path):
        for n in SIZES:
            measured, login[n], pdf[n], builds[n] = _size(n)
            rows += measured
    table = _table(rows, login, pdf, builds)
    print("\n" + table)
    if os.environ.get("LISPLAN_BENCH_WRITE") == "1" and not os.environ.get(
        "LISPLAN_BENCH_PERSONAS"
    ):
        _write_doc(table)
    small, large = SIZES
    by_key = {(r.persona, r.page, r.n): r for r in rows}
    errors = [f"{r.persona} {r.page}: status {r.status}" for r in rows if r.status >= 500]
    # Reported, not asserted: 15 × is the bar over HTTP (scripts/pagebench).
    slow = [
        f"{r.persona} {r.page}: {r.median_ms:.0f} ms = {r.ratio:.1f}× the login page"
        for r in rows
        if r.n == large and r.ratio > MAX_RATIO
    ]
    if slow:
        print(f"Over {MAX_RATIO:.0f}× the in-process login page:\n  " + "\n  ".join(slow))
    grows = []
    for r in rows:
        s = by_key.get((r.persona, r.page, small))
        if r.n == large and s is not None and _growth(s, r) > MAX_GROWTH:
            grows.append(f"{r.persona} {r.page}: {s.ratio:.1f}× → {r.ratio:.1f}× the login page")
    big = [f"{r.persona} {r.page}: {r.kb:.0f} kB" for r in rows if r.n == large and r.kb > MAX_KB]
    pdf_slow = (
        [f"stored PDF {pdf[large]:.1f}× the login page"] if pdf[large] > MAX_PDF_RATIO else []
    )
    assert not (errors or grows or big or pdf_slow), "\n".join(errors + grows + big + pdf_slow)
