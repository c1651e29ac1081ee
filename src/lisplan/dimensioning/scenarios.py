"""Scenario parameters and how they change an input document. Pure Python; no Django.

A scenario is a small set of named parameters (all optional) applied to the input built from
the database (or to any input document):

| parameter | meaning | default |
| --- | --- | --- |
| `demography` | demand grows with the population projection (age-weighted, per region) | true |
| `extra_growth` | growth per year on top of demography («standard growth», 0.005 = 0.5 %) | 0 |
| `working_time_factor` | FTE per head of every specialist and new specialist × factor | 1 |
| `retirement_shift_years` | exit rates from age 60 apply this many years later; max_age too | 0 |
| `imports_factor` | imports × factor | 1 |
| `intake_path` | starts per specialty, region and year: [{specialty, region, year, per_year}] | — |
| `intake_factor` | today's starts × factor (when no path is given) | 1 |
| `base_year`, `target_year` | the years of the projection | this year, +18 |
"""

from __future__ import annotations

import copy

RETIREMENT_FROM_AGE = 60
MAX_SHIFT = 10

DEFAULTS = {
    "demography": True,
    "extra_growth": 0.0,
    "working_time_factor": 1.0,
    "retirement_shift_years": 0,
    "imports_factor": 1.0,
    "intake_factor": 1.0,
}

# The scenarios every installation starts with (name, description, params).
STANDARD: list[tuple[str, str, dict]] = [
    ("Kun demografi", "Etterspørselen vokser bare med befolkningen (alder og region).", {}),
    ("Standardvekst 0,5 %", "Demografi pluss 0,5 % vekst i året.", {"extra_growth": 0.005}),
    ("Standardvekst 1,0 %", "Demografi pluss 1,0 % vekst i året.", {"extra_growth": 0.01}),
    ("Standardvekst 1,5 %", "Demografi pluss 1,5 % vekst i året.", {"extra_growth": 0.015}),
    (
        "Kortere arbeidstid",
        "Demografi pluss 1,0 % vekst; 5 % færre årsverk per spesialist.",
        {"extra_growth": 0.01, "working_time_factor": 0.95},
    ),
    (
        "Senere pensjonering",
        "Demografi pluss 1,0 % vekst; avgang fra 60 år skjer to år senere.",
        {"extra_growth": 0.01, "retirement_shift_years": 2},
    ),
    (
        "Færre fra utlandet",
        "Demografi pluss 1,0 % vekst; halvparten så mange spesialister fra utlandet.",
        {"extra_growth": 0.01, "imports_factor": 0.5},
    ),
    (
        "Egen opptaksplan",
        "Demografi pluss 1,0 % vekst; 20 % flere oppstarter i året enn i dag.",
        {"extra_growth": 0.01, "intake_factor": 1.2},
    ),
]


class InvalidParams(ValueError):
    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


RANGES = {
    "extra_growth": (-0.05, 0.1),
    "working_time_factor": (0.5, 1.5),
    "imports_factor": (0.0, 5.0),
    "intake_factor": (0.0, 5.0),
}


def validate(params) -> dict:
    """The params with defaults filled in; InvalidParams lists every problem (English; the
    app shows its own words per field)."""
    errors = []
    if not isinstance(params, dict):
        raise InvalidParams(
            [{"field": "params", "code": "invalid", "message": "params must be an object"}]
        )
    known = set(DEFAULTS) | {"intake_path", "base_year", "target_year"}
    for key in params:
        if key not in known:
            errors.append({"field": key, "code": "unknown", "message": f"unknown parameter {key}"})
    out = {**DEFAULTS, **params}
    if not isinstance(out["demography"], bool):
        errors.append({"field": "demography", "code": "invalid", "message": "true or false"})
    for key, (lo, hi) in RANGES.items():
        if not _number(out[key]) or not lo <= out[key] <= hi:
            errors.append(
                {
                    "field": key,
                    "code": "out_of_range",
                    "message": f"{key} must be a number from {lo} to {hi}",
                }
            )
    shift = out["retirement_shift_years"]
    if not isinstance(shift, int) or isinstance(shift, bool) or not 0 <= shift <= MAX_SHIFT:
        errors.append(
            {
                "field": "retirement_shift_years",
                "code": "out_of_range",
                "message": f"a whole number of years from 0 to {MAX_SHIFT}",
            }
        )
    for key in ("base_year", "target_year"):
        if key in out and (not isinstance(out[key], int) or not 2000 <= out[key] <= 2100):
            errors.append(
                {
                    "field": key,
                    "code": "out_of_range",
                    "message": f"{key} must be a year from 2000 to 2100",
                }
            )
    if (
        "base_year" in out
        and "target_year" in out
        and not errors
        and out["target_year"] <= out["base_year"]
    ):
        errors.append(
            {
                "field": "target_year",
                "code": "invalid",
                "message": "target_year must be after base_year",
            }
        )
    path = out.get("intake_path")
    if path is not None and (
        not isinstance(path, list)
        or not all(
            isinstance(r, dict)
            and isinstance(r.get("specialty"), str)
            and isinstance(r.get("region"), str)
            and isinstance(r.get("year"), int)
            and _number(r.get("per_year"))
            and r["per_year"] >= 0
            for r in path
        )
    ):
        errors.append(
            {
                "field": "intake_path",
                "code": "invalid",
                "message": "intake_path rows need specialty, region, year and per_year ≥ 0",
            }
        )
    if errors:
        raise InvalidParams(errors)
    return out


def apply(
    document: dict,
    params: dict,
    demographic_growth: dict[str, float] | None = None,
) -> dict:
    """A copy of `document` changed by the scenario. `demographic_growth` is the population-
    driven growth per region (from the projections); without it demography adds nothing."""
    p = validate(params)
    doc = copy.deepcopy(document)
    growth = demographic_growth or {}
    rows = []
    for region in doc["regions"]:
        g = (growth.get(region, 0.0) if p["demography"] else 0.0) + p["extra_growth"]
        rows.append({"specialty": "*", "region": region, "per_year": round(g, 6)})
    doc["demand_growth"] = rows
    if p["working_time_factor"] != 1:
        f = p["working_time_factor"]
        for row in doc.get("specialists", []):
            row["fte_per_head"] = round(row.get("fte_per_head", 1.0) * f, 6)
        for row in doc.get("specialties", []):
            row["fte_new_specialist"] = round(min(2.0, row["fte_new_specialist"] * f), 6)
    shift = p["retirement_shift_years"]
    if shift:
        doc["max_age"] = min(110, doc["max_age"] + shift)
        for row in doc.get("exit_rates", []):
            if row["age_from"] >= RETIREMENT_FROM_AGE:
                row["age_from"] += shift
            if row["age_to"] >= RETIREMENT_FROM_AGE:
                row["age_to"] += shift
    if p["imports_factor"] != 1:
        for row in doc.get("imports", []):
            row["per_year"] = round(row["per_year"] * p["imports_factor"], 6)
    if p.get("intake_path"):
        doc["starts"] = list(doc.get("starts", [])) + [dict(r) for r in p["intake_path"]]
    elif p["intake_factor"] != 1:
        for row in doc.get("starts", []):
            row["per_year"] = round(row["per_year"] * p["intake_factor"], 6)
    return doc
