"""`lisplan demo` leaves the planner's statistics for every table it filled (issue #18): without
them PostgreSQL guessed ten planned meetings where there were 17,000 and scanned them all for
one trainee's start page, and the insights page took seconds until autovacuum came round."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

# Tables the register's own ANALYZE (`generator._analyze`) does not cover.
TABLES = [
    "iup_meeting",
    "iup_revision",
    "progress_activityrecord",
    "progress_goalapproval",
    "rotations_rotationrequest",
    "allocation_proposal",
]


def _analysed() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()"
            )
        else:
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_the_demo_analyses_every_table_it_fills():
    call_command("demo", trainees=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    missing = [t for t in TABLES if t not in _analysed()]
    assert not missing, f"no planner statistics for {missing}"
