"""Result files: Plan + figures -> JSON, and JSON -> Plan (for --validate)."""

from __future__ import annotations

from typing import Any

from .instance import Assignment, Instance, Plan, Unassigned, month_text
from .metrics import metrics
from .optimise import Outcome
from .parse import InvalidFile, Reader
from .validate import Inversion

FORMAT = "lisplan-allocation-result/1"


def result_document(
    inst: Instance, base: Plan, outcome: Outcome, order: list[str], found: list[Inversion]
) -> dict:
    plan = outcome.plan
    return {
        "format": FORMAT,
        "assignments": [
            {
                "request": a.request,
                "trainee": a.trainee,
                "agreement": a.agreement,
                "start": month_text(a.start),
            }
            for a in (plan.assignments[r] for r in order if r in plan.assignments)
        ],
        "unassigned": [
            {"request": u.request, "trainee": u.trainee, "reason": u.reason}
            for u in (plan.unassigned[r] for r in order if r in plan.unassigned)
        ],
        "metrics": metrics(inst, plan),
        "baseline_metrics": metrics(inst, base),
        "objective": {
            "optimised": _round(outcome.objective),
            "baseline": _round(outcome.baseline_objective),
        },
        # `objective` bounds the objective below (the best of all bounds, `gap` is measured
        # against it); `lp_relaxation` is the plain LP, `strengthened_lp` the LP with the
        # odd-cycle inequalities, `root_node` HiGHS's bound after its root node (presolve,
        # LP and its cuts, no branching; not an LP bound); `total_wait_months` bounds total
        # wait months over every plan that keeps the rules and the guard and places at least
        # `placed` requests (docs/decisions/0004).
        "lower_bound": {
            "objective": _round(outcome.bound),
            "lp_relaxation": _round(outcome.lp_bound),
            "strengthened_lp": _round(outcome.cut_bound),
            "root_node": _round(outcome.root_bound),
            "total_wait_months": _round(outcome.wait_bound),
            "placed": outcome.wait_bound_placed,
        },
        "gap": _round(outcome.gap, 6),
        "source": outcome.source,
        "solver_status": outcome.status,
        "max_delay_months": inst.max_delay_months,
        "solve_seconds": round(outcome.seconds, 3),
        "model": {
            "variables": outcome.columns,
            "constraints": outcome.rows,
            "independent_parts": outcome.parts,
        },
        "priority_inversions": [
            {
                "before": i.before,
                "after": i.after,
                "agreement": i.agreement,
                "month": month_text(i.month),
            }
            for i in found
        ],
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def parse_result(data: Any) -> tuple[Plan, set[Inversion] | None]:
    """The plan and the reported inversions (None if the file reports none at all)."""
    r = Reader()
    root = r.obj(data, "$")
    if root is None:
        raise InvalidFile(r.errors)
    if root.get("format") != FORMAT:
        r.error("$.format", f"expected {FORMAT!r}, got {root.get('format')!r}")
    plan = Plan()
    for i, item in enumerate(r.list(root, "assignments", "$")):
        _assignment(r, item, f"$.assignments[{i}]", plan)
    for i, item in enumerate(r.list(root, "unassigned", "$")):
        path = f"$.unassigned[{i}]"
        if (obj := r.obj(item, path)) is not None:
            fields = (
                r.str(obj, "request", path),
                r.str(obj, "trainee", path),
                r.str(obj, "reason", path),
            )
            if None not in fields:
                _once(r, plan, fields[0], path)
                plan.unassigned[fields[0]] = Unassigned(*fields)
    reported = None
    if "priority_inversions" in root:
        reported = set()
        for i, item in enumerate(r.list(root, "priority_inversions", "$")):
            path = f"$.priority_inversions[{i}]"
            if (obj := r.obj(item, path)) is not None:
                fields = (
                    r.str(obj, "before", path),
                    r.str(obj, "after", path),
                    r.str(obj, "agreement", path),
                    r.month(obj, "month", path),
                )
                if None not in fields:
                    reported.add(Inversion(*fields))
    if r.errors:
        raise InvalidFile(r.errors)
    return plan, reported


def _assignment(r: Reader, item: Any, path: str, plan: Plan) -> None:
    if (obj := r.obj(item, path)) is None:
        return
    fields = (
        r.str(obj, "request", path),
        r.str(obj, "trainee", path),
        r.str(obj, "agreement", path),
        r.month(obj, "start", path),
    )
    if None not in fields:
        _once(r, plan, fields[0], path)
        plan.assignments[fields[0]] = Assignment(*fields)


def _once(r: Reader, plan: Plan, request_id: str, path: str) -> None:
    if request_id in plan.assignments or request_id in plan.unassigned:
        r.error(f"{path}.request", f"request {request_id!r} appears more than once")
