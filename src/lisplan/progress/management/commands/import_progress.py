"""`lisplan import_progress FILE [--dry-run] [--user U]`: import goal approvals and activities."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lisplan.progress.importer import import_progress


class Command(BaseCommand):
    help = _(
        "Importerer godkjente læringsmål og læringsaktiviteter fra et regneark (.xlsx) eller "
        "en CSV-fil (UTF-8). Kolonner og regler: docs/progress-import.md. Ingenting lagres hvis "
        "én rad har feil."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=_("Filen som skal importeres (.xlsx eller .csv)."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Kontroller filen uten å lagre.")
        )
        parser.add_argument(
            "--user",
            help=_(
                "Brukernavn som står som utfører i revisjonsloggen, og som godkjenner der "
                "kolonnen godkjent_av er tom."
            ),
        )

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Finner ikke filen %(file)s.") % {"file": file})
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(_("Finner ikke brukeren %(user)s.") % {"user": user}) from exc
        report = import_progress(path, actor=actor, dry_run=dry_run)
        for column in report.ignored_columns:
            self.stderr.write(
                _("Kolonnen «%(column)s» er ukjent og ble ikke lest.") % {"column": column}
            )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
