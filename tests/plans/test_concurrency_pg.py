"""Two people editing the same draft cannot overwrite each other: two real, overlapping
transactions on PostgreSQL (each thread has its own connection). `revision_update` locks the row
(`select_for_update`) and compares `version` under the lock, so the second writer waits for the
first to commit and then sees the bumped version: `StaleVersion`, and nothing of theirs is saved.

SQLite has one writer at a time and no row locks, so this runs only on PostgreSQL
(`DATABASE_URL=postgres://…`).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from lisplan.audit.models import AuditEvent
from lisplan.plans import services
from lisplan.plans.models import Revision

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (set DATABASE_URL)"
    ),
]

TIMEOUT = 20  # seconds; a hang means the lock did not behave as expected


def _in_thread(target, results: dict, name: str) -> threading.Thread:
    """Run `target` in a thread with its own DB connection, closed at the end."""

    def run():
        try:
            results[name] = target()
        except Exception as exc:  # noqa: BLE001 - recorded for the assertions
            results[name] = exc
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_for_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _remarks(revision) -> str:
    return Revision.objects.get(pk=revision.pk).remarks


def test_second_writer_waits_for_the_lock_and_gets_stale_version(world, draft):
    """A holds the row lock with its edit uncommitted; B, who read the same version, tries to
    save, blocks on the lock (seen in pg_stat_activity), and after A commits gets StaleVersion."""
    version = draft.version
    a_saved, b_pid = threading.Event(), {}
    results: dict = {}

    def writer_a():
        with transaction.atomic():
            services.revision_update(
                actor=world.users["leader"], revision=draft, version=version, remarks="Leders tekst"
            )
            a_saved.set()
            # keep the transaction (and the row lock) open until B is blocked on it
            deadline = time.monotonic() + TIMEOUT
            while "pid" not in b_pid or not _waits_for_lock(b_pid["pid"]):
                if time.monotonic() > deadline:
                    raise AssertionError("B never waited for A's row lock")
                time.sleep(0.02)
            results["b_was_blocked"] = True
        return "saved"

    def writer_b():
        assert a_saved.wait(TIMEOUT)
        b_pid["pid"] = _backend_pid()
        services.revision_update(
            actor=world.users["trainee"],
            revision=draft,
            version=version,
            remarks="Legens tekst",
            periods=[],
        )
        return "saved"

    threads = [_in_thread(writer_a, results, "a"), _in_thread(writer_b, results, "b")]
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive()

    assert results["a"] == "saved", results
    assert results.get("b_was_blocked") is True
    assert isinstance(results["b"], services.StaleVersion), results
    assert results["b"].current == version + 1
    draft.refresh_from_db()
    assert (draft.remarks, draft.version, draft.periods.count()) == ("Leders tekst", version + 1, 1)
    changes = AuditEvent.objects.filter(action="plan.changed", object_id=str(draft.pk))
    assert [e.actor_id for e in changes] == [world.users["leader"].pk]


def test_simultaneous_saves_exactly_one_wins(world, draft):
    """Both read version N, then save at the same instant (a barrier): exactly one succeeds,
    the other gets StaleVersion, and the saved text is the winner's, whole."""
    version = draft.version
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    results: dict = {}

    def writer(actor, text):
        def save():
            revision = Revision.objects.get(pk=draft.pk)  # what each one opened
            assert revision.version == version
            barrier.wait()
            services.revision_update(
                actor=actor, revision=revision, version=revision.version, remarks=text
            )
            return text

        return save

    threads = [
        _in_thread(writer(world.users["leader"], "Leders tekst"), results, "leader"),
        _in_thread(writer(world.users["trainee"], "Legens tekst"), results, "trainee"),
    ]
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive()

    winners = [v for v in results.values() if isinstance(v, str)]
    losers = [v for v in results.values() if isinstance(v, services.StaleVersion)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].current == version + 1
    draft.refresh_from_db()
    assert (draft.remarks, draft.version) == (winners[0], version + 1)
    assert AuditEvent.objects.filter(action="plan.changed", object_id=str(draft.pk)).count() == 1
