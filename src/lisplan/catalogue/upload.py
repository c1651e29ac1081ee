"""The web upload of the learning-goal import (`lisplan import_goals`, docs/catalogue-import.md):
check the file (a dry run listing each bad row by line), keep it until the administrator
confirms, then import all of it or nothing.

The checked file is kept under `VAR_DIR/imports/` (nothing serves it), named by the uploader's
id and a random token, so only the uploader can confirm it; it is removed when imported, and
files older than a day are swept on the next upload."""

from __future__ import annotations

import contextlib
import io
import logging
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.catalogue.importer import ImportReport, import_goals
from lisplan.catalogue.validation import RowError
from lisplan.errors import Refused

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
KEEP_SECONDS = 24 * 60 * 60
SESSION_KEY = "goal_import"
PREFIX = "goals-"


def _dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(user, token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad token")
    return _dir() / f"{PREFIX}{user.pk}-{token}"


def check(user, data: bytes, name: str, *, dry_run: bool = True) -> ImportReport:
    """Run the importer for `user` (a dry run unless told otherwise). A file the importer
    cannot read at all is one error, never a 500."""
    if not has_permission(user, "catalogue.import"):
        raise Refused(_("Du har ikke tilgang til denne handlingen."))
    try:
        return import_goals(io.BytesIO(data), actor=user, dry_run=dry_run, name=name)
    except Exception:
        log.exception("learning-goal import of %s failed", name)
        message = _("Filen kunne ikke leses. Kontroller at den følger oppsettet i veiledningen.")
        return ImportReport(name, dry_run, errors=[RowError(0, "", message)])


def stash(user, data: bytes) -> str:
    now = time.time()
    for old in _dir().glob(f"{PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink()
    token = secrets.token_hex(16)
    _path(user, token).write_bytes(data)
    return token


def load(user, token: str) -> bytes | None:
    try:
        return _path(user, token).read_bytes()
    except (OSError, ValueError):
        return None


def discard(user, token: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        _path(user, token).unlink(missing_ok=True)
