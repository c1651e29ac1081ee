"""The smooth intake path: yearly starts that keep the gap small in every year, changing little
from year to year and never above the capacity.

For one specialty and region, with x_j the starts in year base_year + j (j = 0..H):

    gap_t(x) = g_t + Σ_j a_tj · x_j         g_t: the gap with no new starts at all,
                                             a_tj = completion_rate · fte_new · U_{t−j−T}
                                             (U_n: survival n years after joining), t ≥ j + T
    minimise   Σ_t gap_t(x)²  +  λ · Σ_j (x_j − x_{j−1})²,   x_{−1} = today's starts
    subject to 0 ≤ x_j ≤ capacity

a convex quadratic programme (least squares with a penalty on change and box bounds). It is
solved for every cell at once: the unconstrained optimum by a linear solve, then, where that
breaks a bound, projected coordinate descent from the clipped optimum until no start moves by
more than 1e-7. Starts too late to complete by the target year do not move any gap; the penalty
holds them at the last useful value. λ is `smoothing.penalty` (default 1: a change of one start
a year costs as much as one FTE of gap in one year).
"""

from __future__ import annotations

import numpy as np

from .model import Problem

MAX_SWEEPS = 5000
TOLERANCE = 1e-7


def effect_matrix(p: Problem, U: np.ndarray) -> np.ndarray:
    """a[k, t, j]: FTE in year t per start in year j (U: [K, H+1] survival after joining)."""
    K, H = p.n_cells, p.horizon
    tr = p.training_years[p.specialty_of_cell()]
    a = np.zeros((K, H + 1, H + 1))
    for k in range(K):
        for j in range(H + 1):
            join = j + tr[k]
            if 1 <= join <= H:
                a[k, join:, j] = U[k, : H + 1 - join]
    return a * (p.completion_rate * p.fte_new)[:, None, None]


def smooth_path(p: Problem, gap_without_starts: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Starts per cell and year [K, H+1]."""
    K, n = p.n_cells, p.horizon + 1
    a = effect_matrix(p, U)
    lam = p.smoothing_penalty
    diff = np.eye(n) - np.eye(n, k=-1)  # rows: x_j − x_{j−1}, with x_{−1} moved to the right
    Q = np.einsum("ktj,kti->kji", a, a) + lam * (diff.T @ diff)[None] + 1e-9 * np.eye(n)[None]
    b = np.einsum("ktj,kt->kj", a, gap_without_starts)
    b[:, 0] -= lam * p.current_starts
    # minimise xᵀQx + 2bᵀx
    x = np.linalg.solve(Q, -b[..., None])[..., 0]
    cap = np.broadcast_to(p.capacity[:, None], (K, n))
    bad = ((x < -TOLERANCE) | (x > cap + TOLERANCE)).any(axis=1)
    x = np.clip(x, 0, cap)
    if bad.any():
        idx = np.flatnonzero(bad)
        xs, Qs, bs, cs = x[idx].copy(), Q[idx], b[idx], cap[idx]
        diag = np.einsum("kii->ki", Qs)
        for _sweep in range(MAX_SWEEPS):
            moved = 0.0
            for i in range(n):
                rest = np.einsum("kj,kj->k", Qs[:, i, :], xs) - diag[:, i] * xs[:, i]
                new = np.clip(-(bs[:, i] + rest) / diag[:, i], 0, cs[:, i])
                moved = max(moved, float(np.abs(new - xs[:, i]).max()))
                xs[:, i] = new
            if moved < TOLERANCE:
                break
        x[idx] = xs
    return x
