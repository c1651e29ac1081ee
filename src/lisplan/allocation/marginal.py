"""What one more place would do: for each agreement named by a request that got no place, how
many more requests the plan would place if that agreement (and its arena) had one more place.

A marginal analysis by re-solving, not by LP duals: the capacity rows are month by month and
merged (`optimise._add_capacity_rows`), and a dual price says what a fraction of a place is
worth in the objective, not how many whole requests one more place would let in. So for each
such agreement the part of the instance it belongs to (the requests that share an arena or a
trainee with it, `optimise.parts`) is solved twice with the same method as the run — the queue
baseline in the run's priority order, then the optimiser with the fairness guard — once as it
is and once with the agreement's capacity and its arena's capacity raised by one (an extra
place in the agreement is also an extra place at the unit). The answer is the difference in
placed requests, and the months in which the extra place is used in the new plan.

Requests outside the part share no arena and no trainee with it, so they cannot gain or lose;
solving only the part keeps each re-solve small (at national scale the largest part has under
2,000 variables). Pure like the engine: no database, no files; the app calls it in the
background run after the plan is chosen and stores the answer, so the result page only reads.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from .baseline import queue_baseline
from .instance import Instance, Plan, month_text
from .metrics import QUEUE_WEIGHT
from .optimise import optimise, parts
from .rules import own_starts

PER_SOLVE_SECONDS = 5.0  # at most, for one re-solve of one part


@dataclass(frozen=True)
class Marginal:
    agreement: str
    waiting: int  # requests without a place that name this agreement (and could use it)
    extra: int  # how many more requests one more place would place
    first: int | None = None  # the months the extra place is in use in the new plan
    last: int | None = None
    proven: bool = True  # both re-solves optimal (else a count found within the time)

    def document(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "waiting": self.waiting,
            "extra": self.extra,
            "first": None if self.first is None else month_text(self.first),
            "last": None if self.last is None else month_text(self.last),
            "proven": self.proven,
        }


@dataclass
class Analysis:
    agreements: list[Marginal]
    complete: bool  # every candidate agreement was analysed within the time
    seconds: float

    def document(self) -> dict[str, Any]:
        return {
            "agreements": [m.document() for m in self.agreements],
            "complete": self.complete,
            "seconds": round(self.seconds, 3),
        }


def candidates(inst: Instance, plan: Plan) -> Counter[str]:
    """Agreements named by requests without a place that have a start the rules allow there
    (capacity aside), with how many such requests name each. A request with no allowed start
    at all (not permanent, no agreement from the home trust, no start month) is not helped by
    more places, and is left out."""
    waiting: Counter[str] = Counter()
    for request_id in plan.unassigned:
        request = inst.requests[request_id]
        for agreement_id in {a for _start, a in own_starts(inst, request)}:
            waiting[agreement_id] += 1
    return waiting


def analyse(
    inst: Instance,
    plan: Plan,
    order: list[str],
    time_limit: float = 30.0,
    queue_weight: float = QUEUE_WEIGHT,
) -> Analysis:
    """One `Marginal` per candidate agreement, most waiting requests first, as many as
    `time_limit` seconds allow (`complete` says whether all were done)."""
    began = time.monotonic()
    deadline = began + time_limit
    waiting = candidates(inst, plan)
    if not waiting:
        return Analysis([], True, time.monotonic() - began)
    base = queue_baseline(inst, order)
    arena_part: dict[str, int] = {}
    groups = parts(inst, base, order)
    for index, request_ids in enumerate(groups):
        for request_id in request_ids:
            for agreement_id in inst.requests[request_id].agreements:
                arena_part[inst.agreements[agreement_id].arena] = index
    reference: dict[int, tuple[int, bool]] = {}
    out: list[Marginal] = []
    ranked = sorted(waiting.items(), key=lambda kv: (-kv[1], kv[0]))
    for agreement_id, n in ranked:
        if time.monotonic() >= deadline:
            break
        index = arena_part[inst.agreements[agreement_id].arena]
        sub = part_instance(inst, groups[index])
        sub_order = [r for r in order if r in sub.requests]
        if index not in reference:
            reference[index] = _placed(sub, sub_order, deadline, queue_weight)[:2]
        before, proven_before = reference[index]
        more = with_one_more_place(sub, agreement_id)
        after, proven_after, new_plan = _placed(more, sub_order, deadline, queue_weight)
        extra = max(0, after - before)
        first, last = _extra_months(more, new_plan, agreement_id) if extra else (None, None)
        out.append(Marginal(agreement_id, n, extra, first, last, proven_before and proven_after))
    return Analysis(out, len(out) == len(ranked), time.monotonic() - began)


def part_instance(inst: Instance, request_ids: list[str]) -> Instance:
    """The instance cut down to these requests (one part): their trainees, the arenas their
    agreements use, every agreement at those arenas and the periods already running there."""
    requests = {r: inst.requests[r] for r in request_ids}
    arenas = {inst.agreements[a].arena for r in requests.values() for a in r.agreements}
    agreements = {k: a for k, a in inst.agreements.items() if a.arena in arenas}
    trainee_ids = {r.trainee for r in requests.values()}
    return dataclasses.replace(
        inst,
        arenas={k: inst.arenas[k] for k in arenas},
        agreements=agreements,
        trainees={k: inst.trainees[k] for k in trainee_ids},
        requests=requests,
        occupied=tuple(o for o in inst.occupied if o.agreement in agreements),
    )


def with_one_more_place(inst: Instance, agreement_id: str) -> Instance:
    agreement = inst.agreements[agreement_id]
    arena = inst.arenas[agreement.arena]
    return dataclasses.replace(
        inst,
        agreements={
            **inst.agreements,
            agreement_id: dataclasses.replace(agreement, capacity=agreement.capacity + 1),
        },
        arenas={**inst.arenas, arena.id: dataclasses.replace(arena, capacity=arena.capacity + 1)},
    )


def _placed(
    inst: Instance, order: list[str], deadline: float, queue_weight: float
) -> tuple[int, bool, Plan]:
    """(placed requests, proven optimal, plan) by the run's method: baseline, then optimiser."""
    base = queue_baseline(inst, order)
    seconds = max(0.05, min(PER_SOLVE_SECONDS, deadline - time.monotonic()))
    outcome = optimise(inst, base, seconds, order=order, queue_weight=queue_weight)
    return len(outcome.plan.assignments), outcome.status == "Optimal", outcome.plan


def _extra_months(inst: Instance, plan: Plan, agreement_id: str) -> tuple[int | None, int | None]:
    """The first and last month in which the agreement holds more periods than it had places
    (`inst` is the instance with the extra place: one less than its capacity)."""
    agreement = inst.agreements[agreement_id]
    load: defaultdict[int, int] = defaultdict(int)
    for occ in inst.occupied:
        if occ.agreement == agreement_id:
            for month in range(occ.span.first, occ.span.last + 1):
                load[month] += 1
    for assignment in plan.assignments.values():
        if assignment.agreement == agreement_id:
            span = agreement.period(assignment.start)
            for month in range(span.first, span.last + 1):
                load[month] += 1
    over = sorted(m for m, n in load.items() if n > agreement.capacity - 1)
    return (over[0], over[-1]) if over else (None, None)
