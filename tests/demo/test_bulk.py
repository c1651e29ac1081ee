"""`demo.bulk.keys_checked_at_end`: the foreign keys of the tables the demo fills in bulk are
dropped while they are filled and added back at the end (PostgreSQL), and still hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from lisplan.demo.bulk import insert_rows, keys_checked_at_end, new_row
from lisplan.progress.models import ActivityRecord, GoalApproval

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's foreign keys"),
]

DAY = dt.date(2026, 1, 5)
MODELS = (GoalApproval, ActivityRecord, ActivityRecord.goals.through)


def keys() -> set[tuple[str, str, str]]:
    tables = [m._meta.db_table for m in MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        return set(cursor.fetchall())


def test_the_keys_come_back_as_they_were(world):
    before = keys()
    assert len(before) >= 8 and all("DEFERRABLE INITIALLY DEFERRED" in k[2] for k in before)
    rows = [
        new_row(ActivityRecord, trainee=world.trainee, kind="procedure", title="Gips", date=DAY)
    ]
    with transaction.atomic(), keys_checked_at_end(*MODELS):
        assert keys() == set()
        insert_rows(ActivityRecord, rows)
    assert keys() == before
    assert ActivityRecord.objects.filter(trainee=world.trainee, title="Gips").exists()


def test_a_row_that_breaks_a_key_fails_the_load_and_the_keys_stay(world):
    before = keys()
    bad = [
        new_row(ActivityRecord, trainee_id=world.trainee.pk + 10_000, kind="procedure", date=DAY)
    ]
    with pytest.raises(IntegrityError), transaction.atomic(), keys_checked_at_end(*MODELS):
        insert_rows(ActivityRecord, bad)
    assert keys() == before
    assert not ActivityRecord.objects.filter(trainee_id=world.trainee.pk + 10_000).exists()
