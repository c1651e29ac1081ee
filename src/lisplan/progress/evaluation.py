"""Running the requirement engine on database rows: inputs from `ledger_input`, the
requirement set and § 31 rules from `progress.requirements`, the result from `progress.engine`.

The one place that knows the engine's entry points, so a change there is a change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lisplan.progress import engine
from lisplan.progress.ledger_input import GoalCatalogue, build_inputs


def _evaluator(detail: bool = True):
    """(run(inp, kind, started) -> Progress | None), or None when the requirement data cannot
    be read (the pages then show the registered data without requirement status)."""
    try:
        from lisplan.progress import requirements

        rules = requirements.rule_book()
    except (ImportError, AttributeError, ValueError):
        return None

    def run(inp: engine.TraineeInput, kind: str, started: dt.date):
        # The set valid on the day the trainee started the specialty: later changes to the
        # requirements do not move the goalposts for trainees under way (docs/rules.md).
        requirement_set = requirements.requirement_set_for(inp.specialty, kind, started)
        if requirement_set is None:
            return None
        return engine.evaluate(inp, requirement_set, rules, detail=detail)

    return run


def evaluate_many(
    trainee_ids: Iterable[int],
    today: dt.date,
    goals: GoalCatalogue | None = None,
    *,
    detail: bool = True,
):
    """{trainee id: (input, context, Progress | None)} with a fixed number of queries.
    `detail=False` for the cached summaries (see `engine.evaluate`)."""
    inputs = build_inputs(trainee_ids, today, goals)
    run = _evaluator(detail)
    out = {}
    for tid, (inp, ctx) in inputs.items():
        result = None
        if run is not None and inp.specialty:
            kind = ctx["specialty"].kind if ctx["specialty"] else ""
            result = run(inp, kind, ctx["specialty_start"])
        out[tid] = (inp, ctx, result)
    return out


def evaluate_one(trainee_id: int, today: dt.date):
    return evaluate_many([trainee_id], today)[trainee_id]
