"""Backups (issue 16, E): `scripts/backup` dumps the PostgreSQL database and the uploaded files,
`scripts/restore` puts them back into an empty database — tested end to end on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from lisplan.audit.models import AuditEvent
from lisplan.audit.services import record

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backups are pg_dump of PostgreSQL (set DATABASE_URL)",
    ),
]


def url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def test_backup_then_restore_into_an_empty_database(tmp_path, world):
    record(
        actor=world.users["admin"], action="test.backup", obj=world.trainee, changes={"x": [1, 2]}
    )
    media = tmp_path / "media"
    (media / "agreements").mkdir(parents=True)
    (media / "agreements/avtale.pdf").write_bytes(b"%PDF-1.4 signed")
    env = {
        **os.environ,
        "DATABASE_URL": url(connection.settings_dict["NAME"]),
        "LISPLAN_BACKUP_DIR": str(tmp_path / "backups"),
        "LISPLAN_MEDIA_ROOT": str(media),
    }
    dump = (
        subprocess.run(
            [str(ROOT / "scripts/backup")], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert dump.endswith(".dump") and Path(dump).stat().st_size > 10_000
    assert Path(dump.replace(".dump", ".media.tar.gz")).exists()

    target = "h16_restore_" + uuid.uuid4().hex[:8]
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        env_restore = {
            **env,
            "DATABASE_URL": url(target),
            "LISPLAN_MEDIA_ROOT": str(restored_media),
        }
        refused = subprocess.run(
            [str(ROOT / "scripts/restore"), dump], env=env_restore, capture_output=True, text=True
        )
        assert refused.returncode == 2 and "--yes" in refused.stderr
        subprocess.run(
            [str(ROOT / "scripts/restore"), dump, "--yes"],
            env=env_restore,
            check=True,
            capture_output=True,
            text=True,
        )
        with psycopg.connect(url(target)) as copy:
            users = copy.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
            events = copy.execute(
                "SELECT count(*) FROM audit_auditevent WHERE action = 'test.backup'"
            ).fetchone()[0]
            trainee = copy.execute(
                "SELECT first_name FROM trainees_trainee WHERE id = %s", [world.trainee.pk]
            ).fetchone()[0]
            migrations = copy.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert users == len(world.users) and events == 1 and trainee == "Tora"
        assert migrations > 20
        assert AuditEvent.objects.filter(action="test.backup").count() == 1
        assert (restored_media / "agreements/avtale.pdf").read_bytes() == b"%PDF-1.4 signed"
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
