"""Demo data for dimensioning: a plausible national dataset, clearly marked as demo (every
dataset is `demo=True` with the source «Demodata»), the standard scenarios and one finished run,
so that the pages have content. Not SSB's numbers. Runs in the demo command, after the register
(the pipeline comes from the demo trainees)."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lisplan.dimensioning import services
from lisplan.dimensioning.build import DEFAULT_EXIT_RATES
from lisplan.dimensioning.models import (
    Dataset,
    DimensioningRun,
    EmployedSpecialists,
    ExitRate,
    PopulationProjection,
    Scenario,
    SpecialistCount,
)
from lisplan.ui.numbers import number

DEMO_SOURCE = "Demodata laget av lisplan (ikke SSB-tall)"
DEMO_DRAWS = 300
DEMO_SCENARIO = "Standardvekst 1,0 %"
REGION_SHARE = {"NORD": 0.11, "MIDT": 0.14, "VEST": 0.20, "SOR-OST": 0.55}
AGE_BANDS = [
    (30, 34, 0.04),
    (35, 39, 0.12),
    (40, 44, 0.15),
    (45, 49, 0.15),
    (50, 54, 0.14),
    (55, 59, 0.13),
    (60, 64, 0.12),
    (65, 69, 0.10),
    (70, 74, 0.05),
]
# Population in thousands by age group per region share, growing fastest among the old.
POPULATION = [
    (0, 17, 1150, 0.97),
    (18, 49, 2200, 1.03),
    (50, 66, 1250, 1.05),
    (67, 79, 700, 1.35),
    (80, 95, 250, 1.9),
]


@dataclass
class DimensioningDemo:
    run: DimensioningRun | None
    seconds: float

    @property
    def summary(self) -> str:
        """One line for the demo command."""
        if self.run is None or self.run.result is None:
            return f"Dimensjonering: demodata lastet på {self.seconds:.1f} s, ingen kjøring."
        needed = sum(r["per_year"] or 0 for r in self.run.result["required_intake"])
        today = sum(r["current_per_year"] for r in self.run.result["required_intake"])
        return (
            f"Dimensjonering på {self.seconds:.1f} s (demodata, ikke SSB-tall): "
            f"{number(round(needed))} oppstarter i året trengs, {number(round(today))} i dag."
        )


@transaction.atomic
def _datasets(seed: int, today: dt.date) -> None:
    from lisplan.catalogue.models import Specialty
    from lisplan.organisations.models import Region

    rnd = random.Random(seed)
    Dataset.objects.filter(demo=True).delete()
    regions = list(Region.objects.order_by("code"))
    specialties = list(Specialty.objects.order_by("code"))
    year = today.year - 1

    def dataset(kind: str, rows: int) -> Dataset:
        return Dataset.objects.create(
            kind=kind, source=DEMO_SOURCE, source_date=today, file_name="", rows=rows, demo=True
        )

    # Sized from the demo register where it has trainees (about 4.5 specialists per doctor in
    # training, as in Norway; the register's region is about 11 % of the country).
    from django.db.models import Count

    from lisplan.trainees.models import Employment

    in_training = dict(
        Employment.objects.not_ended(today)
        .exclude(specialty=None)
        .values("specialty__code")
        .annotate(n=Count("trainee", distinct=True))
        .values_list("specialty__code", "n")
    )
    counts, employed = [], []
    for spec in specialties:
        trainees = in_training.get(spec.code, 0)
        national = (
            round(trainees * 4.5 / 0.11 * rnd.uniform(0.8, 1.2))
            if trainees
            else rnd.randint(60, 400)
        )
        female = rnd.uniform(0.35, 0.65)
        for lo, hi, share in AGE_BANDS:
            # Younger bands have more women, as in the profession.
            f = min(0.8, female + (0.1 if lo < 45 else -0.05))
            for sex, part in (("K", f), ("M", 1 - f)):
                counts.append(
                    (
                        spec.name,
                        sex,
                        lo,
                        hi,
                        round(national * share * part * rnd.uniform(0.85, 1.15)),
                    )
                )
        for region in regions:
            share = REGION_SHARE.get(region.code, 1 / max(len(regions), 1))
            employed.append(
                (spec.name, region.name, round(national * share * rnd.uniform(0.8, 1.2)))
            )
    d = dataset(Dataset.Kind.SPECIALISTS, len(counts))
    SpecialistCount.objects.bulk_create(
        [
            SpecialistCount(
                dataset=d, specialty=s, sex=x, age_from=lo, age_to=hi, year=year, heads=n
            )
            for s, x, lo, hi, n in counts
        ],
        batch_size=2000,
    )
    d = dataset(Dataset.Kind.EMPLOYED, len(employed))
    EmployedSpecialists.objects.bulk_create(
        [
            EmployedSpecialists(dataset=d, specialty=s, trust=r, region=r, year=year, heads=n)
            for s, r, n in employed
        ],
        batch_size=2000,
    )
    population = []
    for region in regions:
        share = REGION_SHARE.get(region.code, 1 / max(len(regions), 1))
        for lo, hi, thousands, growth in POPULATION:
            per_age = thousands * 1000 * share / (hi - lo + 1) / 2
            for age in range(lo, hi + 1):
                for sex in ("K", "M"):
                    population.append(
                        PopulationProjection(
                            region=region.name,
                            sex=sex,
                            age=age,
                            year=today.year,
                            persons=round(per_age),
                        )
                    )
                    population.append(
                        PopulationProjection(
                            region=region.name,
                            sex=sex,
                            age=age,
                            year=today.year + 18,
                            persons=round(per_age * growth * rnd.uniform(0.97, 1.03)),
                        )
                    )
    d = dataset(Dataset.Kind.POPULATION, len(population))
    for row in population:
        row.dataset = d
    PopulationProjection.objects.bulk_create(population, batch_size=2000)
    d = dataset(Dataset.Kind.EXIT_RATES, len(DEFAULT_EXIT_RATES))
    ExitRate.objects.bulk_create([ExitRate(dataset=d, **row) for row in DEFAULT_EXIT_RATES])


def load_dimensioning_demo(seed: int = 1, today: dt.date | None = None) -> DimensioningDemo:
    """Replace the demo data and runs: demo datasets, the standard scenarios and one run of
    «Standardvekst 1,0 %» executed here (not by the worker)."""
    from lisplan.accounts.models import User
    from lisplan.audit.services import record

    started = time.perf_counter()
    today = today or timezone.localdate()
    DimensioningRun.objects.filter(demo=True).delete()
    _datasets(seed, today)
    services.ensure_standard_scenarios(demo=True)
    user = User.objects.filter(username="planner", demo=True).first()
    scenario = Scenario.objects.filter(name=DEMO_SCENARIO).first()
    if scenario is None:
        return DimensioningDemo(None, time.perf_counter() - started)
    run = DimensioningRun.objects.create(
        scenario_version=scenario.current, draws=DEMO_DRAWS, seed=seed, created_by=user, demo=True
    )
    record(
        actor=user,
        action="dimensioning.run_started",
        obj=run,
        changes={"scenario": [None, str(scenario.current)], "draws": [None, DEMO_DRAWS]},
    )
    services.execute(run.pk)
    run.refresh_from_db()
    return DimensioningDemo(run, time.perf_counter() - started)
