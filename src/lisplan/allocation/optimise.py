"""The optimised plan: a time-indexed MIP over (request, agreement, start month), solved with
HiGHS, warm-started from the queue baseline, bounded below by its LP relaxation.

Requests that share no arena and no trainee do not interact, so the model is split into such
independent parts and each is solved on its own (the objective is a sum over requests, so the
parts' optima and bounds add up to the whole's)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from .metrics import objective, queue_tiebreak, unassigned_penalty, wait_cost
from .model import Assignment, Instance, Plan, Unassigned
from .priority import priority_order
from .rules import own_starts
from .validate import violations

Progress = Callable[[str], None]
LP_SHARE = 0.4  # of the time limit, at most, for the LP relaxations (the lower bound)


@dataclass
class Outcome:
    plan: Plan
    source: str  # "optimised" or "baseline"
    status: str
    objective: float
    baseline_objective: float
    lp_bound: float | None
    mip_bound: float | None
    seconds: float
    columns: int = 0
    rows: int = 0
    parts: int = 0

    @property
    def bound(self) -> float | None:
        bounds = [b for b in (self.lp_bound, self.mip_bound) if b is not None]
        return min(max(bounds), self.objective) if bounds else None

    @property
    def gap(self) -> float | None:
        if self.bound is None:
            return None
        return (self.objective - self.bound) / max(1.0, abs(self.objective))


@dataclass
class Column:
    request: str
    agreement: str
    start: int
    duration: int


@dataclass
class Model:
    """A sparse MIP in coordinate form, passed to HiGHS column-wise."""

    columns: list[Column] = field(default_factory=list)
    by_request: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    cost: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    entries: tuple[list[int], list[int], list[float]] = field(
        default_factory=lambda: ([], [], []))
    offset: float = 0.0
    lp_bound: float | None = None
    mip_bound: float | None = None
    status: str = "not solved"

    def row(self, lower: float, upper: float, terms: list[tuple[int, float]]) -> None:
        index = len(self.row_lower)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        rows, cols, values = self.entries
        for col, value in terms:
            rows.append(index)
            cols.append(col)
            values.append(value)

    @property
    def bound(self) -> float | None:
        bounds = [b for b in (self.lp_bound, self.mip_bound) if b is not None]
        return max(bounds) if bounds else None


def optimise(inst: Instance, base: Plan, time_limit: float = 60.0,
             progress: Progress | None = None, order: list[str] | None = None) -> Outcome:
    """The best plan found within `time_limit` seconds that keeps every hard rule and the
    fairness guard against `base`; `base` itself if nothing better is found."""
    began = time.monotonic()
    deadline = began + time_limit
    say = progress or (lambda _: None)
    order = priority_order(inst) if order is None else order
    models = [build_model(inst, base, order, part) for part in parts(inst, base, order)]
    assignable = {r for model in models for r in model.by_request}
    base_value = objective(inst, base, order, assignable)
    outcome = Outcome(base, "baseline", "not solved", base_value, base_value, None, None, 0.0,
                      sum(len(m.columns) for m in models), sum(len(m.row_lower) for m in models),
                      len(models))
    say(f"model: {outcome.columns} variables, {outcome.rows} constraints in {len(models)} "
        f"independent parts, largest {max((len(m.columns) for m in models), default=0)} "
        f"variables ({time.monotonic() - began:.1f} s)")
    models.sort(key=lambda m: len(m.columns))
    _relax(models, began + LP_SHARE * time_limit, outcome, say)
    plan = _solve_parts(inst, base, models, deadline, say)
    outcome.mip_bound = _total([m.bound if m.columns else 0.0 for m in models])
    outcome.status = _status(models)
    plan = _complete(inst, order, plan)
    _adopt(inst, base, order, plan, assignable, outcome, say)
    outcome.seconds = time.monotonic() - began
    return outcome


def parts(inst: Instance, base: Plan, order: list[str]) -> list[list[str]]:
    """Requests grouped so that no arena and no trainee is shared between groups."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for request_id in order:
        request = inst.requests[request_id]
        root = find("trainee:" + request.trainee)
        for agreement_id in request.agreements:
            parent[find("arena:" + inst.agreements[agreement_id].arena)] = root
    groups: dict[str, list[str]] = defaultdict(list)
    for request_id in order:
        groups[find("trainee:" + inst.requests[request_id].trainee)].append(request_id)
    return list(groups.values())


