"""The hard rules 1-6 as reusable checks (shared by baseline, optimiser and validator)."""

from __future__ import annotations

from collections import defaultdict

from .instance import Agreement, Instance, Request, Span, calendar_month, month_text


def own_rule_failure(
    inst: Instance, request: Request, agreement: Agreement, start: int
) -> str | None:
    """Why `request` may not start at `agreement` in `start` by rules 1-4 and leave (rule 5
    against `unavailable`); None if it may. Other periods and capacity are not considered."""
    trainee = inst.trainees[request.trainee]
    if not trainee.permanent:
        return "rule 1: trainee is not permanent"
    if agreement.id not in request.agreements:
        return f"rule 2: agreement {agreement.id} is not one of the request's agreements"
    if agreement.sending != trainee.home:
        return (
            f"rule 2: agreement {agreement.id} sends from {agreement.sending}, not {trainee.home}"
        )
    return _time_failure(inst, request, agreement, start) or _goal_failure(
        inst, request, agreement, start
    )


def _time_failure(inst: Instance, request: Request, agreement: Agreement, start: int) -> str | None:
    period = agreement.period(start)
    if start < inst.earliest_start(request):
        return f"rule 3: starts before {month_text(inst.earliest_start(request))}"
    if period.last > inst.end_month:
        return "rule 3: ends after the horizon"
    if request.latest_end is not None and period.last > request.latest_end:
        return f"rule 3: ends after latest_end {month_text(request.latest_end)}"
    if agreement.start_months and calendar_month(start) not in agreement.start_months:
        return f"rule 3: {agreement.id} does not start in calendar month {calendar_month(start)}"
    if agreement.valid_from is not None and start < agreement.valid_from:
        return f"rule 3: {agreement.id} is not valid before {month_text(agreement.valid_from)}"
    if agreement.valid_to is not None and period.last > agreement.valid_to:
        return f"rule 3: {agreement.id} is not valid after {month_text(agreement.valid_to)}"
    for leave in inst.trainees[request.trainee].unavailable:
        if leave.overlaps(period):
            return (
                f"rule 5: overlaps unavailable {month_text(leave.first)}..{month_text(leave.last)}"
            )
    return None


def _goal_failure(inst: Instance, request: Request, agreement: Agreement, start: int) -> str | None:
    trainee = inst.trainees[request.trainee]
    for goal in agreement.prerequisites:
        if goal in trainee.approved_goals:
            continue
        expected = trainee.expected_goals.get(goal)
        if expected is None or expected > start:
            return f"rule 4: prerequisite {goal} not approved by {month_text(start)}"
    return None


def own_starts(inst: Instance, request: Request) -> list[tuple[int, str]]:
    """All (start, agreement) that own_rule_failure allows, in baseline preference order
    (earliest month, then the request's order of agreements)."""
    trainee = inst.trainees[request.trainee]
    if not trainee.permanent:
        return []
    starts = []
    for rank, agreement_id in enumerate(request.agreements):
        agreement = inst.agreements[agreement_id]
        if agreement.sending == trainee.home:
            starts.extend((s, rank, agreement_id) for s in _start_range(inst, request, agreement))
    starts.sort()
    return [(s, a) for s, _, a in starts]


def _start_range(inst: Instance, request: Request, agreement: Agreement) -> list[int]:
    d = agreement.duration_months
    first = inst.earliest_start(request)
    if agreement.valid_from is not None:
        first = max(first, agreement.valid_from)
    last = inst.end_month - d + 1
    for end in (request.latest_end, agreement.valid_to):
        if end is not None:
            last = min(last, end - d + 1)
    trainee = inst.trainees[request.trainee]
    for goal in agreement.prerequisites:
        if goal not in trainee.approved_goals:
            if goal not in trainee.expected_goals:
                return []
            first = max(first, trainee.expected_goals[goal])
    return [
        s
        for s in range(first, last + 1)
        if (not agreement.start_months or calendar_month(s) in agreement.start_months)
        and not any(u.first <= s + d - 1 and s <= u.last for u in trainee.unavailable)
    ]


def no_start_reason(inst: Instance, request: Request) -> str:
    """A coordinator-readable reason why own_starts(request) is empty."""
    trainee = inst.trainees[request.trainee]
    if not trainee.permanent:
        return "trainee is not permanent (only permanent trainees are assigned)"
    if not any(inst.agreements[a].sending == trainee.home for a in request.agreements):
        return f"none of the request's agreements sends from the trainee's home {trainee.home}"
    window = (
        "the horizon"
        if request.latest_end is None
        else f"latest_end {month_text(request.latest_end)}"
    )
    return (
        "no start month before " + window + " satisfies the agreements' start months, "
        "validity, prerequisites and the trainee's unavailable months"
    )


class Load:
    """Periods per agreement, arena and trainee, month by month (rule 5 overlaps, rule 6)."""

    def __init__(self, inst: Instance, with_occupied: bool = True):
        self.inst = inst
        self.agreement: dict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.arena: dict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.trainee: dict[str, list[Span]] = defaultdict(list)
        if with_occupied:
            for occ in inst.occupied:
                self._count(occ.agreement, occ.span, 1)

    def _count(self, agreement_id: str, span: Span, step: int) -> None:
        per_agreement = self.agreement[agreement_id]
        per_arena = self.arena[self.inst.agreements[agreement_id].arena]
        for month in range(span.first, span.last + 1):
            per_agreement[month] += step
            per_arena[month] += step

    def has_room(self, agreement: Agreement, start: int) -> bool:
        per_agreement = self.agreement[agreement.id]
        per_arena = self.arena[agreement.arena]
        arena_capacity = self.inst.arenas[agreement.arena].capacity
        for month in range(start, start + agreement.duration_months):
            if per_agreement[month] >= agreement.capacity or per_arena[month] >= arena_capacity:
                return False
        return True

    def trainee_free(self, trainee_id: str, period: Span) -> bool:
        return not any(p.overlaps(period) for p in self.trainee[trainee_id])

    def add(self, trainee_id: str, agreement: Agreement, start: int) -> None:
        self._count(agreement.id, agreement.period(start), 1)
        self.trainee[trainee_id].append(agreement.period(start))
