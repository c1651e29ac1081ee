"""`lisplan demo [--trainees N] [--seed S] [--force]`: load the demo region."""

from __future__ import annotations

import gc

from django.core.management.base import BaseCommand, CommandError

from lisplan.demo.generator import (
    DEFAULT_SEED,
    DEFAULT_TRAINEES,
    DEMO_PASSWORD,
    DemoRefused,
    load_demo,
)
from lisplan.dimensioning.demo import load_dimensioning_demo


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


class Command(BaseCommand):
    help = (
        "Laster en realistisk, deterministisk demoregion (Helse Nord RHF med helseforetak, "
        "kommuner, læringsarenaer, ansatte og leger i spesialisering) inn i databasen, og "
        "skriver ut én innlogging per rolle (brukernavn = rollekoden, passord «demo»). "
        "Katalogen (spesialiteter og læringsmål) lastes først. Samme --seed og --trainees gir "
        "de samme navnene, HPR-numrene og datoene (regnet fra dagens dato). "
        "Legene får gjennomføringsplaner i alle tilstander (utkast, til signering, til "
        "godkjenning, godkjent, utløper snart, utløpt, under revisjon, mangler). "
        "Kjøres kommandoen på nytt, erstattes tidligere demodata: demobrukere, demoleger (med "
        "gjennomføringsplaner, ansettelser, permisjoner og veiledere) og læringsarenaer med "
        "demobruker som leder "
        "slettes først; regioner, utdanningsvirksomheter og godkjenninger gjenbrukes. "
        "Kommandoen nekter å kjøre mot en database med leger eller brukere som ikke er "
        "demodata (superbrukere er tillatt) med mindre --force er gitt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--trainees",
            type=int,
            default=DEFAULT_TRAINEES,
            metavar="N",
            help=f"Antall leger i spesialisering (standard {DEFAULT_TRAINEES}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            metavar="S",
            help=f"Startverdi for tilfeldige data (standard {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Last demodata selv om databasen inneholder andre data (de beholdes).",
        )

    def handle(self, *args, **options):
        # The cyclic garbage collector off while loading (issue #18): the demo allocates
        # millions of short-lived objects (model instances, rows, engine inputs) and keeps
        # a few hundred MB alive, so each full collection walked the whole heap — a third of
        # the CPU time at 7,000 trainees (24.5 → 16.6 s). Reference counting still frees
        # almost everything; what cycles remain are collected when loading ends.
        gc.disable()
        try:
            self.load(**options)
        finally:
            gc.enable()
            gc.collect()

    def load(self, *, trainees: int, seed: int, force: bool, **options):
        from lisplan.iup.demo import clear_iup_demo, load_iup_demo

        try:
            clear_iup_demo()  # education plans protect the demo trainees and users
            result = load_demo(trainees=trainees, seed=seed, force=force)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        from django.utils import timezone

        from lisplan.progress.demo import load_progress_demo

        progress = load_progress_demo(seed=seed, today=timezone.localdate())
        iup = load_iup_demo(seed=seed, today=timezone.localdate(), inputs=progress.inputs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata lastet på {result.seconds:.1f} s: {_n(result.trainees)} leger i "
                f"spesialisering, {_n(result.users)} brukere, {_n(result.arenas)} læringsarenaer "
                f"i {result.institutions} utdanningsvirksomheter i Helse Nord (seed {seed})."
            )
        )
        if result.plans:
            self.stdout.write(
                f"Gjennomføringsplaner: {_n(sum(result.plans.values()))} ("
                + ", ".join(f"{state} {_n(n)}" for state, n in sorted(result.plans.items()))
                + ")."
            )
        self.stdout.write(
            f"Progresjon på {progress.seconds:.1f} s: {_n(progress.approvals)} godkjente "
            f"læringsmål, {_n(progress.activities)} læringsaktiviteter, "
            f"{_n(progress.service_periods)} tjenesteperioder."
        )
        from lisplan.allocation.demo import load_allocation_demo

        allocation = load_allocation_demo()
        if allocation.run is not None and allocation.run.metrics:
            self.stdout.write(
                f"Fordeling på {allocation.seconds:.1f} s: {allocation.run.metrics['assigned']} "
                f"av {allocation.run.metrics['requests']} ønsker får foreslått oppstart "
                f"(kjøring #{allocation.run.pk})."
            )
        self.stdout.write(load_dimensioning_demo(seed=seed).summary)
        self.stdout.write(
            f"Utdanningsplaner (IUP) på {iup.seconds:.1f} s: {_n(iup.plans)} planer, "
            f"{_n(iup.revisions)} revisjoner, {_n(iup.templates)} maler for tabell 3 ("
            + ", ".join(f"{state} {_n(n)}" for state, n in sorted(iup.states.items()))
            + ")."
        )
        from lisplan.confirmations.demo import load_confirmation_demo

        confirmations = load_confirmation_demo(seed=seed, today=timezone.localdate())
        self.stdout.write(
            f"Bekreftelser på tjeneste på {confirmations.seconds:.1f} s: "
            + ", ".join(f"{state} {_n(n)}" for state, n in sorted(confirmations.states.items()))
            + "."
        )
        from lisplan.programmes.demo import load_programme_demo

        programmes = load_programme_demo(seed=seed, today=timezone.localdate())
        self.stdout.write(
            f"Utdanningsplaner for virksomhetene på {programmes.seconds:.1f} s: "
            f"{_n(programmes.published)} publiserte, {_n(programmes.drafts)} utkast, "
            f"{_n(programmes.gaps)} med mangler."
        )
        from lisplan.demo.bulk import analyze_all
        from lisplan.insights.facts import refresh_all as refresh_insight_facts
        from lisplan.insights.models import TraineeFacts

        analyze_all()  # the planner's statistics for every table the demo filled
        # after the statistics: without them the facts' queries took 36 s instead of 0.7 s
        refresh_insight_facts()  # the indicator page's stored facts, in bulk
        analyze_all(tables=[TraineeFacts._meta.db_table])
        self.stdout.write(f"\nInnlogging (passord «{DEMO_PASSWORD}» for alle):")
        width = max(len(login.username) for login in result.logins)
        for login in result.logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.role} – {login.name}, {login.where}"
            )