def build_model(inst: Instance, base: Plan, order: list[str],
                request_ids: list[str] | None = None) -> Model:
    model = Model()
    _add_columns(inst, base, order if request_ids is None else request_ids, model)
    penalty = unassigned_penalty(inst)
    position = {request_id: i for i, request_id in enumerate(order)}
    for c in model.columns:
        wait = c.start - inst.earliest_start(inst.requests[c.request])
        tiebreak = queue_tiebreak(position[c.request], len(order))
        model.cost.append(wait_cost(wait) + wait * tiebreak - penalty)
    model.offset = penalty * len(model.by_request)
    for request_id, cols in model.by_request.items():
        placed = request_id in base.assignments
        model.row(1.0 if placed else 0.0, 1.0, [(c, 1.0) for c in cols])
    _add_capacity_rows(inst, model)
    _add_trainee_rows(inst, model)
    _add_after_rows(inst, model)
    return model


def _add_columns(inst: Instance, base: Plan, request_ids: list[str], model: Model) -> None:
    """One column per own-rule-feasible start within the guard's window; a chained request
    only from the earliest month its `after` request could have ended."""
    delta = inst.max_delay_months
    for request_id in sorted(request_ids, key=lambda r: _chain_depth(inst, r)):
        request = inst.requests[request_id]
        not_before = inst.start_month
        if request.after is not None:
            before = model.by_request.get(request.after)
            if not before:
                continue
            not_before = min(model.columns[c].start + model.columns[c].duration for c in before)
        placed = base.assignments.get(request_id)
        latest = placed.start + delta if placed else inst.end_month
        for start, agreement_id in own_starts(inst, request):
            if not_before <= start <= latest:
                model.by_request[request_id].append(len(model.columns))
                duration = inst.agreements[agreement_id].duration_months
                model.columns.append(Column(request_id, agreement_id, start, duration))


def _chain_depth(inst: Instance, request_id: str) -> int:
    depth = 0
    while (request_id := inst.requests[request_id].after) is not None:
        depth += 1
    return depth


def _add_capacity_rows(inst: Instance, model: Model) -> None:
    by_agreement: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_arena: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, c in enumerate(model.columns):
        arena = inst.agreements[c.agreement].arena
        for month in range(c.start, c.start + c.duration):
            by_agreement[c.agreement, month].append(index)
            by_arena[arena, month].append(index)
    used_agreement: dict[tuple[str, int], int] = defaultdict(int)
    used_arena: dict[tuple[str, int], int] = defaultdict(int)
    for occ in inst.occupied:
        arena = inst.agreements[occ.agreement].arena
        for month in range(occ.span.first, occ.span.last + 1):
            used_agreement[occ.agreement, month] += 1
            used_arena[arena, month] += 1
    for (agreement_id, month), cols in by_agreement.items():
        free = max(0, inst.agreements[agreement_id].capacity - used_agreement[agreement_id, month])
        if len(cols) > free:  # rows that can never bind are left out
            model.row(-np.inf, free, [(c, 1.0) for c in cols])
    for (arena_id, month), cols in by_arena.items():
        free = max(0, inst.arenas[arena_id].capacity - used_arena[arena_id, month])
        if len(cols) > free:
            model.row(-np.inf, free, [(c, 1.0) for c in cols])


def _add_trainee_rows(inst: Instance, model: Model) -> None:
    by_trainee: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, c in enumerate(model.columns):
        for month in range(c.start, c.start + c.duration):
            by_trainee[inst.requests[c.request].trainee, month].append(index)
    for cols in by_trainee.values():
        if len({model.columns[c].request for c in cols}) > 1:
            model.row(-np.inf, 1.0, [(c, 1.0) for c in cols])


def _add_after_rows(inst: Instance, model: Model) -> None:
    """For each month t a chained request may start: started by t  <=  `after` ended by t."""
    for request_id, cols in model.by_request.items():
        after = inst.requests[request_id].after
        if after is None:
            continue
        before = model.by_request[after]
        for t in sorted({model.columns[c].start for c in cols}):
            terms = [(c, 1.0) for c in cols if model.columns[c].start <= t]
            terms += [(c, -1.0) for c in before
                      if model.columns[c].start + model.columns[c].duration <= t]
            model.row(-np.inf, 0.0, terms)


def _highs_lp(model: Model) -> highspy.HighsLp:
    n = len(model.columns)
    rows, cols, values = (np.asarray(x) for x in model.entries)
    by_col = np.argsort(cols, kind="stable")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(model.row_lower)
    lp.col_cost_ = np.asarray(model.cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_ = np.asarray(model.row_lower, dtype=float)
    lp.row_upper_ = np.asarray(model.row_upper, dtype=float)
    lp.offset_ = model.offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(model.row_lower)
    lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(np.bincount(cols, minlength=n))))
    lp.a_matrix_.index_ = rows[by_col].astype(np.int32)
    lp.a_matrix_.value_ = values[by_col].astype(float)
    return lp


