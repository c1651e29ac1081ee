"""The web upload of the progress import (docs/progress-import.md): check the file (a dry run
showing each bad row by line), keep it until the coordinator confirms, then import all of it
or nothing.

The checked file is kept on disk under `VAR_DIR/imports/` (not in MEDIA_ROOT: nothing serves
it), named by the uploader's id and a random token, so only the uploader can confirm it; it is
removed when imported and files older than a day are swept on the next upload.
"""

from __future__ import annotations

import contextlib
import io
import logging
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from lisplan.accounts.access import scope_filter
from lisplan.catalogue.validation import RowError
from lisplan.progress.importer import ImportReport, import_progress
from lisplan.trainees.models import Trainee

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
KEEP_SECONDS = 24 * 60 * 60
SESSION_KEY = "progress_import"


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(user, token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad token")
    return upload_dir() / f"progress-{user.pk}-{token}"


def scope(user):
    """The trainees the uploader may import for: their `progress.approve` scope."""
    return scope_filter(user, "progress.approve", Trainee.objects.all())


def check(user, data: bytes, name: str, *, dry_run: bool = True) -> ImportReport:
    """Run the importer on `data` for `user` (dry run by default). Never raises: a file the
    importer cannot handle at all is reported as one error."""
    try:
        return import_progress(
            io.BytesIO(data), actor=user, dry_run=dry_run, name=name, trainees=scope(user)
        )
    except Exception:  # a broken upload must never become a 500; the log has the details
        log.exception("progress import of %s failed", name)
        return ImportReport(
            name,
            dry_run,
            errors=[
                RowError(
                    0,
                    "",
                    _("Filen kunne ikke leses. Kontroller at den følger oppsettet i veiledningen."),
                )
            ],
        )


def stash(user, data: bytes) -> str:
    """Keep a checked file until it is confirmed; returns its token."""
    now = time.time()
    for old in upload_dir().glob("progress-*"):
        try:
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink()
        except OSError:
            pass
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
