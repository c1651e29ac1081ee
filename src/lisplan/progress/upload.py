"""The web upload of the progress import (docs/progress-import.md): check the file (a dry run
showing each bad row by line), keep it until the coordinator confirms, then import all of it
or nothing.

The checked file is kept by `lisplan.uploads.CheckedFiles` until it is confirmed.
"""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _

from lisplan.accounts.access import scope_filter
from lisplan.catalogue.validation import RowError
from lisplan.progress.importer import ImportReport, import_progress
from lisplan.trainees.models import Trainee
from lisplan.uploads import CheckedFiles

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
SESSION_KEY = "progress_import"


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


_files = CheckedFiles("progress-")
stash, load, discard = _files.stash, _files.load, _files.discard
