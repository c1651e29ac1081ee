"""The optimised plan: a time-indexed MIP over (request, agreement, start month), solved with
HiGHS, warm-started from the queue baseline, bounded below by its LP relaxation.

Three lower bounds on the objective are kept apart (docs/decisions/0004):

- `lp_bound`, the LP relaxation of the model as built (rows for rules 1–6 and the guard);
- `cut_bound`, the LP relaxation of the strengthened model: the same LP plus odd-cycle
  inequalities of the conflict graph (two columns conflict when a row with upper bound 1 and
  unit coefficients holds both: one start per request, a capacity-1 month, a trainee month).
  For an odd cycle C of conflicts at most (|C| − 1)/2 of its columns can be 1 in any integer
  plan, so the strengthened model has exactly the same integer plans and optimum. They are
  separated from the LP solution (shortest odd cycle with weights 1 − x_i − x_j) and added as
  rows, to the MIP too;
- `root_bound`, HiGHS's dual bound at the end of its root node (presolve, the strengthened LP
  and the solver's own cuts, no branching) — not an LP relaxation;

and the MIP's final dual bound (`mip_bound`).

Requests that share no arena and no trainee do not interact, so the model is split into such
independent parts and each is solved on its own (the objective is a sum over requests, so the
parts' optima and bounds add up to the whole's). Time: up to 40 % for the LP relaxations, then
the parts smallest first, each allowed its share by size or a quarter of what is left; time
left over goes to parts that stopped short; the last 10 % are kept for the bound on total wait
months (`wait_bound`). Callers use `engine.solve`."""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from .instance import Assignment, Instance, Plan, Unassigned
from .metrics import QUEUE_WEIGHT, objective, queue_tiebreak, unassigned_penalty, wait_cost
from .priority import priority_order
from .rules import own_starts
from .validate import violations

Progress = Callable[[float, str], None]  # (fraction done 0..1, message)
LP_SHARE = 0.4  # of the time limit, at most, for the LP relaxations (the lower bound)
WAIT_BOUND_SHARE = 0.1  # of the time limit, at most, for the bound on total wait months


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
    # A lower bound on total wait months over every plan that keeps the hard rules and the
    # guard and places at least `wait_bound_placed` requests (as many as this plan does).
    wait_bound: float | None = None
    wait_bound_placed: int = 0
    cut_bound: float | None = None  # the LP relaxation with the odd-cycle inequalities
    root_bound: float | None = None  # HiGHS's bound after the root node (not an LP bound)
    cuts: int = 0  # odd-cycle inequalities added

    @property
    def bound(self) -> float | None:
        bounds = [
            b
            for b in (self.lp_bound, self.cut_bound, self.root_bound, self.mip_bound)
            if b is not None
        ]
        return min(max(bounds), self.objective) if bounds else None

    def gap_to(self, bound: float | None) -> float | None:
        """The objective's distance from `bound`, relative to the objective."""
        if bound is None:
            return None
        return max(0.0, self.objective - bound) / max(1.0, abs(self.objective))

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
    entries: tuple[list[int], list[int], list[float]] = field(default_factory=lambda: ([], [], []))
    offset: float = 0.0
    lp_bound: float | None = None
    cut_bound: float | None = None
    root_bound: float | None = None
    mip_bound: float | None = None
    cuts: int = 0
    status: str = "not solved"
    incumbent: np.ndarray | None = None  # the best solution found, if better than the start
    relaxation: highspy.Highs | None = None  # the LP, kept for warm starts

    def row(self, lower: float, upper: float, terms: list[tuple[int, float]]) -> None:
        index = len(self.row_lower)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        rows, cols, values = self.entries
        rows.extend([index] * len(terms))
        cols.extend([col for col, _ in terms])
        values.extend([value for _, value in terms])

    @property
    def bound(self) -> float | None:
        bounds = [
            b
            for b in (self.lp_bound, self.cut_bound, self.root_bound, self.mip_bound)
            if b is not None
        ]
        return max(bounds) if bounds else None

    @property
    def lp_strong(self) -> float | None:
        """The best LP bound: with the odd-cycle inequalities if they were separated."""
        return self.cut_bound if self.cut_bound is not None else self.lp_bound


