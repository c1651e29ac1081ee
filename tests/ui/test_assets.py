"""The pages' CSS and JavaScript are found by the static-files finders (whitenoise serves them)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

OWN = "lisplan/app.css"
VENDOR = ["vendor/designsystemet.css", "vendor/designsystemet-theme.css", "vendor/htmx.min.js"]


def test_own_static_files_are_found():
    assert finders.find(OWN), f"{OWN} is not found by the static-files finders"


def test_vendor_files_are_built(settings):
    from pathlib import Path

    vendor = Path(settings.BASE_DIR) / "static"
    missing = [name for name in VENDOR if not (vendor / name).exists()]
    if missing:
        pytest.skip(f"run scripts/build-assets first (missing {', '.join(missing)})")
    assert "ds-button" in (vendor / VENDOR[0]).read_text()


def test_pages_load_the_assets(client, db):
    html = client.get("/logg-inn/").content.decode()
    for name in [OWN, *VENDOR]:
        assert f'/static/{name}"' in html, name
