"""`lisplan load_courses`: load the course catalogue from progress/catalogue/courses.yaml."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from lisplan.progress.loader import load_courses


class Command(BaseCommand):
    help = _("Laster kurskatalogen (ALIS-kurs og nasjonalt anbefalte kurs) fra datafilen.")

    def handle(self, *args, **options) -> None:
        n = load_courses()
        self.stdout.write(self.style.SUCCESS(_("%(n)s kurs er lastet.") % {"n": n}))