def optimise(
    inst: Instance,
    base: Plan,
    time_limit: float = 60.0,
    progress: Progress | None = None,
    order: list[str] | None = None,
    queue_weight: float = QUEUE_WEIGHT,
) -> Outcome:
    """The best plan found within `time_limit` seconds that keeps every hard rule and the
    fairness guard against `base`; `base` itself if nothing better is found. `queue_weight`
    is the region's weight of the queue order in the objective (`metrics.QUEUE_WEIGHT`)."""
    began = time.monotonic()
    deadline = began + time_limit
    say = _monotone(progress)
    order = priority_order(inst) if order is None else order
    shared = Shared.of(inst, order)
    models = [
        build_model(inst, base, order, part, shared, queue_weight)
        for part in parts(inst, base, order)
    ]
    assignable = {r for model in models for r in model.by_request}
    base_value = objective(inst, base, order, assignable, queue_weight)
    outcome = Outcome(
        base,
        "baseline",
        "not solved",
        base_value,
        base_value,
        None,
        None,
        0.0,
        sum(len(m.columns) for m in models),
        sum(len(m.row_lower) for m in models),
        len(models),
    )
    say(
        0.05,
        f"model: {outcome.columns} variables, {outcome.rows} constraints in {len(models)} "
        f"independent parts, largest {max((len(m.columns) for m in models), default=0)} "
        f"variables ({time.monotonic() - began:.1f} s)",
    )
    models.sort(key=lambda m: len(m.columns))
    _relax(models, began + LP_SHARE * time_limit, outcome, say)
    plan = _solve_parts(inst, base, models, deadline - WAIT_BOUND_SHARE * time_limit, say)
    outcome.mip_bound = _total([m.bound if m.columns else 0.0 for m in models])
    outcome.root_bound = _total(
        [
            (m.lp_strong if m.root_bound is None else m.root_bound) if m.columns else 0.0
            for m in models
        ]
    )
    outcome.status = _status(models)
    plan = _complete(inst, order, plan)
    _adopt(inst, base, order, plan, assignable, outcome, say, queue_weight)
    outcome.wait_bound_placed = len(outcome.plan.assignments)
    outcome.wait_bound = wait_bound(
        inst, models, outcome.wait_bound_placed, deadline - time.monotonic()
    )
    say(
        0.99,
        "lower bound on total wait months: "
        + ("out of time" if outcome.wait_bound is None else f"{outcome.wait_bound:.1f}"),
    )
    outcome.seconds = time.monotonic() - began
    return outcome


def _monotone(progress: Progress | None) -> Progress:
    """The caller's callback, with fractions that never go back."""
    highest = 0.0

    def say(fraction: float, message: str) -> None:
        nonlocal highest
        highest = min(1.0, max(highest, fraction))
        if progress is not None:
            progress(highest, message)

    return say


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


@dataclass
class Shared:
    """What every part's model needs from the whole instance, computed once."""

    position: dict[str, int]  # in the priority order
    used: dict[tuple[str, int], int]  # (agreement or arena id, month) -> running periods

    @classmethod
    def of(cls, inst: Instance, order: list[str]) -> Shared:
        used: dict[tuple[str, int], int] = defaultdict(int)
        for occ in inst.occupied:
            arena = inst.agreements[occ.agreement].arena
            for month in range(occ.span.first, occ.span.last + 1):
                used["agreement", occ.agreement, month] += 1
                used["arena", arena, month] += 1
        return cls({request_id: i for i, request_id in enumerate(order)}, used)


