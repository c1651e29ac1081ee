"""The engine's entry point for the web app and the command line.

    from lisplan.allocation.engine import solve

    result = solve(instance, max_delay=3, time_limit=60.0, progress=report, queue_weight=0.01)
    result.document()   # the result file (allocation-format.md), a JSON-ready dict
    result.plan         # the chosen Plan (assignments + unassigned with reasons)

`instance` is an `Instance` or an instance document (a dict in the `lisplan-allocation/1`
format; `InvalidFile` lists every format error with its JSON path). `max_delay` overrides
`policy.max_delay_months` (Δ) when not None; `time_limit` bounds the whole call in seconds
(about a second more for building the model at national scale); `progress(fraction, message)`
is called now and then with the fraction done (0..1, never decreasing) and a line for a
coordinator. `queue_weight` is the region's weight of the queue order in the objective
(`metrics.QUEUE_WEIGHT` = 0.01 when None; 0–1, else ValueError; decision 0004). The call is pure: it reads no database, writes no file, does not change
`instance` and can run in a background task (a worker process or thread).
Whatever happens within the time, the result keeps every hard rule and the fairness guard:
the queue baseline is the fallback.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .baseline import queue_baseline
from .instance import Instance, Plan
from .metrics import QUEUE_WEIGHT, check_queue_weight
from .optimise import Outcome, optimise
from .parse import parse_instance
from .priority import priority_order
from .result import result_document
from .validate import Inversion, inversions

ProgressCallback = Callable[[float, str], None]


@dataclass
class Result:
    instance: Instance
    order: list[str]  # the priority order
    baseline: Plan  # the queue baseline
    outcome: Outcome  # the chosen plan, its objective, bounds and solver figures
    inversions: list[Inversion]  # every priority inversion in the chosen plan
    baseline_seconds: float
    seconds: float  # the whole call
    queue_weight: float = QUEUE_WEIGHT  # the weight of the queue order in the objective

    @property
    def plan(self) -> Plan:
        return self.outcome.plan

    def document(self) -> dict:
        """The result file (`lisplan-allocation-result/1`)."""
        document = result_document(
            self.instance, self.baseline, self.outcome, self.order, self.inversions
        )
        document["solve_seconds"] = round(self.seconds, 3)
        document["queue_weight"] = self.queue_weight
        return document


def solve(
    instance: Instance | Mapping[str, Any],
    *,
    max_delay: int | None = None,
    time_limit: float = 60.0,
    progress: ProgressCallback | None = None,
    queue_weight: float | None = None,
) -> Result:
    """Queue baseline, then the optimised plan within `time_limit` seconds (module docstring)."""
    weight = QUEUE_WEIGHT if queue_weight is None else check_queue_weight(queue_weight)
    began = time.monotonic()
    say = progress or (lambda _fraction, _message: None)
    inst = instance if isinstance(instance, Instance) else parse_instance(instance)
    if max_delay is not None and max_delay != inst.max_delay_months:
        inst = dataclasses.replace(inst, max_delay_months=max_delay)
    say(
        0.0,
        f"{len(inst.requests)} requests, {len(inst.trainees)} trainees, "
        f"{len(inst.agreements)} agreements, Δ = {inst.max_delay_months}",
    )
    order = priority_order(inst)
    base = queue_baseline(inst, order)
    baseline_seconds = time.monotonic() - began
    say(
        0.02,
        f"queue baseline: {len(base.assignments)} placed, "
        f"{len(base.unassigned)} not ({baseline_seconds:.1f} s)",
    )
    # A little is kept for finding the inversions after the optimiser (HiGHS may also run over
    # its limit by a fraction of a second).
    remaining = max(0.0, time_limit - baseline_seconds - min(1.0, 0.02 * time_limit))
    outcome = optimise(inst, base, remaining, _after(say, 0.02, 0.98), order, weight)
    found = inversions(inst, outcome.plan, order)
    seconds = time.monotonic() - began
    say(1.0, f"done: {outcome.source} plan ({outcome.status}) in {seconds:.1f} s")
    return Result(inst, order, base, outcome, found, baseline_seconds, seconds, weight)


def _after(say: ProgressCallback, low: float, high: float) -> ProgressCallback:
    """The optimiser's 0..1 mapped into low..high."""
    return lambda fraction, message: say(low + (high - low) * fraction, message)
