"""The web upload of the learning-goal import (`lisplan import_goals`, docs/catalogue-import.md):
check the file (a dry run listing each bad row by line), keep it until the administrator
confirms, then import all of it or nothing.

The checked file is kept by `lisplan.uploads.CheckedFiles` until it is confirmed."""

from __future__ import annotations

import io
import logging

from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.catalogue.importer import ImportReport, import_goals
from lisplan.catalogue.validation import RowError
from lisplan.errors import Refused
from lisplan.uploads import CheckedFiles

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
SESSION_KEY = "goal_import"


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


_files = CheckedFiles("goals-")
stash, load, discard = _files.stash, _files.load, _files.discard
