"""The projection for many parameter draws at once (Monte Carlo and the tornado chart).

The year-by-year stock-flow (`project.py`) is linear in the stock, so the supply at the start of
year j is a sum over survival probabilities:

    supply_j = Σ_{x,a} F0[x, a] · S_j(a)  +  Σ_{y=1..j} joins_y · fte_new · U_{j−y}

where S_n(a) = Π_{i<n} (1 − x(a+i)) (zero once the age passes max_age) is the chance that a
specialist aged a at the start is still in the stock n years on, and U_n the same for a new
specialist joining at age_at_completion (averaged over sex). Survival depends only on the exit
profile (specialty, sex and the draw's exit-rate factor), so it is computed once per profile for
all draws together: arrays [draws, profiles, ages], no loop over draws. `test_engine` checks
that this gives exactly the supply of `project.project` for the point values.

Draws: each `uncertainty` row is one random variable, uniform on [lo, hi], shared by every cell
for which the row is the most specific match (a `"*"` row moves all specialties together).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .model import UNCERTAIN_PARAMS, Problem
from .project import demand, join_heads

Progress = Callable[[float, str], None]


@dataclass
class Simulation:
    supply: np.ndarray  # [D, K, H+1] under the current starts
    demand: np.ndarray  # [D, K, H+1]
    intake: np.ndarray  # [D, K] C* (NaN where no start completes by the target year)

    @property
    def gap(self) -> np.ndarray:
        return self.supply - self.demand


def point_values(p: Problem) -> dict[str, np.ndarray]:
    return {
        "demand_growth": p.demand_growth,
        "unmet_share": p.unmet_share,
        "completion_rate": p.completion_rate,
        "fte_new_specialist": p.fte_new,
        "imports": p.imports,
        "exit_rate_factor": np.ones(p.n_cells),
    }


def draw_values(p: Problem, draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """[D, K] per parameter: the point value, or the cell's variable's draw."""
    u = rng.random((draws, len(p.uncertainty)))
    lo = np.array([v.lo for v in p.uncertainty])
    hi = np.array([v.hi for v in p.uncertainty])
    sample = lo + (hi - lo) * u  # [D, V]
    out = {}
    for param, point in point_values(p).items():
        idx = p.uncertainty_index[param]
        values = np.repeat(point[None, :], draws, axis=0).astype(float)
        has = idx >= 0
        if has.any():
            values[:, has] = sample[:, idx[has]]
        out[param] = values
    return out


def simulate(
    p: Problem,
    values: dict[str, np.ndarray],
    progress: Progress | None = None,
) -> Simulation:
    """Supply, demand and required intake for every draw; `values[param]` is [D, K]."""
    D = next(iter(values.values())).shape[0]
    K, H, A, M = p.n_cells, p.horizon, p.max_age + 1, p.max_age
    spec = p.specialty_of_cell()
    factor = values["exit_rate_factor"]
    cr, fte_new, imports = (
        values["completion_rate"],
        values["fte_new_specialist"],
        values["imports"],
    )

    # Exit profiles: (exit rates by age, factor column). Cells sharing a factor variable share the
    # factor's draws; a cell without one has factor 1 in every draw.
    fidx = p.uncertainty_index["exit_rate_factor"]
    profiles: dict[tuple[bytes, int], int] = {}
    prof_of = np.zeros((K, 2), dtype=int)
    rep_cell: list[int] = []
    for k in range(K):
        for x in range(2):
            key = (p.exit_rates[spec[k], x].tobytes(), int(fidx[k]))
            if key not in profiles:
                profiles[key] = len(profiles)
                rep_cell.append((k, x))
            prof_of[k, x] = profiles[key]
    P = len(profiles)
    ext = A + H
    q = np.zeros((D, P, ext))
    for i, (k, x) in enumerate(rep_cell):
        rates = np.clip(factor[:, k, None] * p.exit_rates[spec[k], x][None, :M], 0, 1)
        q[:, i, :M] = 1.0 - rates  # from age b to b+1 for b < max_age; none past it

    age_c = p.age_at_completion[spec]
    share = np.stack([p.female_share[spec], 1 - p.female_share[spec]], axis=1)
    # Per profile: its cells and their FTE by age (both sexes summed where they share it).
    cells_of, weights = [], []
    for i in range(P):
        cells = sorted({k for k in range(K) for x in range(2) if prof_of[k, x] == i})
        w = np.zeros((len(cells), A))
        for j, k in enumerate(cells):
            for x in range(2):
                if prof_of[k, x] == i:
                    w[j] += p.fte[k, x]
        cells_of.append(np.array(cells, dtype=int))
        weights.append(w)

    surv = np.ones((D, P, A))  # S_n(a) for the current n
    supply0 = np.zeros((D, K, H + 1))
    U = np.zeros((D, K, H + 1))
    for n in range(H + 1):
        if n > 0:
            # S_n(a) = S_{n-1}(a) · q(a + n − 1)
            surv *= q[:, :, n - 1 : n - 1 + A]
        for i in range(P):
            supply0[:, cells_of[i], n] += surv[:, i] @ weights[i].T
        for x in range(2):
            U[:, :, n] += share[:, x] * surv[:, prof_of[:, x], age_c]
        if progress is not None and n % 5 == 0:
            progress(0.1 + 0.6 * n / max(H, 1), "survival")

    # Joins: completions (scaled by each draw's completion rate) and imports.
    comp_heads, _imp = join_heads(p, p.starts, np.ones(K), np.zeros(K))  # before the rate
    joins = (
        cr[:, :, None] * comp_heads[None]
        + imports[:, :, None] * (np.arange(H + 1) >= 1)[None, None, :]
    )
    joins_fte = joins * fte_new[:, :, None]
    supply = supply0.copy()
    for j in range(1, H + 1):
        # Σ_{y=1..j} joins_y · U_{j−y}
        supply[:, :, j] += np.einsum(
            "dky,dky->dk", joins_fte[:, :, 1 : j + 1], U[:, :, j - 1 :: -1][:, :, :j]
        )

    dem = demand(
        p, values["demand_growth"], values["unmet_share"], np.repeat(p.demand_fte[None], D, axis=0)
    )

    # Balance-year rule per draw: effect of one start a year on the target-year supply.
    tr = p.training_years[spec]
    effect = np.zeros((D, K))
    for k in range(K):
        for s in range(H + 1):
            j = s + tr[k]
            if 1 <= j <= H:
                effect[:, k] += U[:, k, H - j]
    effect *= cr * fte_new
    zero_comp, _ = join_heads(p, np.zeros_like(p.starts), np.ones(K), np.zeros(K))
    joins0 = (
        cr[:, :, None] * zero_comp[None]
        + imports[:, :, None] * (np.arange(H + 1) >= 1)[None, None, :]
    )
    supply_t0 = (
        supply0[:, :, H]
        + np.einsum(
            "dky,dky->dk", (joins0 * fte_new[:, :, None])[:, :, 1:], U[:, :, H - 1 :: -1][:, :, :H]
        )
        if H > 0
        else supply0[:, :, H]
    )
    gap0 = supply_t0 - dem[:, :, H]
    with np.errstate(divide="ignore", invalid="ignore"):
        intake = np.where(effect > 1e-12, -gap0 / np.where(effect > 1e-12, effect, 1.0), np.nan)
    return Simulation(supply=supply, demand=dem, intake=intake)


def tornado(
    p: Problem,
) -> list[tuple[str, str, str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per varied parameter: (param, specialty, region, lo [K], hi [K], intake at lo [K],
    intake at hi [K]), one at a time with everything else at its point value. The parameters
    are the `uncertainty` rows, or, without any, the default swings in DEFAULT_SWINGS."""
    points = point_values(p)
    K = p.n_cells
    cases = []
    if p.uncertainty:
        for v, var in enumerate(p.uncertainty):
            idx = p.uncertainty_index[var.param]
            mask = idx == v
            lo = np.where(mask, var.lo, points[var.param])
            hi = np.where(mask, var.hi, points[var.param])
            cases.append((var.param, var.specialty, var.region, lo, hi))
    else:
        for param, (kind, amount) in DEFAULT_SWINGS.items():
            point = points[param]
            if kind == "abs":
                lo, hi = point - amount, point + amount
            else:
                lo, hi = point * (1 - amount), point * (1 + amount)
            if param in ("completion_rate",):
                lo, hi = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
            lo = np.maximum(lo, 0) if param in ("imports", "fte_new_specialist") else lo
            cases.append((param, "*", "*", lo, hi))
    if not cases:
        return []
    D = 2 * len(cases)
    values = {
        param: np.repeat(point[None, :], D, axis=0).astype(float) for param, point in points.items()
    }
    for c, (param, _s, _r, lo, hi) in enumerate(cases):
        values[param][2 * c] = lo
        values[param][2 * c + 1] = hi
    sim = simulate(p, values)
    return (
        [
            (param, s, r, lo, hi, sim.intake[2 * c], sim.intake[2 * c + 1])
            for c, (param, s, r, lo, hi) in enumerate(cases)
        ]
        if K
        else []
    )


# Without `uncertainty` rows the tornado swings each parameter by these amounts (absolute, or
# relative to the point value).
DEFAULT_SWINGS: dict[str, tuple[str, float]] = {
    "demand_growth": ("abs", 0.005),
    "unmet_share": ("abs", 0.02),
    "completion_rate": ("abs", 0.05),
    "fte_new_specialist": ("rel", 0.05),
    "imports": ("rel", 0.5),
    "exit_rate_factor": ("rel", 0.2),
}
assert set(DEFAULT_SWINGS) == set(UNCERTAIN_PARAMS)