def build_model(
    inst: Instance,
    base: Plan,
    order: list[str],
    request_ids: list[str] | None = None,
    shared: Shared | None = None,
    queue_weight: float = QUEUE_WEIGHT,
) -> Model:
    model = Model()
    shared = shared or Shared.of(inst, order)
    _add_columns(inst, base, order if request_ids is None else request_ids, model)
    penalty = unassigned_penalty(inst)
    position = shared.position
    for c in model.columns:
        wait = c.start - inst.earliest_start(inst.requests[c.request])
        tiebreak = queue_tiebreak(position[c.request], len(order), queue_weight)
        model.cost.append(wait_cost(wait) + wait * tiebreak - penalty)
    model.offset = penalty * len(model.by_request)
    for request_id, cols in model.by_request.items():
        placed = request_id in base.assignments
        model.row(1.0 if placed else 0.0, 1.0, [(c, 1.0) for c in cols])
    packing: dict[tuple[int, ...], int] = {}  # columns -> at most this many of them
    _add_capacity_rows(inst, model, shared, packing)
    _add_trainee_rows(inst, model, packing)
    for cols, most in packing.items():
        model.row(-np.inf, most, [(c, 1.0) for c in cols])
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


def _add_capacity_rows(
    inst: Instance, model: Model, shared: Shared, packing: dict[tuple[int, ...], int]
) -> None:
    """Rule 6, month by month; the same set of columns (an arena with one agreement, months
    that the same periods cover) gets one row, with the least capacity."""
    by_resource: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for index, c in enumerate(model.columns):
        arena = inst.agreements[c.agreement].arena
        for month in range(c.start, c.start + c.duration):
            by_resource["agreement", c.agreement, month].append(index)
            by_resource["arena", arena, month].append(index)
    for key, cols in by_resource.items():
        kind, ident, _ = key
        capacity = (inst.agreements[ident] if kind == "agreement" else inst.arenas[ident]).capacity
        free = max(0, capacity - shared.used.get(key, 0))
        if len(cols) > free:  # rows that can never bind are left out
            _pack(packing, cols, free)


def _pack(packing: dict[tuple[int, ...], int], cols: list[int], most: int) -> None:
    key = tuple(cols)
    packing[key] = min(most, packing.get(key, most))


def _add_trainee_rows(inst: Instance, model: Model, packing: dict[tuple[int, ...], int]) -> None:
    by_trainee: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, c in enumerate(model.columns):
        for month in range(c.start, c.start + c.duration):
            by_trainee[inst.requests[c.request].trainee, month].append(index)
    for cols in by_trainee.values():
        if len({model.columns[c].request for c in cols}) > 1:
            _pack(packing, cols, 1)


def _add_after_rows(inst: Instance, model: Model) -> None:
    """For each month t a chained request may start: started by t  <=  `after` ended by t."""
    for request_id, cols in model.by_request.items():
        after = inst.requests[request_id].after
        if after is None:
            continue
        before = model.by_request[after]
        for t in sorted({model.columns[c].start for c in cols}):
            terms = [(c, 1.0) for c in cols if model.columns[c].start <= t]
            terms += [
                (c, -1.0) for c in before if model.columns[c].start + model.columns[c].duration <= t
            ]
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


CUT_ROUNDS = 20  # of odd-cycle separation per part, at most


def _relax(models: list[Model], deadline: float, outcome: Outcome, say: Progress) -> None:
    """Each part's LP relaxation, then the same LP strengthened by odd-cycle inequalities
    (the module docstring); the cuts become rows of the part's model, for the MIP too."""
    for model in models:
        if time.monotonic() >= deadline:
            say(0.4, "LP relaxation: out of time, no lower bound")
            return
        if not model.columns:
            continue
        relaxation = _highs(_highs_lp(model), deadline - time.monotonic())
        relaxation.run()
        model.relaxation = relaxation  # warm start for the bound on total wait
        if relaxation.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        model.lp_bound = relaxation.getInfo().objective_function_value
        _strengthen(model, relaxation, deadline)
    outcome.lp_bound = _total([m.lp_bound if m.columns else 0.0 for m in models])
    outcome.cut_bound = _total([m.cut_bound if m.columns else 0.0 for m in models])
    outcome.cuts = sum(m.cuts for m in models)
    if outcome.lp_bound is not None:
        say(
            0.4,
            f"LP relaxation: lower bound {outcome.lp_bound:.1f}"
            + (
                ""
                if outcome.cut_bound is None
                else f"; with {outcome.cuts} odd-cycle inequalities {outcome.cut_bound:.1f}"
            ),
        )


