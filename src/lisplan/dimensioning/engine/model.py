"""Reading and checking an input document (`lisplan-dimensioning/1`, docs/dimensioning-format.md)
into arrays the projection works on. Pure Python and numpy; no Django.

Cells are (specialty, region) pairs, `k = specialty_index * len(regions) + region_index`. Stocks
are arrays `[cell, sex, age]` with sex 0 = «K», 1 = «M» and age 0..max_age. Years are indexed
from 0 (= `base_year`) to `H = target_year - base_year`.

Wildcards: `"*"` matches any specialty, region or sex; where several rows match, the most
specific one wins (a named specialty before a named region before a named sex before `*`); among
equally specific rows the last one in the file wins (decision 0009).

Extensions to the format (all optional; decision 0009):

- `starts` rows may carry `"year"`: that row sets the starts of that one year (a user-defined
  intake path); rows without `year` set every other year.
- `capacity`: `[{"specialty", "region", "per_year"}]`, the most starts a year the smooth intake
  path may propose (no row: unbounded).
- `smoothing`: `{"penalty": 1.0}`, the weight of year-to-year change in the smooth path.
- `specialties[].female_share`: the share of new specialists who are women (default 0.5).
- `uncertainty` rows may name a `region` (default `"*"`). Parameters: `demand_growth`,
  `unmet_share`, `completion_rate`, `fte_new_specialist`, `imports` (values), and
  `exit_rate_factor` (a factor on every exit rate, 1 = as given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

FORMAT = "lisplan-dimensioning/1"
RESULT_FORMAT = "lisplan-dimensioning-result/1"
SEXES = ("K", "M")
MAX_HORIZON = 100
UNCERTAIN_PARAMS = (
    "demand_growth",
    "unmet_share",
    "completion_rate",
    "fte_new_specialist",
    "imports",
    "exit_rate_factor",
)
# Bounds per parameter for both point values and uncertainty ranges.
PARAM_BOUNDS = {
    "demand_growth": (-0.5, 1.0),
    "unmet_share": (-0.99, 10.0),
    "completion_rate": (0.0, 1.0),
    "fte_new_specialist": (0.0, 2.0),
    "imports": (0.0, 1e6),
    "exit_rate_factor": (0.0, 20.0),
}


class InvalidInput(ValueError):
    """The document cannot be used; `errors` lists every problem as {field, code, message}."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]))
        self.errors = errors


@dataclass
class UncertainVar:
    """One uncertainty row: one random variable, uniform on [lo, hi], shared by every cell the
    row is the most specific match for."""

    param: str
    specialty: str
    region: str
    lo: float
    hi: float


@dataclass
class Problem:
    base_year: int
    target_year: int
    max_age: int
    regions: list[str]
    specialties: list[str]
    # per specialty
    training_years: np.ndarray  # int [S]
    age_at_completion: np.ndarray  # int [S]
    female_share: np.ndarray  # [S]
    # per cell (point values)
    completion_rate: np.ndarray  # [K]
    fte_new: np.ndarray  # [K]
    imports: np.ndarray  # [K] heads a year from base_year + 1
    demand_fte: np.ndarray  # [K]
    unmet_share: np.ndarray  # [K]
    demand_growth: np.ndarray  # [K]
    capacity: np.ndarray  # [K], inf where none
    # stocks
    heads: np.ndarray  # [K, 2, A]
    fte: np.ndarray  # [K, 2, A] heads x FTE per head
    exit_rates: np.ndarray  # [S, 2, A]
    # pipeline: heads joining (before completion_rate) per year index 1..H, [K, H+1]
    pipeline_joins: np.ndarray
    # heads in training per year from the trainees rows, [K, H+1]
    pipeline_in_training: np.ndarray
    starts: np.ndarray  # [K, H+1] starts per year under current policy
    current_starts: np.ndarray  # [K] today's starts (rows without year)
    smoothing_penalty: float = 1.0
    uncertainty: list[UncertainVar] = field(default_factory=list)
    # per parameter: [K] index into `uncertainty`, -1 where no row matches
    uncertainty_index: dict[str, np.ndarray] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)

    @property
    def horizon(self) -> int:
        return self.target_year - self.base_year

    @property
    def years(self) -> list[int]:
        return list(range(self.base_year, self.target_year + 1))

    @property
    def cells(self) -> list[tuple[str, str]]:
        return [(s, r) for s in self.specialties for r in self.regions]

    @property
    def n_cells(self) -> int:
        return len(self.specialties) * len(self.regions)

    def specialty_of_cell(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.specialties)), len(self.regions))