def _highs(lp: highspy.HighsLp, seconds: float) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", max(0.05, seconds))
    h.passModel(lp)
    return h


def _relax(models: list[Model], deadline: float, outcome: Outcome, say: Progress) -> None:
    for model in models:
        if time.monotonic() >= deadline:
            say("LP relaxation: out of time, no lower bound")
            return
        if not model.columns:
            continue
        relaxation = _highs(_highs_lp(model), deadline - time.monotonic())
        relaxation.run()
        if relaxation.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            model.lp_bound = relaxation.getInfo().objective_function_value
    outcome.lp_bound = _total([m.lp_bound if m.columns else 0.0 for m in models])
    if outcome.lp_bound is not None:
        say(f"LP relaxation: lower bound {outcome.lp_bound:.1f}")


def _total(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else float(sum(values))


def _solve_parts(inst: Instance, base: Plan, models: list[Model], deadline: float,
                 say: Progress) -> Plan:
    """Each part in turn, smallest first, with a share of the remaining time by size."""
    plan = Plan(dict(base.assignments), dict(base.unassigned))
    remaining = sum(len(m.columns) for m in models)
    last_report = time.monotonic()
    for done, model in enumerate(models, start=1):
        if not model.columns:
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            model.status = "not solved: out of time"
            continue
        share = left * len(model.columns) / max(remaining, 1)
        remaining -= len(model.columns)
        _solve_part(inst, base, model, max(share, min(left, 1.0)), plan)
        if time.monotonic() - last_report > 5 or done == len(models):
            last_report = time.monotonic()
            say(f"solved {done}/{len(models)} parts")
    return plan


def _solve_part(inst: Instance, base: Plan, model: Model, seconds: float, plan: Plan) -> None:
    start = _start_vector(base, model)
    start_cost = float(np.dot(model.cost, start)) + model.offset
    if model.lp_bound is not None and start_cost <= model.lp_bound + 1e-7:
        model.status, model.mip_bound = "Optimal", model.lp_bound  # the baseline is optimal
        return
    n = len(model.columns)
    mip = _highs(_highs_lp(model), seconds)
    mip.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                              np.full(n, highspy.HighsVarType.kInteger))
    mip.setSolution(n, np.arange(n, dtype=np.int32), start)
    mip.run()
    info = mip.getInfo()
    model.status = mip.modelStatusToString(mip.getModelStatus())
    if np.isfinite(info.mip_dual_bound) and abs(info.mip_dual_bound) < 1e20:
        model.mip_bound = info.mip_dual_bound
    values = np.asarray(mip.getSolution().col_value)
    if info.primal_solution_status == 2 and float(np.dot(model.cost, values)) + model.offset \
            < start_cost - 1e-9:  # a feasible plan, better than this part's baseline
        for request_id in model.by_request:
            plan.assignments.pop(request_id, None)
        for index in np.flatnonzero(values > 0.5):
            c = model.columns[index]
            plan.unassigned.pop(c.request, None)
            plan.assignments[c.request] = Assignment(
                c.request, inst.requests[c.request].trainee, c.agreement, c.start)


def _start_vector(base: Plan, model: Model) -> np.ndarray:
    values = np.zeros(len(model.columns))
    for index, c in enumerate(model.columns):
        placed = base.assignments.get(c.request)
        if placed is not None and (placed.agreement, placed.start) == (c.agreement, c.start):
            values[index] = 1.0
    return values


def _status(models: list[Model]) -> str:
    statuses = [m.status for m in models if m.columns]
    optimal = statuses.count("Optimal")
    if optimal == len(statuses):
        return "Optimal"
    return f"{optimal}/{len(statuses)} parts optimal; others: " + ", ".join(
        sorted({s for s in statuses if s != "Optimal"}))


def _complete(inst: Instance, order: list[str], plan: Plan) -> Plan:
    for request_id in order:
        if request_id not in plan.assignments and request_id not in plan.unassigned:
            plan.unassigned[request_id] = Unassigned(
                request_id, inst.requests[request_id].trainee, "not placed by the optimiser")
    return Plan({r: plan.assignments[r] for r in order if r in plan.assignments},
                {r: plan.unassigned[r] for r in order if r in plan.unassigned})


def _adopt(inst: Instance, base: Plan, order: list[str], plan: Plan, assignable: set[str],
           outcome: Outcome, say: Progress) -> None:
    """Take the solver's plan only if our own checks agree that it is valid and better."""
    value = objective(inst, plan, order, assignable)
    problems = violations(inst, plan, base)
    if problems:
        say(f"solver plan rejected ({problems[0]}); keeping the baseline")
    elif value < outcome.baseline_objective - 1e-9:
        outcome.plan, outcome.source, outcome.objective = plan, "optimised", value