def _strengthen(model: Model, relaxation: highspy.Highs, deadline: float) -> None:
    """Rounds of odd-cycle separation on the LP solution, each cut added to the LP (re-solved
    warm) and to the model; `cut_bound` is the last optimal LP value. Left None if time ran
    out mid-way (then the cuts added so far stay: they are valid either way)."""
    conflicts = conflict_graph(model)
    for _ in range(CUT_ROUNDS):
        x = np.asarray(relaxation.getSolution().col_value)
        cycles = odd_cycles(conflicts, x)
        if not cycles or time.monotonic() >= deadline:
            break
        for cycle in cycles:
            most = (len(cycle) - 1) // 2
            model.row(-np.inf, most, [(c, 1.0) for c in cycle])
            relaxation.addRow(
                -highspy.kHighsInf,
                most,
                len(cycle),
                np.asarray(cycle, dtype=np.int32),
                np.ones(len(cycle)),
            )
        model.cuts += len(cycles)
        relaxation.setOptionValue(
            "time_limit", relaxation.getRunTime() + max(0.05, deadline - time.monotonic())
        )
        relaxation.run()
        if relaxation.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return
    model.cut_bound = max(model.lp_bound, relaxation.getInfo().objective_function_value)


def conflict_graph(model: Model) -> dict[int, set[int]]:
    """Column -> the columns it cannot be 1 together with: both in a row `Σ x ≤ 1` (unit
    coefficients), which the request, capacity-1 and trainee rows are."""
    rows, cols, values = model.entries
    members: dict[int, list[int]] = defaultdict(list)
    mixed: set[int] = set()
    for row, col, value in zip(rows, cols, values, strict=True):
        members[row].append(col)
        if value != 1.0:
            mixed.add(row)
    graph: dict[int, set[int]] = defaultdict(set)
    for row, clique in members.items():
        if row in mixed or model.row_upper[row] != 1 or len(clique) < 2:
            continue
        for col in clique:
            graph[col].update(clique)
    for col, others in graph.items():
        others.discard(col)
    return graph


def odd_cycles(graph: dict[int, set[int]], x: np.ndarray, eps: float = 1e-6) -> list[list[int]]:
    """Odd cycles C of `graph` with Σ_C x > (|C| − 1)/2 (violated odd-cycle inequalities):
    from each fractional column, the shortest odd closed walk back to it in the bipartite
    double cover, with edge weights 1 − x_i − x_j ≥ 0 (a cycle is violated iff its weight is
    below 1), reduced to a simple odd cycle."""
    support = {i for i in graph if x[i] > eps}
    found: list[list[int]] = []
    seen: set[frozenset[int]] = set()
    for source in sorted(i for i in support if x[i] < 1 - eps):
        distance = {(source, 0): 0.0}
        previous: dict[tuple[int, int], tuple[int, int]] = {}
        heap = [(0.0, source, 0)]
        reached = False
        while heap:
            dist, node, parity = heapq.heappop(heap)
            if dist > distance[node, parity] + 1e-12:
                continue
            if dist >= 1 - eps:
                break
            if (node, parity) == (source, 1):
                reached = True
                break
            for other in graph[node]:
                if other not in support:
                    continue
                step = dist + max(0.0, 1.0 - x[node] - x[other])
                if step < distance.get((other, 1 - parity), np.inf) - 1e-12:
                    distance[other, 1 - parity] = step
                    previous[other, 1 - parity] = (node, parity)
                    heapq.heappush(heap, (step, other, 1 - parity))
        if not reached:
            continue
        walk, at = [], (source, 1)
        while at != (source, 0):
            walk.append(at[0])
            at = previous[at]
        cycle = _simple_odd(walk)
        if cycle is None or len(cycle) < 3 or frozenset(cycle) in seen:
            continue
        if sum(x[i] for i in cycle) > (len(cycle) - 1) / 2 + eps:
            seen.add(frozenset(cycle))
            found.append(cycle)
    return found


