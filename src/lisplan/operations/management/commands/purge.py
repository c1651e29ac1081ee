"""`lisplan purge [--dry-run]`: delete personal data that has outlived its retention time
(`lisplan.operations.retention`). Run nightly (README «Privacy»)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lisplan.operations.retention import purge


class Command(BaseCommand):
    help = "Deletes personal data past its retention time (see lisplan.operations.retention)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, dry_run: bool, **options):
        counts = purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for label, n in counts.items():
            if n or options["verbosity"] >= 2:
                self.stdout.write(f"{label}: {verb} {n}")
