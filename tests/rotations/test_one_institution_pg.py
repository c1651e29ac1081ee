"""«Ønsker ved ett foretak om gangen» under a race: two real, overlapping transactions on
PostgreSQL (each thread its own connection) register wishes for the same trainee at two
different receiving institutions. `request_create` / `request_register_wish` lock the trainee's
row (`select_for_update`) before checking, so the second waits for the first to commit, then
sees its wish and is refused; never are both saved.

SQLite has one writer at a time and no row locks, so this runs only on PostgreSQL
(`DATABASE_URL=postgres://…`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from lisplan.rotations import services
from lisplan.rotations.models import RotationRequest, Status
from tests import factories as f
from tests.plans.test_concurrency_pg import TIMEOUT, _backend_pid, _in_thread, _waits_for_lock

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL)"
    ),
]

START = dt.date(2027, 3, 1)


@pytest.fixture
def helgeland(world):
    return f.InstitutionFactory(code="HELG", name="Helgelandssykehuset HF", region=world.unn.region)


def wish(world, receiving):
    return services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=receiving,
        specialty=world.specialty,
        desired_start=START,
        duration_months=6,
        wish=True,
    )


def wishes(world):
    return list(
        RotationRequest.objects.filter(trainee=world.trainee, status=Status.WISH).values_list(
            "receiving__code", flat=True
        )
    )


def test_second_wish_waits_for_the_lock_and_is_refused(world, helgeland):
    """A registers a wish at NLSH and keeps its transaction open; B's wish at Helgeland blocks
    on the trainee's row lock (seen in pg_stat_activity) and, after A commits, is refused."""
    a_saved, b_pid = threading.Event(), {}
    results: dict = {}

    def a():
        with transaction.atomic():
            wish(world, world.nlsh)
            a_saved.set()
            deadline = time.monotonic() + TIMEOUT
            while "pid" not in b_pid or not _waits_for_lock(b_pid["pid"]):
                if time.monotonic() > deadline:
                    raise AssertionError("B never waited for A's lock on the trainee")
                time.sleep(0.02)
            results["b_was_blocked"] = True
        return "saved"

    def b():
        assert a_saved.wait(TIMEOUT)
        b_pid["pid"] = _backend_pid()
        wish(world, helgeland)
        return "saved"

    threads = [_in_thread(a, results, "a"), _in_thread(b, results, "b")]
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive()

    assert results["a"] == "saved", results
    assert results.get("b_was_blocked") is True
    assert isinstance(results["b"], services.RotationError), results
    assert results["b"].code == "one_receiving_institution"
    assert "Nordlandssykehuset" in str(results["b"])
    assert wishes(world) == ["NLSH"]


@pytest.mark.parametrize("via", ["create", "register_wish"])
def test_simultaneous_wishes_at_two_institutions_exactly_one_wins(world, helgeland, via):
    """Both start at the same instant (a barrier): one wish is saved, the other refused with
    the rule's message — by a new wish, and by turning an existing need into a wish."""
    needs = {}
    if via == "register_wish":
        for institution in (world.nlsh, helgeland):
            needs[institution.code] = services.request_create(
                actor=world.users["local_coordinator"],
                trainee=world.trainee,
                receiving=institution,
                specialty=world.specialty,
                desired_start=START,
                duration_months=6,
            )
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    results: dict = {}

    def register(institution):
        def run():
            barrier.wait()
            if via == "create":
                wish(world, institution)
            else:
                services.request_register_wish(
                    actor=world.users["local_coordinator"], request=needs[institution.code]
                )
            return institution.code

        return run

    threads = [
        _in_thread(register(world.nlsh), results, "nlsh"),
        _in_thread(register(helgeland), results, "helgeland"),
    ]
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive()

    winners = [v for v in results.values() if isinstance(v, str)]
    losers = [v for v in results.values() if isinstance(v, services.RotationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "one_receiving_institution"
    assert wishes(world) == winners