def _simple_odd(walk: list[int]) -> list[int] | None:
    """A simple odd cycle inside a closed walk of odd length (a closed walk that repeats a
    node splits there into two closed walks, one of them odd; weights are ≥ 0, so the odd
    one weighs no more)."""
    while True:
        first: dict[int, int] = {}
        repeat = None
        for k, node in enumerate(walk):
            if node in first:
                repeat = first[node], k
                break
            first[node] = k
        if repeat is None:
            return walk if len(walk) % 2 == 1 else None
        a, b = repeat
        inner, outer = walk[a:b], walk[:a] + walk[b:]
        walk = inner if len(inner) % 2 == 1 else outer


def wait_bound(inst: Instance, models: list[Model], placed: int, seconds: float) -> float | None:
    """A lower bound on total wait months over every plan that keeps the hard rules and the
    guard and places at least `placed` requests: the LP relaxation of that problem, solved by
    its Lagrangian dual over the one constraint that couples the parts (the count). For any
    price λ ≥ 0 of a placement, λ·placed + Σ_parts min_LP Σ (wait − λ)·x is such a bound;
    λ is searched by bisection (each part's LP warm-started), the best value found within
    `seconds` is returned, None if not even λ = 0 could be evaluated."""
    models = [m for m in models if m.columns]
    if not models:
        return 0.0
    deadline = time.monotonic() + seconds
    waits = [
        np.array(
            [c.start - inst.earliest_start(inst.requests[c.request]) for c in m.columns],
            dtype=float,
        )
        for m in models
    ]

    def value(price: float) -> tuple[float, float] | None:
        """(the bound at `price`, requests the LPs place at that price), None if out of time."""
        total, count = price * placed, 0.0
        for model, wait in zip(models, waits, strict=True):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            lp = model.relaxation or _highs(_highs_lp(model), left)
            model.relaxation = lp
            n = len(model.columns)
            lp.changeColsCost(n, np.arange(n, dtype=np.int32), wait - price)
            lp.setOptionValue("time_limit", lp.getRunTime() + left)
            lp.run()
            if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            x = np.asarray(lp.getSolution().col_value)
            total += float(np.dot(wait - price, x))
            count += float(x.sum())
        return total, count

    found = value(0.0)
    if found is None:
        return None
    best, count = found
    low, high = 0.0, float(max(w.max() for w in waits)) + 1.0
    while count < placed - 1e-6 and high - low > 0.05:  # else λ = 0 is the best price
        price = (low + high) / 2
        if (found := value(price)) is None:
            break
        bound, placed_there = found
        best = max(best, bound)
        if placed_there >= placed - 1e-6:
            high = price
        else:
            low = price
    # Every wait is a whole number of months, so the bound may be rounded up.
    return float(np.ceil(best - 1e-6))


