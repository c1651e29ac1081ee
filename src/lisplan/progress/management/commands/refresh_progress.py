"""`lisplan refresh_progress`: recompute every trainee's cached progress summary (nightly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lisplan.progress.summary import refresh_summaries
from lisplan.trainees.models import Trainee


class Command(BaseCommand):
    help = _("Beregner progresjonssammendraget for alle leger på nytt (kjøres hver natt: "
             "statusen endrer seg når tiden går, og når ansettelser, permisjoner og planer endres).")

    def handle(self, *args, **options) -> None:
        n = refresh_summaries(Trainee.objects.order_by("pk").values_list("pk", flat=True))
        self.stdout.write(self.style.SUCCESS(_("%(n)s leger er beregnet.") % {"n": n}))
