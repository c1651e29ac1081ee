"""`lisplan demo [--trainees N] [--seed S] [--force]`: load the demo region."""

from __future__ import annotations

import gc

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from lisplan.demo.generator import (
    DEFAULT_SEED,
    DEFAULT_TRAINEES,
    DEMO_PASSWORD,
    DemoRefused,
    load_demo,
)
from lisplan.dimensioning.demo import load_dimensioning_demo
from lisplan.ui.numbers import number

# The demo's scenario codes (demo.plans, iup.demo, confirmations.demo) in the words of the pages.
STATES = {
    "approval": "til godkjenning",
    "approved": "godkjent",
    "awaiting": "venter på signatur",
    "corrected": "rettet",
    "draft": "utkast",
    "expired": "utløpt",
    "expiring": "utløper snart",
    "missing": "mangler",
    "overdue": "på overtid",
    "requested": "bestilt",
    "returned": "sendt tilbake",
    "revision_approval": "revisjon til godkjenning",
    "revision_draft": "revisjon under arbeid",
    "revision_signing": "revisjon til signering",
    "signed": "signert",
    "signing": "til signering",
}


def _states(counts: dict[str, int]) -> str:
    """«godkjent 4 178, til signering 355, …», the most common first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], STATES.get(item[0], item[0])))
    return ", ".join(f"{STATES.get(state, state)} {number(n)}" for state, n in ordered)


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
            # Demo users get notifications in the app, but no e-mail (their addresses are
            # made up, and the console backend would print every message here).
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
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
                f"Demodata lastet på {result.seconds:.1f} s: {number(result.trainees)} leger i "
                f"spesialisering, {number(result.users)} brukere, {number(result.arenas)} læringsarenaer "
                f"i {result.institutions} utdanningsvirksomheter i Helse Nord (seed {seed})."
            )
        )
        if result.plans:
            self.stdout.write(
                f"Gjennomføringsplaner: {number(sum(result.plans.values()))} "
                f"({_states(result.plans)})."
            )
        self.stdout.write(
            f"Progresjon på {progress.seconds:.1f} s: {number(progress.approvals)} godkjente "
            f"læringsmål, {number(progress.activities)} læringsaktiviteter, "
            f"{number(progress.service_periods)} tjenesteperioder."
        )
        from lisplan.allocation.demo import load_allocation_demo

        allocation = load_allocation_demo()
        if allocation.run is not None and allocation.run.metrics:
            self.stdout.write(
                f"Fordeling på {allocation.seconds:.1f} s: {allocation.run.metrics['assigned']} "
                f"av {allocation.run.metrics['requests']} ønsker får foreslått oppstart."
            )
        self.stdout.write(load_dimensioning_demo(seed=seed).summary)
        self.stdout.write(
            f"Utdanningsplaner (IUP) på {iup.seconds:.1f} s: {number(iup.plans)} planer, "
            f"{number(iup.revisions)} revisjoner, {number(iup.templates)} maler for tabell 3 "
            f"({_states(iup.states)})."
        )
        from lisplan.confirmations.demo import load_confirmation_demo

        confirmations = load_confirmation_demo(seed=seed, today=timezone.localdate())
        self.stdout.write(
            f"Bekreftelser på tjeneste på {confirmations.seconds:.1f} s: "
            f"{_states(confirmations.states)}."
        )
        from lisplan.programmes.demo import load_programme_demo

        programmes = load_programme_demo(seed=seed, today=timezone.localdate())
        self.stdout.write(
            f"Utdanningsplaner for virksomhetene på {programmes.seconds:.1f} s: "
            f"{number(programmes.published)} publiserte, {number(programmes.drafts)} utkast, "
            f"{number(programmes.gaps)} med mangler."
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
