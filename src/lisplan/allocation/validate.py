"""Check a plan against the hard rules, the fairness guard and the inversion report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .instance import Instance, Plan, Span, month_text
from .rules import Load, own_rule_failure


@dataclass(frozen=True)
class Violation:
    rule: str  # "1".."6", "guard", "coverage", "inversions"
    subject: str  # request, agreement or arena id
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.subject}: {self.message}"


@dataclass(frozen=True, order=True)
class Inversion:
    """`before` precedes `after` in priority, yet `after` starts at `agreement` in `month`
    where `before` could have started and did not."""

    before: str
    after: str
    agreement: str
    month: int


def violations(
    inst: Instance,
    plan: Plan,
    baseline: Plan | None = None,
    reported: set[Inversion] | None = None,
    order: list[str] | None = None,
) -> list[Violation]:
    """Every broken rule; with `baseline`, also the fairness guard; with `reported`, also
    every priority inversion missing from the report (`order` is the priority order)."""
    found = _coverage(inst, plan) + _per_request(inst, plan) + _capacity(inst, plan)
    if baseline is not None:
        found += _guard(inst, plan, baseline)
    if reported is not None and order is not None:
        found += [
            Violation(
                "inversions",
                inv.after,
                f"unreported priority inversion over {inv.before} at "
                f"{inv.agreement} in {month_text(inv.month)}",
            )
            for inv in inversions(inst, plan, order)
            if inv not in reported
        ]
    return found


def _coverage(inst: Instance, plan: Plan) -> list[Violation]:
    found = []
    for request_id in plan.assignments.keys() & plan.unassigned.keys():
        found.append(Violation("coverage", request_id, "both assigned and unassigned"))
    for request_id in (plan.assignments.keys() | plan.unassigned.keys()) - inst.requests.keys():
        found.append(Violation("coverage", request_id, "not a request of the instance"))
    for request_id in inst.requests.keys() - plan.assignments.keys() - plan.unassigned.keys():
        found.append(Violation("coverage", request_id, "neither assigned nor unassigned"))
    for entry in [*plan.assignments.values(), *plan.unassigned.values()]:
        request = inst.requests.get(entry.request)
        if request is not None and request.trainee != entry.trainee:
            found.append(
                Violation(
                    "coverage", entry.request, f"belongs to {request.trainee}, not {entry.trainee}"
                )
            )
    return found


def _per_request(inst: Instance, plan: Plan) -> list[Violation]:
    found = []
    periods: dict[str, list[tuple[Span, str]]] = defaultdict(list)
    for a in plan.assignments.values():
        request, agreement = inst.requests.get(a.request), inst.agreements.get(a.agreement)
        if request is None:
            continue
        if agreement is None:
            found.append(Violation("2", a.request, f"unknown agreement {a.agreement}"))
            continue
        failure = own_rule_failure(inst, request, agreement, a.start)
        if failure is not None:
            found.append(Violation(failure[5], a.request, failure))
        periods[request.trainee].append((agreement.period(a.start), a.request))
        found += _after(inst, plan, a.request)
    for spans in periods.values():
        spans.sort(key=lambda sr: sr[0].first)
        for (one, first_id), (two, second_id) in zip(spans, spans[1:], strict=False):
            if one.overlaps(two):
                found.append(Violation("5", second_id, f"overlaps the trainee's {first_id}"))
    return found


def _after(inst: Instance, plan: Plan, request_id: str) -> list[Violation]:
    request = inst.requests[request_id]
    if request.after is None:
        return []
    before = plan.assignments.get(request.after)
    if before is None:
        return [Violation("5", request_id, f"assigned but {request.after} (after) is not")]
    if before.agreement not in inst.agreements:
        return []  # reported as a rule 2 violation of the after request
    end = before.start + inst.agreements[before.agreement].duration_months - 1
    if end >= plan.assignments[request_id].start:
        return [Violation("5", request_id, f"starts before {request.after} has ended")]
    return []


def _capacity(inst: Instance, plan: Plan) -> list[Violation]:
    """Rule 6; where `occupied` alone already exceeds a capacity, the plan may add nothing."""
    before, load = Load(inst), Load(inst)
    for a in plan.assignments.values():
        if a.agreement in inst.agreements and a.request in inst.requests:
            load.add(a.trainee, inst.agreements[a.agreement], a.start)
    found = []
    for agreement_id, months in load.agreement.items():
        capacity = inst.agreements[agreement_id].capacity
        found += _over(
            agreement_id, months, before.agreement[agreement_id], capacity, inst, "agreement"
        )
    for arena_id, months in load.arena.items():
        found += _over(
            arena_id, months, before.arena[arena_id], inst.arenas[arena_id].capacity, inst, "arena"
        )
    return found


def _over(
    subject: str,
    months: dict[int, int],
    occupied: dict[int, int],
    capacity: int,
    inst: Instance,
    kind: str,
) -> list[Violation]:
    over = sorted(
        m
        for m, n in months.items()
        if n > max(capacity, occupied.get(m, 0)) and inst.start_month <= m <= inst.end_month
    )
    if not over:
        return []
    shown = ", ".join(f"{month_text(m)} ({months[m]})" for m in over[:6])
    more = f" and {len(over) - 6} more months" if len(over) > 6 else ""
    return [Violation("6", subject, f"{kind} capacity {capacity} exceeded in {shown}{more}")]


def _guard(inst: Instance, plan: Plan, baseline: Plan) -> list[Violation]:
    found = []
    delta = inst.max_delay_months
    for request_id, base in baseline.assignments.items():
        mine = plan.assignments.get(request_id)
        if mine is None:
            found.append(Violation("guard", request_id, "placed by the baseline, not here"))
        elif mine.start > base.start + delta:
            found.append(
                Violation(
                    "guard",
                    request_id,
                    f"starts {month_text(mine.start)}, more than {delta} "
                    f"months after the baseline's {month_text(base.start)}",
                )
            )
    return found


def inversions(inst: Instance, plan: Plan, order: list[str]) -> list[Inversion]:
    position = {request_id: i for i, request_id in enumerate(order)}
    accepting: dict[str, list[str]] = defaultdict(list)
    for request_id in order:
        for agreement_id in inst.requests[request_id].agreements:
            accepting[agreement_id].append(request_id)
    known = [
        a
        for a in plan.assignments.values()
        if a.request in inst.requests and a.agreement in inst.agreements
    ]
    busy: dict[str, list[tuple[Span, str]]] = defaultdict(list)
    for a in known:
        busy[inst.requests[a.request].trainee].append(
            (inst.agreements[a.agreement].period(a.start), a.request)
        )
    found = []
    for q in known:
        for p in accepting[q.agreement]:
            if position[p] >= position[q.request]:
                break
            mine = plan.assignments.get(p)
            if (mine is None or mine.start > q.start) and _could_start(
                inst, plan, busy, p, q.agreement, q.start
            ):
                found.append(Inversion(p, q.request, q.agreement, q.start))
    return sorted(found)


def _could_start(
    inst: Instance, plan: Plan, busy: dict, request_id: str, agreement_id: str, start: int
) -> bool:
    request, agreement = inst.requests[request_id], inst.agreements[agreement_id]
    if own_rule_failure(inst, request, agreement, start) is not None:
        return False
    if request.after is not None:
        before = plan.assignments.get(request.after)
        if (
            before is None
            or before.agreement not in inst.agreements
            or before.start + inst.agreements[before.agreement].duration_months > start
        ):
            return False
    period = agreement.period(start)
    return not any(
        span.overlaps(period) for span, other in busy[request.trainee] if other != request_id
    )
