"""`lisplan harvest --scheduled` (run daily from cron: harvests on 1 March and 1 September, and
brings the stored indicator facts to the new day, `facts.ensure_fresh`, so the first page of the
day does not wait for them) or `lisplan harvest --date YYYY-MM-DD` (one harvest now). Runs the
harvest in this process."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lisplan.insights import services


class Command(BaseCommand):
    help = "Innhøsting av kvalitetsindikatorer (1. mars og 1. september)"

    def add_arguments(self, parser):
        parser.add_argument("--scheduled", action="store_true")
        parser.add_argument("--date", type=dt.date.fromisoformat)

    def handle(self, *args, scheduled=False, date=None, **options):
        if scheduled:
            from lisplan.insights import facts

            refreshed = facts.ensure_fresh(timezone.localdate())
            self.stdout.write(f"indicator facts refreshed: {refreshed}")
            harvest = services.run_scheduled(timezone.localdate())
        elif date:
            try:
                harvest = services.start_harvest(actor=None, date=date)
            except services.HarvestError as error:
                raise CommandError(error.message) from error
        else:
            raise CommandError("--scheduled or --date")
        if harvest is None:
            self.stdout.write("no harvest due today")
            return
        self.stdout.write(f"harvest {harvest.pk} ({harvest.date}): {services.execute(harvest.pk)}")