def _num(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Reader:
    def __init__(self):
        self.errors: list[dict] = []

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append({"field": path, "code": code, "message": message})

    def number(
        self,
        row: dict,
        key: str,
        path: str,
        lo: float | None = None,
        hi: float | None = None,
        integer: bool = False,
        default=None,
    ):
        where = key if path == "$" else f"{path}.{key}"
        if key not in row:
            if default is not None:
                return default
            self.error(where, "required", f"{key} is required")
            return None
        value = row[key]
        if not _num(value) or (integer and int(value) != value):
            self.error(
                where,
                "invalid",
                f"{key} must be {'a whole number' if integer else 'a number'}",
            )
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.error(where, "out_of_range", f"{key} must be between {lo} and {hi}")
            return None
        return int(value) if integer else float(value)

    def rows(self, doc: dict, key: str, required: bool = True) -> list[dict]:
        value = doc.get(key)
        if value is None:
            if required:
                self.error(key, "required", f"{key} is required")
            return []
        if not isinstance(value, list):
            self.error(key, "invalid", f"{key} must be a list")
            return []
        out = []
        for i, row in enumerate(value):
            if isinstance(row, dict):
                out.append(row)
            else:
                self.error(f"{key}[{i}]", "invalid", "each row must be an object")
        return out

    def code(
        self,
        row: dict,
        key: str,
        path: str,
        known: list[str] | tuple[str, ...],
        wildcard: bool = True,
    ) -> str | None:
        value = row.get(key, "*" if wildcard else None)
        if value == "*" and wildcard:
            return "*"
        if not isinstance(value, str) or value not in known:
            self.error(f"{path}.{key}", "unknown", f"unknown {key} {value!r}")
            return None
        return value


def _specificity(*values: str) -> int:
    """Rank of a wildcard row: a named specialty counts most, then region, then sex."""
    return sum((value != "*") << (len(values) - i - 1) for i, value in enumerate(values))


def parse(doc) -> Problem:
    """The problem of an input document; InvalidInput lists every error with its path."""
    r = _Reader()
    if not isinstance(doc, dict):
        raise InvalidInput([{"field": "", "code": "invalid", "message": "expected an object"}])
    if doc.get("format") != FORMAT:
        r.error("format", "invalid", f"format must be {FORMAT!r}")
    base = r.number(doc, "base_year", "$", 1900, 2200, integer=True)
    target = r.number(doc, "target_year", "$", 1900, 2300, integer=True)
    max_age = r.number(doc, "max_age", "$", 30, 110, integer=True)
    if base is not None and target is not None and not 0 <= target - base <= MAX_HORIZON:
        r.error(
            "target_year",
            "out_of_range",
            f"target_year must be from base_year to base_year + {MAX_HORIZON}",
        )
    regions = doc.get("regions")
    if (
        not isinstance(regions, list)
        or not regions
        or not all(isinstance(x, str) and x and x != "*" for x in regions)
        or len(set(regions)) != len(regions)
    ):
        r.error("regions", "invalid", "regions must be a non-empty list of distinct names")
        regions = []
    spec_rows = r.rows(doc, "specialties")
    if not spec_rows:
        r.error("specialties", "required", "at least one specialty is required")
    if any(e["field"] != "format" for e in r.errors):
        raise InvalidInput(r.errors)  # without years, ages and lists nothing else can be read

    A = max_age + 1
    H = target - base
    codes: list[str] = []
    tr, age_c, fshare, cr_s, fte_s = [], [], [], [], []
    for i, row in enumerate(spec_rows):
        path = f"specialties[{i}]"
        code = row.get("code")
        if not isinstance(code, str) or not code or code == "*" or code in codes:
            r.error(f"{path}.code", "invalid", "code must be a distinct, non-empty name")
            code = f"?{i}"
        codes.append(code)
        tr.append(r.number(row, "training_years", path, 0, 30, integer=True) or 0)
        age_c.append(r.number(row, "age_at_completion", path, 18, max_age, integer=True) or 0)
        cr_s.append(r.number(row, "completion_rate", path, 0, 1) or 0.0)
        fte_s.append(r.number(row, "fte_new_specialist", path, 0, 2) or 0.0)
        fshare.append(r.number(row, "female_share", path, 0, 1, default=0.5))
    S, R = len(codes), len(regions)
    K = S * R
    sidx = {c: i for i, c in enumerate(codes)}
    ridx = {c: i for i, c in enumerate(regions)}

    def cell_matches(spec: str, reg: str) -> list[int]:
        ss = range(S) if spec == "*" else [sidx[spec]]
        rr = range(R) if reg == "*" else [ridx[reg]]
        return [s * R + q for s in ss for q in rr]

    def per_cell(
        key: str, value_key: str, lo: float, hi: float, default: float, required: bool = False
    ) -> np.ndarray:
        """A per-cell parameter from wildcard rows {specialty, region, value_key}."""
        out = np.full(K, default, dtype=float)
        rank = np.full(K, -1)
        for i, row in enumerate(r.rows(doc, key, required=required)):
            path = f"{key}[{i}]"
            spec = r.code(row, "specialty", path, codes)
            reg = r.code(row, "region", path, regions)
            value = r.number(row, value_key, path, lo, hi)
            if spec is None or reg is None or value is None:
                continue
            rk = _specificity(spec, reg)
            for k in cell_matches(spec, reg):
                if rk >= rank[k]:
                    out[k], rank[k] = value, rk
        return out

    imports = per_cell("imports", "per_year", 0, 1e6, 0.0)
    growth = per_cell("demand_growth", "per_year", -0.5, 1.0, 0.0)
    capacity = per_cell("capacity", "per_year", 0, 1e6, np.inf)

    # Demand: one row per cell (no wildcards); missing cells get zero demand and a warning.
    demand = np.zeros(K)
    unmet = np.zeros(K)
    seen = np.zeros(K, dtype=bool)
    for i, row in enumerate(r.rows(doc, "demand")):
        path = f"demand[{i}]"
        spec = r.code(row, "specialty", path, codes, wildcard=False)
        reg = r.code(row, "region", path, regions, wildcard=False)
        fte = r.number(row, "fte", path, 0, 1e7)
        share = r.number(row, "unmet_share", path, -0.99, 10, default=0.0)
        if spec is None or reg is None or fte is None or share is None:
            continue
        k = sidx[spec] * R + ridx[reg]
        if seen[k]:
            r.error(path, "duplicate", f"two demand rows for {spec} in {reg}")
        demand[k], unmet[k], seen[k] = fte, share, True

    heads = np.zeros((K, 2, A))
    fte = np.zeros((K, 2, A))
    warnings: list[dict] = []
    dropped_old = 0.0
    for i, row in enumerate(r.rows(doc, "specialists")):
        path = f"specialists[{i}]"
        spec = r.code(row, "specialty", path, codes, wildcard=False)
        reg = r.code(row, "region", path, regions, wildcard=False)
        sex = r.code(row, "sex", path, SEXES, wildcard=False)
        age = r.number(row, "age", path, 0, 130, integer=True)
        n = r.number(row, "heads", path, 0, 1e7)
        per = r.number(row, "fte_per_head", path, 0, 2, default=1.0)
        if None in (spec, reg, sex, age, n, per):
            continue
        if age > max_age:
            dropped_old += n
            continue
        k = sidx[spec] * R + ridx[reg]
        heads[k, SEXES.index(sex), age] += n
        fte[k, SEXES.index(sex), age] += n * per
    if dropped_old:
        warnings.append(
            {
                "code": "specialists_over_max_age",
                "heads": dropped_old,
                "message": f"{dropped_old:g} specialists older than max_age were left out",
            }
        )

    # Exit rates per specialty, sex and age.
    exit_rates = np.zeros((S, 2, A))
    covered = np.zeros((S, 2, A), dtype=bool)
    rank = np.full((S, 2, A), -1)
    for i, row in enumerate(r.rows(doc, "exit_rates")):
        path = f"exit_rates[{i}]"
        spec = r.code(row, "specialty", path, codes)
        sex = r.code(row, "sex", path, SEXES)
        a0 = r.number(row, "age_from", path, 0, 130, integer=True)
        a1 = r.number(row, "age_to", path, 0, 130, integer=True)
        rate = r.number(row, "rate", path, 0, 1)
        if None in (spec, sex, a0, a1, rate):
            continue
        if a1 < a0:
            r.error(f"{path}.age_to", "invalid", "age_to must not be below age_from")
            continue
        rk = _specificity(spec, sex)
        ss = range(S) if spec == "*" else [sidx[spec]]
        xs = (0, 1) if sex == "*" else (SEXES.index(sex),)
        lo, hi = min(a0, A), min(a1 + 1, A)
        for s in ss:
            for x in xs:
                sel = rank[s, x, lo:hi] <= rk
                exit_rates[s, x, lo:hi][sel] = rate
                rank[s, x, lo:hi][sel] = rk
                covered[s, x, lo:hi] = True
    # Ages at which anybody can be in the stock without an exit rate: a warning, rate 0.
    reachable = (heads.sum(axis=0) > 0) | (np.arange(A) >= min(age_c or [A]))[None, :]
    gaps = (
        [
            (codes[s], SEXES[x])
            for s in range(S)
            for x in range(2)
            if (reachable[x] & ~covered[s, x]).any()
        ]
        if S
        else []
    )
    if gaps:
        warnings.append(
            {
                "code": "exit_rate_missing",
                "cells": len(gaps),
                "message": f"no exit rate for some ages in {len(gaps)} specialty/sex "
                "pairs; those ages use rate 0",
            }
        )

    # Starts: today's intake (rows without year), and per-year overrides.
    current = np.zeros(K)
    rank_c = np.full(K, -1)
    starts = np.zeros((K, H + 1))
    year_rows = []
    for i, row in enumerate(r.rows(doc, "starts", required=False)):
        path = f"starts[{i}]"
        spec = r.code(row, "specialty", path, codes)
        reg = r.code(row, "region", path, regions)
        n = r.number(row, "per_year", path, 0, 1e6)
        year = (
            r.number(row, "year", path, base, target, integer=True, default=-1)
            if "year" in row
            else None
        )
        if None in (spec, reg, n) or year == -1:
            continue
        rk = _specificity(spec, reg)
        if year is not None:
            year_rows.append((rk, spec, reg, year - base, n))
            continue
        for k in cell_matches(spec, reg):
            if rk >= rank_c[k]:
                current[k], rank_c[k] = n, rk
    starts[:] = current[:, None]
    rank_y = np.full((K, H + 1), -1)
    for rk, spec, reg, j, n in year_rows:
        for k in cell_matches(spec, reg):
            if rk >= rank_y[k, j]:
                starts[k, j], rank_y[k, j] = n, rk

    # The pipeline already in training.
    spec_of_cell = np.repeat(np.arange(S), R)
    joins = np.zeros((K, H + 1))
    in_training = np.zeros((K, H + 1))
    ignored = 0.0
    for i, row in enumerate(r.rows(doc, "trainees", required=False)):
        path = f"trainees[{i}]"
        spec = r.code(row, "specialty", path, codes, wildcard=False)
        reg = r.code(row, "region", path, regions, wildcard=False)
        n = r.number(row, "heads", path, 0, 1e7)
        has_start, has_end = "start_year" in row, "expected_completion_year" in row
        if has_start == has_end:
            r.error(path, "invalid", "give either start_year or expected_completion_year")
            continue
        key = "start_year" if has_start else "expected_completion_year"
        year = r.number(row, key, path, 1900, 2300, integer=True)
        if None in (spec, reg, n, year):
            continue
        k = sidx[spec] * R + ridx[reg]
        join = year + tr[spec_of_cell[k]] if has_start else year
        first = year if has_start else base
        for j in range(H + 1):
            if first <= base + j < join:
                in_training[k, j] += n
        if join <= base:
            ignored += n
        elif join <= target:
            joins[k, join - base] += n
    if ignored:
        warnings.append(
            {
                "code": "trainees_already_done",
                "heads": ignored,
                "message": f"{ignored:g} trainees would have completed by base_year and "
                "were left out",
            }
        )

    smoothing = doc.get("smoothing") or {}
    penalty = 1.0
    if not isinstance(smoothing, dict):
        r.error("smoothing", "invalid", "smoothing must be an object")
    else:
        penalty = r.number(smoothing, "penalty", "smoothing", 0, 1e6, default=1.0)

    # Point values per cell of the specialty parameters (uncertainty may vary them).
    cr = np.asarray(cr_s, dtype=float)[spec_of_cell] if S else np.zeros(0)
    fte_new = np.asarray(fte_s, dtype=float)[spec_of_cell] if S else np.zeros(0)

    uncertainty: list[UncertainVar] = []
    index = {p: np.full(K, -1) for p in UNCERTAIN_PARAMS}
    u_rank = {p: np.full(K, -1) for p in UNCERTAIN_PARAMS}
    for i, row in enumerate(r.rows(doc, "uncertainty", required=False)):
        path = f"uncertainty[{i}]"
        param = row.get("param")
        if param not in UNCERTAIN_PARAMS:
            r.error(
                f"{path}.param", "unknown", f"param must be one of {', '.join(UNCERTAIN_PARAMS)}"
            )
            continue
        spec = r.code(row, "specialty", path, codes)
        reg = r.code(row, "region", path, regions)
        lo_b, hi_b = PARAM_BOUNDS[param]
        lo = r.number(row, "lo", path, lo_b, hi_b)
        hi = r.number(row, "hi", path, lo_b, hi_b)
        if None in (spec, reg, lo, hi):
            continue
        if hi < lo:
            r.error(f"{path}.hi", "invalid", "hi must not be below lo")
            continue
        v = len(uncertainty)
        uncertainty.append(UncertainVar(param, spec, reg, lo, hi))
        rk = _specificity(spec, reg)
        for k in cell_matches(spec, reg):
            if rk >= u_rank[param][k]:
                index[param][k], u_rank[param][k] = v, rk

    if r.errors:
        raise InvalidInput(r.errors)

    problem = Problem(
        base_year=base,
        target_year=target,
        max_age=max_age,
        regions=list(regions),
        specialties=codes,
        training_years=np.asarray(tr, dtype=int),
        age_at_completion=np.asarray(age_c, dtype=int),
        female_share=np.asarray(fshare, dtype=float),
        completion_rate=cr,
        fte_new=fte_new,
        imports=imports,
        demand_fte=demand,
        unmet_share=unmet,
        demand_growth=growth,
        capacity=capacity,
        heads=heads,
        fte=fte,
        exit_rates=exit_rates,
        pipeline_joins=joins,
        pipeline_in_training=in_training,
        starts=starts,
        current_starts=current,
        smoothing_penalty=penalty,
        uncertainty=uncertainty,
        uncertainty_index=index,
        warnings=warnings,
    )
    problem.warnings.extend(consistency_warnings(problem, seen))
    return problem


def consistency_warnings(p: Problem, demand_seen: np.ndarray) -> list[dict]:
    """Input that parses but does not hang together: a warning each, never an error."""
    out = []
    cells = p.cells
    missing = [cells[k] for k in range(p.n_cells) if not demand_seen[k]]
    if missing:
        out.append(
            {
                "code": "demand_missing",
                "cells": len(missing),
                "message": f"no demand row for {len(missing)} specialty/region pairs; "
                "their demand is 0",
            }
        )
    supply = p.fte.sum(axis=(1, 2))
    heads = p.heads.sum(axis=(1, 2))
    odd = [
        cells[k]
        for k in range(p.n_cells)
        if demand_seen[k]
        and p.demand_fte[k] > 0
        and heads[k] > 0
        and not 0.2 <= supply[k] / p.demand_fte[k] <= 5
    ]
    if odd:
        out.append(
            {
                "code": "supply_demand_mismatch",
                "cells": len(odd),
                "message": f"in {len(odd)} specialty/region pairs today's supply is less "
                "than a fifth or more than five times the demand",
            }
        )
    no_stock = [
        cells[k]
        for k in range(p.n_cells)
        if demand_seen[k] and p.demand_fte[k] > 0 and heads[k] == 0
    ]
    if no_stock:
        out.append(
            {
                "code": "no_specialists",
                "cells": len(no_stock),
                "message": f"{len(no_stock)} specialty/region pairs have demand but no specialists",
            }
        )
    late = [p.specialties[s] for s in range(len(p.specialties)) if p.training_years[s] > p.horizon]
    if late:
        out.append(
            {
                "code": "training_beyond_target",
                "cells": len(late),
                "message": f"{len(late)} specialties take longer to train than the years "
                "to target_year; new starts cannot close their gap",
            }
        )
    per = np.divide(p.fte.sum(axis=(1, 2)), heads, out=np.zeros_like(heads), where=heads > 0)
    if (per > 1.2).any():
        out.append(
            {
                "code": "fte_per_head_high",
                "cells": int((per > 1.2).sum()),
                "message": "some specialists average more than 1.2 FTE per head",
            }
        )
    return out
