"""Reading a run's result for the pages, the exports and the API: the tables per specialty and
region (or summed over a selection), with names instead of codes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import scope_filter
from lisplan.dimensioning.models import DimensioningRun, Scenario

# Traffic lights: today's starts as a share of the required intake.
GREEN_FROM, YELLOW_FROM = 1.0, 0.85
LIGHTS = {
    "green": gettext_lazy("Nok"),
    "yellow": gettext_lazy("Litt for lavt"),
    "red": gettext_lazy("For lavt"),
    "grey": gettext_lazy("Kan ikke beregnes"),
}
PARAM_LABELS = {
    "demand_growth": gettext_lazy("Vekst i etterspørselen"),
    "unmet_share": gettext_lazy("Udekket behov i dag"),
    "completion_rate": gettext_lazy("Andel som fullfører"),
    "fte_new_specialist": gettext_lazy("Årsverk per ny spesialist"),
    "imports": gettext_lazy("Spesialister fra utlandet"),
    "exit_rate_factor": gettext_lazy("Avgangsrater"),
}
SORTS = ("specialty", "region", "required", "current", "difference", "p10", "p90", "light")


def runs(user):
    return scope_filter(
        user,
        "dimensioning.view",
        DimensioningRun.objects.select_related("scenario_version__scenario", "created_by"),
    )


def scenarios_for(user):
    return scope_filter(user, "dimensioning.view", Scenario.objects.all())


def names() -> tuple[dict[str, str], dict[str, str]]:
    from lisplan.catalogue.models import Specialty
    from lisplan.organisations.models import Region

    return (
        dict(Specialty.objects.values_list("code", "name")),
        dict(Region.objects.values_list("code", "name")),
    )


def light(required: float | None, current: float) -> str:
    if required is None:
        return "grey"
    if required <= 0 or current / required >= GREEN_FROM:
        return "green"
    return "yellow" if current / required >= YELLOW_FROM else "red"


@dataclass
class Selection:
    specialty: str = ""
    region: str = ""

    def matches(self, row: dict) -> bool:
        return (not self.specialty or row["specialty"] == self.specialty) and (
            not self.region or row["region"] == self.region
        )

    @property
    def single(self) -> bool:
        return bool(self.specialty and self.region)


def intake_rows(
    result: dict, selection: Selection, sort: str = "difference", descending: bool = False
) -> list[dict]:
    spec_names, region_names = names()
    out = []
    for r in result["required_intake"]:
        if not selection.matches(r):
            continue
        required = r["per_year"]
        state = light(required, r["current_per_year"])
        out.append(
            {
                "specialty_code": r["specialty"],
                "region_code": r["region"],
                "specialty": spec_names.get(r["specialty"], r["specialty"]),
                "region": region_names.get(r["region"], r["region"]),
                "required": required,
                "rounded": r["per_year_rounded"],
                "current": r["current_per_year"],
                "difference": None if required is None else r["current_per_year"] - required,
                "p10": r.get("p10"),
                "p50": r.get("p50"),
                "p90": r.get("p90"),
                "light": state,
                "light_text": str(LIGHTS[state]),
            }
        )
    key = sort if sort in SORTS else "difference"
    order = {"red": 0, "yellow": 1, "green": 2, "grey": 3}

    def sort_key(row):
        value = order[row["light"]] if key == "light" else row[key]
        return (value is None, value if value is not None else 0)

    out.sort(key=sort_key, reverse=descending)
    if descending:  # keep «cannot be computed» last either way
        out.sort(key=lambda row: row[key] is None)
    return out


def series(result: dict, selection: Selection) -> dict:
    """Years and, summed over the selection, supply, demand, gap, specialists, trainees; the
    P10–P90 bands only for one specialty in one region (percentiles do not add up)."""
    years = list(range(result["base_year"], result["target_year"] + 1))
    index = {y: i for i, y in enumerate(years)}
    keys = [
        "supply_fte",
        "demand_fte",
        "gap_fte",
        "specialists",
        "trainees",
        "completions",
        "imports",
        "exits",
    ]
    band_keys = [
        "supply_p10",
        "supply_p90",
        "demand_p10",
        "demand_p90",
        "gap_p10",
        "gap_p50",
        "gap_p90",
    ]
    sums = {k: [0.0] * len(years) for k in keys}
    bands = {k: [None] * len(years) for k in band_keys}
    for row in result["projection"]:
        if not selection.matches(row):
            continue
        i = index[row["year"]]
        for k in keys:
            sums[k][i] += row[k] or 0.0
        if selection.single:
            for k in band_keys:
                bands[k][i] = row.get(k)
    has_band = selection.single and bands["supply_p10"][0] is not None
    rows = [
        {
            "year": y,
            **{k: sums[k][i] for k in keys},
            **({k: bands[k][i] for k in band_keys} if has_band else {}),
        }
        for i, y in enumerate(years)
    ]
    return {"years": years, "sums": sums, "bands": bands if has_band else None, "rows": rows}


def intake_path(result: dict, selection: Selection) -> list[dict]:
    """The smooth intake path per year, summed over the selection, next to the constant required
    intake and today's starts."""
    required = sum(r["per_year"] or 0 for r in result["required_intake"] if selection.matches(r))
    current = sum(
        r["current_per_year"] or 0 for r in result["required_intake"] if selection.matches(r)
    )
    per_year: dict[int, float] = defaultdict(float)
    for row in result.get("intake_path", []):
        if selection.matches(row):
            per_year[row["year"]] += row["starts"]
    return [
        {"year": y, "starts": v, "required": required, "current": current}
        for y, v in sorted(per_year.items())
    ]


