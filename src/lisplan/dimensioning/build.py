"""The input document from lisplan's own data (`lisplan dimension --from-database`, the run
pages, the API with a scenario). Reads only; the engine does the arithmetic.

- Specialties: the catalogue; training years, completion rate, age at completion and FTE of a
  new specialist are the defaults in `SPECIALTY_DEFAULTS` (the catalogue holds none of them).
- Regions: the regions (their codes).
- Specialists: the latest loaded SSB 07935 (the country, by specialty, sex and age group;
  each group spread evenly over its single ages), split over the regions by the specialty's
  shares in the latest SSB 09544 (employed specialists by health trust → the trust's region);
  where 09544 has nothing for a specialty, by all specialists' regional shares there, else
  evenly. SSB's specialty names are matched to the catalogue by name.
- Demand: today's supply (FTE) in each specialty and region, with `DEFAULT_UNMET_SHARE`
  unmet demand on top (decision 0009: the model starts from balance plus the unmet share).
- Demand growth: from the scenario — the population projection's age-weighted growth per
  region (`USE_WEIGHTS`) plus the scenario's extra growth.
- The pipeline: every trainee with an employment that has not ended, in the employment's
  specialty and the employer's region, with `expected_completion_year` from the progress
  summary's projected completion (at least base_year + 1); trainees without one as a cohort by
  the year their first employment in the specialty started.
- Today's starts: trainees whose first employment in a specialty started in the three years
  before base_year, per year.
- Exit rates: the latest loaded exit-rate file, else `DEFAULT_EXIT_RATES`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.dimensioning import scenarios
from lisplan.dimensioning.models import (
    Dataset,
    EmployedSpecialists,
    ExitRate,
    PopulationProjection,
    SpecialistCount,
)
from lisplan.ui.numbers import number

HORIZON_YEARS = 18
MAX_AGE = 75
SPECIALTY_DEFAULTS = {
    "training_years": 5,
    "completion_rate": 0.9,
    "age_at_completion": 37,
    "fte_new_specialist": 0.93,
}
DEFAULT_FTE_PER_HEAD = 0.93
DEFAULT_UNMET_SHARE = 0.02
STARTS_YEARS = 3
DEFAULT_EXIT_RATES = [
    {"specialty": "*", "sex": "*", "age_from": 25, "age_to": 61, "rate": 0.012},
    {"specialty": "*", "sex": "*", "age_from": 62, "age_to": 66, "rate": 0.07},
    {"specialty": "*", "sex": "*", "age_from": 67, "age_to": 75, "rate": 0.30},
]
# Relative use of specialist health services by age (an assumption for the demographic
# growth, in the spirit of HELSEMOD; decision 0009).
USE_WEIGHTS = [(0, 17, 0.6), (18, 49, 0.8), (50, 66, 1.2), (67, 79, 2.5), (80, 200, 3.5)]
DEFAULT_UNCERTAINTY = [
    {"param": "exit_rate_factor", "specialty": "*", "lo": 0.8, "hi": 1.2},
    {"param": "completion_rate", "specialty": "*", "lo": 0.8, "hi": 0.95},
    {"param": "unmet_share", "specialty": "*", "lo": 0.0, "hi": 0.05},
]
GROWTH_SPREAD = 0.005


@dataclass
class Built:
    document: dict
    notes: list[str] = field(default_factory=list)
    growth: dict[str, float] = field(default_factory=dict)


def latest(kind: str) -> Dataset | None:
    return Dataset.objects.filter(kind=kind).order_by("-source_date", "-loaded_at", "-id").first()


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def _use_weight(age: int) -> float:
    return next(w for lo, hi, w in USE_WEIGHTS if lo <= age <= hi)


def demographic_growth(
    regions, base_year: int, target_year: int, notes: list[str]
) -> dict[str, float]:
    """Per region code: the yearly growth of the age-weighted population between the projection
    years nearest base_year and target_year."""
    dataset = latest(Dataset.Kind.POPULATION)
    if dataset is None:
        notes.append(_("Ingen befolkningsframskriving er lastet; demografien gir ingen vekst."))
        return {}
    by_name = {_norm(r.name): r.code for r in regions} | {_norm(r.code): r.code for r in regions}
    totals: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for row in PopulationProjection.objects.filter(dataset=dataset).values_list(
        "region", "age", "year", "persons"
    ):
        code = by_name.get(_norm(row[0]))
        if code is not None:
            totals[code][row[2]] += row[3] * _use_weight(row[1])
    out = {}
    for code, per_year in totals.items():
        years = sorted(per_year)
        if len(years) < 2:
            continue
        y0 = min(years, key=lambda y: abs(y - base_year))
        y1 = min(years, key=lambda y: abs(y - target_year))
        if y1 <= y0 or per_year[y0] <= 0:
            continue
        out[code] = (per_year[y1] / per_year[y0]) ** (1 / (y1 - y0)) - 1
    missing = [r.name for r in regions if r.code not in out]
    if missing:
        notes.append(
            _("Befolkningsframskrivingen mangler for %(regions)s.")
            % {"regions": ", ".join(missing)}
        )
    return out


def _specialists(specialties, regions, notes: list[str]) -> list[dict]:
    from lisplan.organisations.models import Institution

    dataset = latest(Dataset.Kind.SPECIALISTS)
    if dataset is None:
        notes.append(_("Ingen spesialisttall (SSB 07935) er lastet; beholdningen er tom."))
        return []
    by_name = {_norm(s.name): s.code for s in specialties} | {
        _norm(s.code): s.code for s in specialties
    }
    rows = list(
        SpecialistCount.objects.filter(dataset=dataset).values(
            "specialty", "sex", "age_from", "age_to", "year", "heads"
        )
    )
    year = max(r["year"] for r in rows) if rows else None
    unmatched = sorted({r["specialty"] for r in rows if _norm(r["specialty"]) not in by_name})
    if unmatched:
        notes.append(
            _("%(n)d spesialiteter i SSB-tallene finnes ikke i katalogen og er utelatt: %(names)s")
            % {
                "n": len(unmatched),
                "names": ", ".join(unmatched[:8]) + ("…" if len(unmatched) > 8 else ""),
            }
        )
    # Regional shares per specialty from 09544.
    region_codes = [r.code for r in regions]
    shares: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    overall: dict[str, float] = defaultdict(float)
    employed = latest(Dataset.Kind.EMPLOYED)
    if employed is not None:
        inst_region = {
            _norm(i.name): i.region.code
            for i in Institution.objects.exclude(region=None).select_related("region")
        }
        region_names = {_norm(r.name): r.code for r in regions} | {
            _norm(r.code): r.code for r in regions
        }
        e_rows = list(
            EmployedSpecialists.objects.filter(dataset=employed).values(
                "specialty", "trust", "region", "year", "heads"
            )
        )
        e_year = max(r["year"] for r in e_rows) if e_rows else None
        for r in e_rows:
            if r["year"] != e_year:
                continue
            code = region_names.get(_norm(r["region"])) if r["region"] else None
            code = code or inst_region.get(_norm(r["trust"]))
            spec = by_name.get(_norm(r["specialty"]))
            if code is None:
                continue
            overall[code] += r["heads"]
            if spec:
                shares[spec][code] += r["heads"]
    else:
        notes.append(
            _(
                "Ingen tall for sysselsatte etter helseforetak (SSB 09544) er lastet; "
                "spesialistene er fordelt likt på regionene."
            )
        )

    def split(spec: str) -> dict[str, float]:
        for source in (shares.get(spec), overall):
            total = sum(source.values()) if source else 0
            if total > 0:
                return {c: source.get(c, 0.0) / total for c in region_codes}
        return {c: 1 / len(region_codes) for c in region_codes}

    cells: dict[tuple, float] = defaultdict(float)
    for r in rows:
        spec = by_name.get(_norm(r["specialty"]))
        if spec is None or r["year"] != year:
            continue
        ages = range(r["age_from"], min(r["age_to"], MAX_AGE) + 1)
        if not ages:
            continue
        for region, share in split(spec).items():
            for age in ages:
                cells[(spec, region, age, r["sex"])] += r["heads"] * share / len(ages)
    return [
        {
            "specialty": s,
            "region": g,
            "age": a,
            "sex": x,
            "heads": round(h, 4),
            "fte_per_head": DEFAULT_FTE_PER_HEAD,
        }
        for (s, g, a, x), h in sorted(cells.items())
        if h > 0
    ]


def _pipeline(specialties, base_year: int) -> tuple[list[dict], list[dict], int]:
    """(trainee rows, today's starts, trainees counted) from the register."""
    from lisplan.progress.models import ProgressSummary
    from lisplan.trainees.models import Employment

    codes = {s.pk: s.code for s in specialties}
    today = timezone.localdate()
    current = (
        Employment.objects.not_ended(today)
        .exclude(specialty=None)
        .exclude(institution__region=None)
        .values_list("trainee_id", "specialty_id", "institution__region__code")
        .order_by("trainee_id", "-start")
    )
    seen, placed = set(), []
    for trainee, spec, region in current:
        if trainee not in seen and spec in codes:
            seen.add(trainee)
            placed.append((trainee, codes[spec], region, spec))
    firsts = {
        (t, s): d
        for t, s, d in Employment.objects.exclude(specialty=None)
        .values("trainee_id", "specialty_id")
        .annotate(first=Min("start"))
        .values_list("trainee_id", "specialty_id", "first")
    }
    completion = dict(
        ProgressSummary.objects.filter(trainee_id__in=seen)
        .exclude(projected_completion=None)
        .values_list("trainee_id", "projected_completion")
    )
    groups: dict[tuple, float] = defaultdict(float)
    for trainee, code, region, spec_pk in placed:
        done = completion.get(trainee)
        if done is not None:
            groups[(code, region, "expected_completion_year", max(done.year, base_year + 1))] += 1
        else:
            first = firsts.get((trainee, spec_pk))
            groups[(code, region, "start_year", (first or today).year)] += 1
    trainees = [
        {"specialty": s, "region": r, key: y, "heads": n}
        for (s, r, key, y), n in sorted(groups.items())
    ]
    # Today's starts: first employments in a specialty in the years before base_year.
    region_of = dict(
        Employment.objects.exclude(institution__region=None).values_list(
            "trainee_id", "institution__region__code"
        )
    )
    starts: dict[tuple, float] = defaultdict(float)
    for (trainee, spec_pk), first in firsts.items():
        if (
            spec_pk in codes
            and base_year - STARTS_YEARS <= first.year < base_year
            and trainee in region_of
        ):
            starts[(codes[spec_pk], region_of[trainee])] += 1 / STARTS_YEARS
    start_rows = [
        {"specialty": s, "region": r, "per_year": round(n, 4)}
        for (s, r), n in sorted(starts.items())
    ]
    return trainees, start_rows, len(placed)


def build_input(
    params: dict | None = None, base_year: int | None = None, target_year: int | None = None
) -> Built:
    """The input document for a scenario's parameters (None: demography only)."""
    from lisplan.catalogue.models import Specialty
    from lisplan.organisations.models import Region

    params = scenarios.validate(params or {})
    base_year = base_year or params.get("base_year") or timezone.localdate().year
    target_year = target_year or params.get("target_year") or base_year + HORIZON_YEARS
    notes: list[str] = []
    specialties = list(Specialty.objects.order_by("code"))
    regions = list(Region.objects.order_by("code"))
    specialists = _specialists(specialties, regions, notes)
    trainees, starts, counted = _pipeline(specialties, base_year)
    notes.append(_("Leger i spesialisering fra registeret: %(n)s.") % {"n": number(counted)})
    with_trainees = {t["region"] for t in trainees}
    without = [r.name for r in regions if r.code not in with_trainees]
    if without and trainees:
        notes.append(
            _(
                "Registeret har ingen leger i spesialisering i %(regions)s; der regnes "
                "bare med nye oppstarter."
            )
            % {"regions": ", ".join(without)}
        )
    supply: dict[tuple, float] = defaultdict(float)
    for row in specialists:
        supply[(row["specialty"], row["region"])] += row["heads"] * row["fte_per_head"]
    demand = [
        {
            "specialty": s.code,
            "region": r.code,
            "fte": round(supply.get((s.code, r.code), 0.0), 4),
            "unmet_share": DEFAULT_UNMET_SHARE,
        }
        for s in specialties
        for r in regions
    ]
    exit_set = latest(Dataset.Kind.EXIT_RATES)
    exit_rates = DEFAULT_EXIT_RATES
    if exit_set is not None:
        exit_rates = list(
            ExitRate.objects.filter(dataset=exit_set).values(
                "specialty", "sex", "age_from", "age_to", "rate"
            )
        )
    else:
        notes.append(_("Ingen avgangsrater er lastet; standardratene er brukt."))
    growth = demographic_growth(regions, base_year, target_year, notes)
    document = {
        "format": "lisplan-dimensioning/1",
        "base_year": base_year,
        "target_year": target_year,
        "max_age": MAX_AGE,
        "regions": [r.code for r in regions],
        "specialties": [{"code": s.code, **SPECIALTY_DEFAULTS} for s in specialties],
        "specialists": specialists,
        "trainees": trainees,
        "starts": starts,
        "exit_rates": exit_rates,
        "imports": [{"specialty": "*", "region": "*", "per_year": 0}],
        "demand": demand,
        "demand_growth": [],
    }
    document = scenarios.apply(document, params, growth)
    uncertainty = [dict(u) for u in DEFAULT_UNCERTAINTY]
    for row in document["demand_growth"]:
        g = row["per_year"]
        uncertainty.append(
            {
                "param": "demand_growth",
                "specialty": "*",
                "region": row["region"],
                "lo": round(g - GROWTH_SPREAD, 6),
                "hi": round(g + GROWTH_SPREAD, 6),
            }
        )
    document["uncertainty"] = uncertainty
    return Built(document, notes, growth)
