"""`lisplan refresh_progress`: recompute cached progress summaries.

Nightly (cron/systemd timer, see docs/performance.md § Progress):
`lisplan refresh_progress --stale-only` recomputes only the rows that are out of date (marked
stale, computed for an earlier day, or missing); without the flag every trainee is recomputed.
`--enqueue` hands the stale-only run to the background worker (`lisplan db_worker`) instead.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lisplan.progress.summary import refresh_stale, refresh_summaries
from lisplan.trainees.models import Trainee


class Command(BaseCommand):
    help = _(
        "Beregner progresjonssammendraget for leger på nytt (kjøres hver natt: "
        "statusen endrer seg når tiden går, og når ansettelser, permisjoner og planer endres)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help=_("Bare sammendrag som er utdatert, beregnet før i dag eller mangler."),
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_(
                "Legg jobben i køen for bakgrunnsarbeideren (lisplan db_worker) i stedet "
                "for å kjøre den nå (bare med --stale-only)."
            ),
        )

    def handle(self, *args, stale_only: bool = False, enqueue: bool = False, **options) -> None:
        if enqueue:
            if not stale_only:
                self.stderr.write(_("--enqueue krever --stale-only."))
                raise SystemExit(2)
            from lisplan.progress.tasks import refresh_stale_summaries

            result = refresh_stale_summaries.enqueue()
            self.stdout.write(
                self.style.SUCCESS(_("Jobben er lagt i køen (id %(id)s).") % {"id": result.id})
            )
            return
        if stale_only:
            n = refresh_stale()
        else:
            n = refresh_summaries(Trainee.objects.order_by("pk").values_list("pk", flat=True))
        self.stdout.write(self.style.SUCCESS(_("%(n)s leger er beregnet.") % {"n": n}))