def _total(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else float(sum(values))


def _solve_parts(
    inst: Instance, base: Plan, models: list[Model], deadline: float, say: Progress
) -> Plan:
    """Each part in turn, smallest first, with a share of the remaining time by size (or more,
    below); then the time left over goes to the parts that ran out of it, each warm-started
    from its best plan so far."""
    plan = Plan(dict(base.assignments), dict(base.unassigned))
    remaining = total = sum(len(m.columns) for m in models)
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
        # Most parts are solved at the root within seconds, and a part stopped short starts
        # over in the second round: so each may take a quarter of what is left (≤ 10 s).
        _solve_part(inst, base, model, max(share, min(left / 4, 10.0)), plan)
        if time.monotonic() - last_report > 2 or done == len(models):
            last_report = time.monotonic()
            say(
                0.4 + 0.45 * (total - remaining) / max(total, 1),
                f"solved {done}/{len(models)} parts",
            )
    unfinished = [m for m in models if m.columns and m.status != "Optimal"]
    remaining = sum(len(m.columns) for m in unfinished)
    for model in unfinished:
        left = deadline - time.monotonic()
        if left < 1.0:
            break
        share = left * len(model.columns) / max(remaining, 1)
        remaining -= len(model.columns)
        say(0.85, f"a part of {len(model.columns)} variables again, with {share:.0f} s more")
        _solve_part(inst, base, model, share, plan)
    return plan


def _solve_part(inst: Instance, base: Plan, model: Model, seconds: float, plan: Plan) -> None:
    start = _start_vector(base, model)
    start_cost = float(np.dot(model.cost, start)) + model.offset
    strong = model.lp_strong
    if strong is not None and start_cost <= strong + 1e-7:
        # The baseline is optimal: the (strengthened) LP proves it, at the root.
        model.status, model.mip_bound = "Optimal", strong
        model.root_bound = max(strong, model.root_bound or -np.inf)
        return
    best = start if model.incumbent is None else model.incumbent
    best_cost = float(np.dot(model.cost, best)) + model.offset
    n = len(model.columns)
    mip = _highs(_highs_lp(model), seconds)
    mip.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
    )
    mip.setSolution(n, np.arange(n, dtype=np.int32), best)
    root: list[float] = []  # HiGHS's dual bounds while still at the root node

    def watch(event) -> None:
        if event.data_out.mip_node_count == 0 and _finite(event.data_out.mip_dual_bound):
            root.append(event.data_out.mip_dual_bound)

    mip.cbMipInterrupt.subscribe(watch)
    mip.run()
    info = mip.getInfo()
    model.status = mip.modelStatusToString(mip.getModelStatus())
    if _finite(info.mip_dual_bound):
        model.mip_bound = max(info.mip_dual_bound, model.mip_bound or -np.inf)
        if info.mip_node_count <= 1 and model.status == "Optimal":
            root.append(info.mip_dual_bound)  # closed at the root: its bound is the root's
    # The root starts from the strengthened LP, so that bounds it too (and stands in when
    # HiGHS reported no bound before branching).
    known = root + [b for b in (strong, model.root_bound) if b is not None]
    model.root_bound = max(known) if known else None
    values = np.asarray(mip.getSolution().col_value)
    if (
        info.primal_solution_status == 2
        and float(np.dot(model.cost, values)) + model.offset < best_cost - 1e-9
    ):  # a feasible plan, better than this part's best so far
        model.incumbent = np.round(values)
        for request_id in model.by_request:
            plan.assignments.pop(request_id, None)
        for index in np.flatnonzero(values > 0.5):
            c = model.columns[index]
            plan.unassigned.pop(c.request, None)
            plan.assignments[c.request] = Assignment(
                c.request, inst.requests[c.request].trainee, c.agreement, c.start
            )


def _finite(value: float) -> bool:
    return bool(np.isfinite(value)) and abs(value) < 1e20


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
        sorted({s for s in statuses if s != "Optimal"})
    )


def _complete(inst: Instance, order: list[str], plan: Plan) -> Plan:
    for request_id in order:
        if request_id not in plan.assignments and request_id not in plan.unassigned:
            plan.unassigned[request_id] = Unassigned(
                request_id, inst.requests[request_id].trainee, "not placed by the optimiser"
            )
    return Plan(
        {r: plan.assignments[r] for r in order if r in plan.assignments},
        {r: plan.unassigned[r] for r in order if r in plan.unassigned},
    )


def _adopt(
    inst: Instance,
    base: Plan,
    order: list[str],
    plan: Plan,
    assignable: set[str],
    outcome: Outcome,
    say: Progress,
    queue_weight: float = QUEUE_WEIGHT,
) -> None:
    """Take the solver's plan only if our own checks agree that it is valid and better."""
    value = objective(inst, plan, order, assignable, queue_weight)
    problems = violations(inst, plan, base)
    if problems:
        say(0.95, f"solver plan rejected ({problems[0]}); keeping the baseline")
    elif value < outcome.baseline_objective - 1e-9:
        outcome.plan, outcome.source, outcome.objective = plan, "optimised", value
