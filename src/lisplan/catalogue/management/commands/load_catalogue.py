"""`lisplan load_catalogue`: load specialties, FKM topic areas and demo goals from data files."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lisplan.catalogue.loader import load_catalogue
from lisplan.catalogue.validation import CatalogueDataError


class Command(BaseCommand):
    help = _("Laster spesialiteter, FKM-temaer og eksempel-læringsmål fra catalogue/data/.")

    def handle(self, *args, **options) -> None:
        try:
            counts = load_catalogue()
        except CatalogueDataError as exc:
            raise CommandError(str(exc)) from exc
        for key, n in counts.items():
            self.stdout.write(f"{key}: {n}")
        self.stdout.write(self.style.SUCCESS(_("Katalogen er lastet.")))
