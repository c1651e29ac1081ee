"""Small hand-made instances as JSON documents."""

from __future__ import annotations

from lisplan.allocation.baseline import queue_baseline
from lisplan.allocation.instance import Instance, Plan, month_index
from lisplan.allocation.parse import parse_instance
from lisplan.allocation.priority import priority_order


def agreement(
    ident: str,
    arena: str = "AR",
    sending: str = "S",
    capacity: int = 1,
    duration: int = 6,
    **fields,
) -> dict:
    return {
        "id": ident,
        "sending": sending,
        "receiving": "R",
        "arena": arena,
        "specialty": "ORT",
        "duration_months": duration,
        "capacity": capacity,
        **fields,
    }


def request(
    ident: str,
    agreements: list[str],
    registered: str = "2025-01-01",
    desired: str = "2027-01",
    **fields,
) -> dict:
    return {
        "id": ident,
        "agreements": agreements,
        "registered": registered,
        "desired_start": desired,
        **fields,
    }


def trainee(
    ident: str, requests: list[dict], home: str = "S", permanent: bool = True, **fields
) -> dict:
    return {
        "id": ident,
        "home": home,
        "specialty": "ORT",
        "permanent": permanent,
        "requests": requests,
        **fields,
    }


def instance(
    agreements: list[dict],
    trainees: list[dict],
    arenas: list[dict] | None = None,
    occupied: list[dict] | None = None,
    delta: int = 0,
    horizon: int = 24,
) -> dict:
    if arenas is None:
        arenas = [
            {"id": a, "institution": "R", "capacity": 99}
            for a in sorted({ag["arena"] for ag in agreements})
        ]
    return {
        "format": "lisplan-allocation/1",
        "start_month": "2027-01",
        "horizon_months": horizon,
        "policy": {"max_delay_months": delta},
        "arenas": arenas,
        "agreements": agreements,
        "trainees": trainees,
        "occupied": occupied or [],
    }


def baseline_of(document: dict) -> tuple[Instance, list[str], Plan]:
    inst = parse_instance(document)
    order = priority_order(inst)
    return inst, order, queue_baseline(inst, order)


def starts(plan: Plan) -> dict[str, tuple[str, str] | None]:
    """request -> (agreement, 'YYYY-MM'), or None where unassigned."""
    from lisplan.allocation.instance import month_text

    found: dict[str, tuple[str, str] | None] = {r: None for r in plan.unassigned}
    for a in plan.assignments.values():
        found[a.request] = (a.agreement, month_text(a.start))
    return found


def m(text: str) -> int:
    return month_index(text)