def pyramid(result: dict, selection: Selection) -> list[tuple[str, float, float]]:
    bands: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: {"K": 0.0, "M": 0.0})
    for row in result.get("age_pyramid", []):
        if selection.matches(row):
            bands[(row["age_from"], row["age_to"])][row["sex"]] += row["heads"]
    return [(f"{a}–{b}", v["K"], v["M"]) for (a, b), v in sorted(bands.items())]


def waterfall(result: dict, selection: Selection) -> list[tuple[str, float, str]]:
    keys = ("gap_base", "completions", "imports", "exits", "demand_growth", "gap_target")
    total = dict.fromkeys(keys, 0.0)
    for row in result.get("waterfall", []):
        if selection.matches(row):
            for k in keys:
                total[k] += row[k] or 0.0
    base, target = result["base_year"], result["target_year"]
    return [
        (_("Gap %(year)s") % {"year": base}, total["gap_base"], "total"),
        (_("Nye spesialister"), total["completions"], "delta"),
        (_("Fra utlandet"), total["imports"], "delta"),
        (_("Avgang"), total["exits"], "delta"),
        (_("Økt etterspørsel"), total["demand_growth"], "delta"),
        (_("Gap %(year)s") % {"year": target}, total["gap_target"], "total"),
    ]


def tornado(result: dict, selection: Selection) -> tuple[float, list[dict]]:
    """(required intake, per parameter: label, low and high value, intake at low and high),
    widest swing first; summed over the selection."""
    base = sum(r["per_year"] or 0 for r in result["required_intake"] if selection.matches(r))
    agg: dict[str, dict] = {}
    for row in result.get("tornado", []):
        if not selection.matches(row):
            continue
        key = row["param"]
        a = agg.setdefault(
            key,
            {
                "param": key,
                "label": str(PARAM_LABELS.get(key, key)),
                "lo": row["lo"],
                "hi": row["hi"],
                "intake_lo": 0.0,
                "intake_hi": 0.0,
                "cells": 0,
            },
        )
        a["intake_lo"] += row["intake_lo"] or 0.0
        a["intake_hi"] += row["intake_hi"] or 0.0
        a["cells"] += 1
        if a["lo"] != row["lo"] or a["hi"] != row["hi"]:
            a["lo"] = a["hi"] = None  # differs between cells: not one range to show
    rows = sorted(agg.values(), key=lambda r: -abs(r["intake_hi"] - r["intake_lo"]))
    return base, rows


def comparison(user, scenario_ids: list[int]) -> tuple[list[dict], list[dict]]:
    """Side by side: per scenario its latest finished run of its current version, and per
    specialty (summed over the regions) the required intake in each."""
    spec_names, _regions = names()
    columns = []
    for scenario in scenarios_for(user).filter(pk__in=scenario_ids).order_by("name"):
        run = (
            runs(user)
            .filter(
                scenario_version__scenario=scenario,
                scenario_version__number=scenario.version,
                status=DimensioningRun.Status.DONE,
            )
            .order_by("-finished_at")
            .first()
        )
        columns.append({"scenario": scenario, "run": run})
    per_spec: dict[str, list] = defaultdict(lambda: [None] * len(columns))
    for i, col in enumerate(columns):
        if col["run"] is None:
            continue
        totals: dict[str, float] = defaultdict(float)
        for r in col["run"].result["required_intake"]:
            totals[r["specialty"]] += r["per_year"] or 0.0
        col["total"] = sum(totals.values())
        col["current"] = sum(r["current_per_year"] for r in col["run"].result["required_intake"])
        for spec, value in totals.items():
            per_spec[spec][i] = value
    rows = [
        {"code": code, "specialty": spec_names.get(code, code), "values": values}
        for code, values in sorted(per_spec.items(), key=lambda kv: spec_names.get(kv[0], kv[0]))
    ]
    return columns, rows
