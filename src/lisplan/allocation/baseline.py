"""The queue baseline: serial dictatorship in priority order (allocation-format.md)."""

from __future__ import annotations

from collections import defaultdict, deque

from .instance import Assignment, Instance, Plan, Request, Unassigned, month_text
from .priority import priority_order
from .rules import Load, no_start_reason, own_starts


def queue_baseline(inst: Instance, order: list[str] | None = None) -> Plan:
    order = priority_order(inst) if order is None else order
    plan = Plan()
    load = Load(inst)
    waiting: dict[str, list[str]] = defaultdict(list)
    for request_id in order:
        request = inst.requests[request_id]
        if request.after is not None and not _decided(plan, request.after):
            waiting[request.after].append(request_id)
            continue
        pending = deque([request_id])
        while pending:
            current = pending.popleft()
            _place(inst, plan, load, inst.requests[current])
            pending.extendleft(reversed(waiting.pop(current, [])))
    return plan


def _decided(plan: Plan, request_id: str) -> bool:
    return request_id in plan.assignments or request_id in plan.unassigned


def _place(inst: Instance, plan: Plan, load: Load, request: Request) -> None:
    not_before = inst.start_month
    if request.after is not None:
        before = plan.assignments.get(request.after)
        if before is None:
            plan.unassigned[request.id] = Unassigned(
                request.id,
                request.trainee,
                f"must come after request {request.after}, which is not placed",
            )
            return
        not_before = before.start + inst.agreements[before.agreement].duration_months
    starts = own_starts(inst, request)
    for start, agreement_id in starts:
        agreement = inst.agreements[agreement_id]
        if (
            start >= not_before
            and load.trainee_free(request.trainee, agreement.period(start))
            and load.has_room(agreement, start)
        ):
            load.add(request.trainee, agreement, start)
            plan.assignments[request.id] = Assignment(
                request.id, request.trainee, agreement_id, start
            )
            return
    reason = no_start_reason(inst, request) if not starts else _full_reason(inst, request)
    plan.unassigned[request.id] = Unassigned(request.id, request.trainee, reason)


def _full_reason(inst: Instance, request: Request) -> str:
    until = (
        "within the horizon"
        if request.latest_end is None
        else f"before latest_end {month_text(request.latest_end)}"
    )
    return f"no capacity {until} (agreements/arenas full or the trainee is busy)"
