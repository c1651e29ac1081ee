"""`lisplan load_dimensioning_data KIND FILE`: load a downloaded SSB table (json-stat2 or CSV)
or an exit-rate file for the dimensioning model, with its source and date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lisplan.dimensioning import services
from lisplan.dimensioning.loaders import KINDS


class Command(BaseCommand):
    help = (
        "Load data for dimensioning: specialists (SSB 07935), employed (SSB 09544), "
        "population (SSB projections, json-stat2) or exit_rates (CSV). "
        "Download commands: docs/dimensioning-data.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument(
            "--source", default="", help="where the data are from (default: what the file says)"
        )
        parser.add_argument("--url", default="", help="the address it was downloaded from")
        parser.add_argument(
            "--date",
            help="the date the data describe, YYYY-MM-DD (default: "
            "the file's «updated», else today)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        date = None
        if options["date"]:
            try:
                date = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("--date must be YYYY-MM-DD") from error
        try:
            dataset = services.load_dataset(
                actor=None,
                kind=options["kind"],
                content=content,
                file_name=path.name,
                source=options["source"],
                source_url=options["url"],
                source_date=date,
            )
        except services.DimensioningError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{dataset.rows} rows loaded: {dataset.source} ({dataset.source_date})"
            )
        )
