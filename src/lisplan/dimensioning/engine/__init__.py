"""The dimensioning engine: how many doctors to start in each specialty and region.

    from lisplan.dimensioning.engine import run

    result = run(document, draws=1000, seed=1, progress=report)

`document` is an input document (`lisplan-dimensioning/1`, docs/dimensioning-format.md); the
result is the output document (`lisplan-dimensioning-result/1`) with the fixed parts of the
format (`required_intake`, `projection`) and these additions (decision 0009):

- `projection` rows also carry completions, imports and exits (heads) and, with draws,
  `gap_p10/p50/p90`, `supply_p10/p90` and `demand_p10/p90`;
- `intake_path`: the smooth intake path per specialty, region and year (`smooth.py`);
- `waterfall`: per specialty and region, gap in base year → completions, imports, exits, demand
  growth → gap in target year (FTE), under today's intake;
- `tornado`: per specialty and region and varied parameter, the required intake at the low and
  the high value;
- `age_pyramid`: today's specialists per specialty, region, five-year age band and sex;
- `checks`: the stock-flow closure (largest error over all years and cells) and the agreement of
  the Monte Carlo formulation with the year-by-year projection at the point values;
- `warnings`: input that parses but does not hang together, as {code, message, …}.

Pure Python and numpy: no Django, no files, no database. `progress(fraction, message)` is called
now and then.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .model import RESULT_FORMAT, SEXES, InvalidInput, Problem, parse
from .montecarlo import draw_values, point_values, simulate, tornado
from .project import CLOSURE_TOLERANCE, project, required_intake
from .smooth import smooth_path

__all__ = ["InvalidInput", "Problem", "parse", "run", "check_draws", "DEFAULT_DRAWS", "MAX_DRAWS"]

DEFAULT_DRAWS = 1000
MAX_DRAWS = 20000
# draws × cells × years: the Monte Carlo holds a few arrays of this size (8 bytes each); the
# national model (184 cells, 19 years) allows about 3,400 draws.
MAX_DRAW_CELLS = 12_000_000
Progress = Callable[[float, str], None]


def _r(value: float, digits: int = 4) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, digits)


def run(
    document: dict, draws: int = DEFAULT_DRAWS, seed: int = 0, progress: Progress | None = None
) -> dict:
    """The output document for an input document. `draws` is used only when the input has
    `uncertainty` rows (0 switches the Monte Carlo off)."""
    report = progress or (lambda _f, _m: None)
    if not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise InvalidInput(
            [
                {
                    "field": "draws",
                    "code": "out_of_range",
                    "message": f"draws must be from 0 to {MAX_DRAWS}",
                }
            ]
        )
    p = parse(document)
    check_draws(p, draws)
    report(0.05, "input read")
    proj = project(p)
    c_star, _effect = required_intake(p)
    report(0.15, "projection done")

    point = simulate(p, {k: v[None] for k, v in point_values(p).items()})
    mc_error = float(np.abs(point.supply[0] - proj.supply).max(initial=0))
    zero = project(p, np.zeros_like(p.starts))
    U = _survival_after_joining(p)
    path = smooth_path(p, zero.gap, U)
    report(0.25, "smooth path done")

    sim = None
    if p.uncertainty and draws > 0:
        rng = np.random.default_rng(seed)
        values = draw_values(p, draws, rng)
        sim = simulate(p, values, progress=lambda f, m: report(0.25 + 0.6 * f, m))
        report(0.85, "Monte Carlo done")
    swings = tornado(p)
    report(0.95, "tornado done")

    stock = max(1.0, float(proj.heads.max(initial=0)))
    closed = proj.closure_error <= CLOSURE_TOLERANCE * stock
    warnings = list(p.warnings)
    if not closed:
        warnings.append({"code": "closure_failed", "message": "the stock-flow does not close"})
    return _document(
        p,
        proj,
        c_star,
        path,
        sim,
        swings,
        warnings,
        {
            "closure_max_error": proj.closure_error,
            "closed": closed,
            "montecarlo_max_difference": mc_error,
            "montecarlo_consistent": mc_error <= CLOSURE_TOLERANCE * stock,
        },
        draws if sim is not None else 0,
        seed,
    )


def check_draws(p: Problem, draws: int) -> None:
    """InvalidInput when the Monte Carlo would need too much memory for this input."""
    if p.uncertainty and draws * p.n_cells * (p.horizon + 1) > MAX_DRAW_CELLS:
        most = MAX_DRAW_CELLS // (p.n_cells * (p.horizon + 1))
        raise InvalidInput(
            [
                {
                    "field": "draws",
                    "code": "out_of_range",
                    "message": f"too many draws for this input: at most {most}",
                }
            ]
        )


def _survival_after_joining(p: Problem) -> np.ndarray:
    """U[k, n]: the share of new specialists still in the stock n years after joining."""
    K, H = p.n_cells, p.horizon
    spec = p.specialty_of_cell()
    age_c = p.age_at_completion[spec]
    U = np.zeros((K, H + 1))
    for x, share in ((0, p.female_share[spec]), (1, 1 - p.female_share[spec])):
        alive = np.ones(K)
        for n in range(H + 1):
            age = age_c + n
            U[:, n] += share * np.where(age <= p.max_age, alive, 0.0)
            rate = p.exit_rates[spec, x, np.minimum(age, p.max_age)]
            alive = alive * np.where(age + 1 <= p.max_age, 1 - rate, 0.0)
    return U


def _document(p, proj, c_star, path, sim, swings, warnings, checks, draws, seed) -> dict:
    cells = p.cells
    years = p.years
    required = []
    pct = None
    if sim is not None:
        intake = np.maximum(sim.intake, 0)
        with np.errstate(all="ignore"):
            pct = {
                q: (
                    np.nanpercentile(intake, q, axis=0)
                    if np.isfinite(intake).any()
                    else np.full(p.n_cells, np.nan)
                )
                for q in (10, 50, 90)
            }
        band = {
            name: np.percentile(arr, [10, 50, 90], axis=0)
            for name, arr in (("gap", sim.gap), ("supply", sim.supply), ("demand", sim.demand))
        }
    for k, (spec, reg) in enumerate(cells):
        c = c_star[k]
        row = {
            "specialty": spec,
            "region": reg,
            "per_year": None if math.isnan(c) else _r(max(c, 0.0)),
            "per_year_rounded": None if math.isnan(c) else math.ceil(max(c, 0.0) - 1e-9),
            "current_per_year": _r(p.current_starts[k]),
        }
        if pct is not None:
            row.update({f"p{q}": _r(pct[q][k]) for q in (10, 50, 90)})
        required.append(row)
    projection = []
    for k, (spec, reg) in enumerate(cells):
        for j, year in enumerate(years):
            row = {
                "specialty": spec,
                "region": reg,
                "year": year,
                "specialists": _r(proj.heads[k, j]),
                "trainees": _r(proj.trainees[k, j]),
                "supply_fte": _r(proj.supply[k, j]),
                "demand_fte": _r(proj.demand[k, j]),
                "gap_fte": _r(proj.gap[k, j]),
                "completions": _r(proj.completions[k, j]),
                "imports": _r(proj.imports[k, j]),
                "exits": _r(proj.exits[k, j]),
            }
            if sim is not None:
                row.update(
                    {
                        "gap_p10": _r(band["gap"][0, k, j]),
                        "gap_p50": _r(band["gap"][1, k, j]),
                        "gap_p90": _r(band["gap"][2, k, j]),
                        "supply_p10": _r(band["supply"][0, k, j]),
                        "supply_p90": _r(band["supply"][2, k, j]),
                        "demand_p10": _r(band["demand"][0, k, j]),
                        "demand_p90": _r(band["demand"][2, k, j]),
                    }
                )
            projection.append(row)
    intake_path = [
        {"specialty": spec, "region": reg, "year": year, "starts": _r(path[k, j], 2)}
        for k, (spec, reg) in enumerate(cells)
        for j, year in enumerate(years)
    ]
    waterfall = [
        {
            "specialty": spec,
            "region": reg,
            "gap_base": _r(proj.gap[k, 0]),
            "completions": _r(proj.completions_fte[k].sum()),
            "imports": _r(proj.imports_fte[k].sum()),
            "exits": _r(-proj.exits_fte[k].sum()),
            "demand_growth": _r(-(proj.demand[k, -1] - proj.demand[k, 0])),
            "gap_target": _r(proj.gap[k, -1]),
        }
        for k, (spec, reg) in enumerate(cells)
    ]
    tornado_rows = []
    for param, s_code, r_code, lo, hi, at_lo, at_hi in swings:
        for k, (spec, reg) in enumerate(cells):
            if s_code not in ("*", spec) or r_code not in ("*", reg):
                continue
            if lo[k] == hi[k]:
                continue
            tornado_rows.append(
                {
                    "specialty": spec,
                    "region": reg,
                    "param": param,
                    "lo": _r(lo[k], 6),
                    "hi": _r(hi[k], 6),
                    "intake_lo": _r(max(at_lo[k], 0.0)),
                    "intake_hi": _r(max(at_hi[k], 0.0)),
                }
            )
    pyramid = []
    A = p.max_age + 1
    for k, (spec, reg) in enumerate(cells):
        for band_lo in range(0, A, 5):
            for x, sex in enumerate(SEXES):
                heads = float(p.heads[k, x, band_lo : band_lo + 5].sum())
                if heads:
                    pyramid.append(
                        {
                            "specialty": spec,
                            "region": reg,
                            "age_from": band_lo,
                            "age_to": min(band_lo + 4, p.max_age),
                            "sex": sex,
                            "heads": _r(heads),
                        }
                    )
    return {
        "format": RESULT_FORMAT,
        "base_year": p.base_year,
        "target_year": p.target_year,
        "draws": draws,
        "seed": seed,
        "required_intake": required,
        "projection": projection,
        "intake_path": intake_path,
        "waterfall": waterfall,
        "tornado": tornado_rows,
        "age_pyramid": pyramid,
        "checks": checks,
        "warnings": warnings,
    }
