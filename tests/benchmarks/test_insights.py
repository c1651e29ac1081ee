"""Benchmark of the regional coordinator's insight dashboard (`/innsikt/`, issue 14): the demo
(`lisplan demo --trainees N`) and one harvest (for «endring siden forrige innhøsting»), then the
median and 95th percentile wall time of the page over `LISPLAN_BENCH_RUNS` runs (default 7,
after one warm-up) and the number of SQL queries, which must not grow with N.

    LISPLAN_BENCH_SIZES=7000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/h14 \\
        .venv/bin/pytest tests/benchmarks/test_insights.py -s

Target: under 500 ms at 7,000 trainees on PostgreSQL. The figures are in docs/performance.md
(«Innsikt»)."""

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lisplan.accounts.models import User
from lisplan.demo.generator import DEFAULT_SEED
from lisplan.insights import services
from lisplan.insights.models import Harvest

pytestmark = pytest.mark.django_db

SIZES = tuple(int(n) for n in os.environ.get("LISPLAN_BENCH_SIZES", "700").split(","))
RUNS = int(os.environ.get("LISPLAN_BENCH_RUNS", "7"))


def test_regional_dashboard():
    results = []
    for n in SIZES:
        # the whole demo (`lisplan demo`): plans, progress summaries, IUPs, register, allocation
        with open(os.devnull, "w") as quiet:
            call_command("demo", trainees=n, seed=DEFAULT_SEED, force=True, stdout=quiet)
        Harvest.objects.all().delete()
        h = Harvest.objects.create(date=timezone.localdate())
        t = time.perf_counter()
        services.freeze(h)
        Harvest.objects.filter(pk=h.pk).update(status=Harvest.Status.DONE)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # as autovacuum does after the harvest's inserts
                cursor.execute("ANALYZE")
        freeze_s = time.perf_counter() - t
        client = Client()
        client.force_login(User.objects.get(username="regional_coordinator"))
        assert client.get("/innsikt/").status_code == 200  # warm-up
        times = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get("/innsikt/")
                times.append(time.perf_counter() - t)
            assert response.status_code == 200
        queries = len(ctx.captured_queries)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results.append((n, queries, statistics.median(times), p95, freeze_s))
    print(f"\n{connection.vendor}: leger | spørringer | median | p95 | innhøsting (frys)")
    for n, q, med, p95, fr in results:
        print(f"{n} | {q} | {med * 1000:.0f} ms | {p95 * 1000:.0f} ms | {fr:.1f} s")
    assert len({q for _n, q, *_r in results}) == 1, "queries grow with the number of trainees"
