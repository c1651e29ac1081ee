"""Production settings are secure: `lisplan check --deploy` is clean with DEBUG off."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LISPLAN_")}
    for leaked in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set by tests/e2e
        base.pop(leaked, None)
    return subprocess.run(
        [sys.executable, "-m", "lisplan.cli", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_when_not_debugging():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LISPLAN_SECRET_KEY="k" * 20 + "an-unguessable-production-secret-value-1234567890",
        LISPLAN_ALLOWED_HOSTS="lisplan.example.no",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_refuses_to_start_without_secret_key_in_production():
    result = _run("check")
    assert result.returncode != 0
    assert "LISPLAN_SECRET_KEY" in result.stderr


def test_language_time_zone_and_date_format(settings):
    from django.utils import formats, translation

    assert settings.LANGUAGE_CODE == "nb"
    assert settings.TIME_ZONE == "Europe/Oslo"
    assert [code for code, _ in settings.LANGUAGES] == ["nb", "en"]
    import datetime as dt

    with translation.override("nb"):
        assert formats.date_format(dt.date(2026, 3, 1), "SHORT_DATE_FORMAT") == "01.03.2026"
        assert formats.date_format(dt.date(2026, 3, 1)) == "01.03.2026"
