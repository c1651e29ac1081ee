"""The run page reads a constant number of queries however many priority inversions (and
agreements named in them) the result reports: each agreement's name (`str`: specialty,
sending and receiving) comes with it (tests/benchmarks/test_new_pages.py measured 10 more
queries per agreement before)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lisplan.allocation import services
from lisplan.allocation.models import AllocationRun
from lisplan.rotations import services as rotations
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(world, register, immediate_tasks) -> AllocationRun:
    run = services.start_run(
        actor=world.users["regional_coordinator"],
        region=world.unn.region,
        max_delay_months=3,
        time_limit=5,
    )
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE
    return run


def _inversions(run: AllocationRun, register, agreements: list) -> None:
    first, second = register.requests[0], register.requests[1]
    month = register.first.strftime("%Y-%m")
    result = dict(run.result)
    result["priority_inversions"] = [
        {
            "before": f"R-{first.pk}",
            "after": f"R-{second.pk}",
            "month": month,
            "agreement": f"A-{a.pk}",
        }
        for a in agreements
    ]
    AllocationRun.objects.filter(pk=run.pk).update(result=result)


def _queries(client, run) -> tuple[int, str]:
    analysis = {"fane": "analyse"}  # the tab with the inversions
    client.get(reverse("allocation:run", args=[run.pk]), analysis)  # warm (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("allocation:run", args=[run.pk]), analysis)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_run_page_queries_do_not_grow_with_inversions(client, world, register, done):
    client.force_login(world.users["planner"])
    _inversions(done, register, [register.agreement])
    one, html = _queries(client, done)
    assert str(register.agreement) in html
    others = []
    for i in range(4):
        specialty = f.SpecialtyFactory()
        receiving = f.InstitutionFactory()
        others.append(
            rotations.agreement_create(
                actor=world.users["local_coordinator"],
                sending=world.unn,
                receiving=receiving,
                specialty=specialty,
                duration_months=6,
                capacity=1 + i,
                valid_from=dt.date(2024, 1, 1),
            )
        )
    _inversions(done, register, [register.agreement, *others])
    five, html = _queries(client, done)
    for agreement in others:
        assert str(agreement) in html
    assert five == one
