"""The stock-flow projection, year by year, with every flow kept (docs/dimensioning-format.md,
«Conventions»). Pure numpy; no Django.

    N_{t+1}[a+1] = N_t[a] · (1 − x(a))          ageing and exits; new age > max_age leaves
    N_{t+1}[age_at_completion] += joins_{t+1}   completions and imports, after the exits

The stock is kept in heads and in FTE (heads × FTE per head), which age together. Every year the
closure check asserts stock change = completions + imports − exits (in heads and in FTE); the
result carries the largest error found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Problem

CLOSURE_TOLERANCE = 1e-6


@dataclass
class Projection:
    """Per cell and year (arrays [K, H+1]); flows at index j are those between the start of
    year j-1 and the start of year j (zero at j = 0)."""

    heads: np.ndarray
    supply: np.ndarray
    demand: np.ndarray
    trainees: np.ndarray
    completions: np.ndarray  # heads joining from training
    completions_fte: np.ndarray
    imports: np.ndarray
    imports_fte: np.ndarray
    exits: np.ndarray  # heads leaving (exit rates and max_age)
    exits_fte: np.ndarray
    closure_error: float  # the largest |stock change − (completions + imports − exits)|

    @property
    def gap(self) -> np.ndarray:
        return self.supply - self.demand


def demand(
    p: Problem,
    growth: np.ndarray | None = None,
    unmet: np.ndarray | None = None,
    base: np.ndarray | None = None,
) -> np.ndarray:
    """[..., K, H+1]: fte · (1 + unmet_share) · (1 + g)^(t − base_year)."""
    growth = p.demand_growth if growth is None else growth
    unmet = p.unmet_share if unmet is None else unmet
    base = p.demand_fte if base is None else base
    t = np.arange(p.horizon + 1)
    return (base * (1 + unmet))[..., None] * (1 + growth)[..., None] ** t


def join_heads(
    p: Problem,
    starts: np.ndarray,
    completion_rate: np.ndarray | None = None,
    imports: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(completions, imports) in heads per cell and year [K, H+1]: starts in year s complete at
    the start of s + training_years; trainee rows as given; imports every year from base + 1."""
    cr = p.completion_rate if completion_rate is None else completion_rate
    imp = p.imports if imports is None else imports
    K, H = p.n_cells, p.horizon
    tr = p.training_years[p.specialty_of_cell()]
    from_starts = np.zeros((K, H + 1))
    for k in range(K):
        n = tr[k]
        if n <= H:
            # starts of year index j join at j + n; a join at index 0 (n = 0) is at base_year
            # and is ignored like any other join at or before base_year.
            src = starts[k, : H + 1 - n]
            from_starts[k, n:] = src
            from_starts[k, 0] = 0.0 if n == 0 else from_starts[k, 0]
    completions = cr[:, None] * (from_starts + p.pipeline_joins)
    imports_ = np.repeat(imp[:, None], H + 1, axis=1)
    imports_[:, 0] = 0.0
    return completions, imports_


def in_training(p: Problem, starts: np.ndarray) -> np.ndarray:
    """Heads in training during each year: the trainee rows, and starts from base_year on that
    have not yet reached their completion year."""
    tr = p.training_years[p.specialty_of_cell()]
    out = p.pipeline_in_training.copy()
    H = p.horizon
    csum = np.concatenate([np.zeros((p.n_cells, 1)), np.cumsum(starts, axis=1)], axis=1)
    j = np.arange(H + 1)
    lo = np.maximum(j[None, :] - tr[:, None] + 1, 0)
    out += (
        csum[np.arange(p.n_cells)[:, None], j[None, :] + 1]
        - csum[np.arange(p.n_cells)[:, None], lo]
    )
    return out


def project(p: Problem, starts: np.ndarray | None = None) -> Projection:
    """The deterministic projection under `starts` ([K, H+1]; default: the input's starts)."""
    starts = p.starts if starts is None else starts
    K, H = p.n_cells, p.horizon
    spec = p.specialty_of_cell()
    survive = 1.0 - p.exit_rates[spec]  # [K, 2, A]
    comp, imp = join_heads(p, starts)
    age_c = p.age_at_completion[spec]
    share = np.stack([p.female_share[spec], 1 - p.female_share[spec]], axis=1)  # [K, 2]

    heads = p.heads.copy()
    fte = p.fte.copy()
    out_heads = np.zeros((K, H + 1))
    out_supply = np.zeros((K, H + 1))
    exits = np.zeros((K, H + 1))
    exits_fte = np.zeros((K, H + 1))
    closure = 0.0
    rows = np.arange(K)
    for j in range(H + 1):
        if j > 0:
            before_h, before_f = heads.sum(axis=(1, 2)), fte.sum(axis=(1, 2))
            kept_h, kept_f = heads * survive, fte * survive
            exits[:, j] = before_h - kept_h[:, :, :-1].sum(axis=(1, 2))
            exits_fte[:, j] = before_f - kept_f[:, :, :-1].sum(axis=(1, 2))
            heads = np.zeros_like(heads)
            fte = np.zeros_like(fte)
            heads[:, :, 1:] = kept_h[:, :, :-1]
            fte[:, :, 1:] = kept_f[:, :, :-1]
            new = comp[:, j] + imp[:, j]  # heads joining at the start of year j
            for x in range(2):
                heads[rows, x, age_c] += new * share[:, x]
                fte[rows, x, age_c] += new * share[:, x] * p.fte_new
            after_h, after_f = heads.sum(axis=(1, 2)), fte.sum(axis=(1, 2))
            closure = max(
                closure,
                float(np.abs(after_h - before_h - (new - exits[:, j])).max(initial=0)),
                float(
                    np.abs(after_f - before_f - (new * p.fte_new - exits_fte[:, j])).max(initial=0)
                ),
            )
        out_heads[:, j] = heads.sum(axis=(1, 2))
        out_supply[:, j] = fte.sum(axis=(1, 2))
    return Projection(
        heads=out_heads,
        supply=out_supply,
        demand=demand(p),
        trainees=in_training(p, starts),
        completions=comp,
        completions_fte=comp * p.fte_new[:, None],
        imports=imp,
        imports_fte=imp * p.fte_new[:, None],
        exits=exits,
        exits_fte=exits_fte,
        closure_error=closure,
    )


def required_intake(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """(C*, effect) per cell by the balance-year rule: the constant starts a year from
    base_year on that make the target-year gap zero. Supply is affine in the starts, so
    C* = −gap_T(0) / (supply_T(1) − supply_T(0)); NaN where no start can complete by the
    target year. Not clipped at zero (the caller reports max(C*, 0))."""
    zero = np.zeros_like(p.starts)
    at0 = project(p, zero)
    at1 = project(p, zero + 1.0)
    effect = at1.supply[:, -1] - at0.supply[:, -1]
    gap0 = at0.gap[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(effect > 1e-12, -gap0 / np.where(effect > 1e-12, effect, 1.0), np.nan)
    return c, effect
