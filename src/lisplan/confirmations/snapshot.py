"""The registered service of one employment, as the progress ledger counts it, frozen into a
confirmation when the coordinator issues it.

No second month count: the trainee's ledger is built the way the progress page builds it
(`progress.ledger_input.build_inputs`, `progress.engine.compute_ledger` with the § 31 rule
book), counted up to the employment's end (or the issue date while it lasts), and this
employment's lines are taken from it — so leave that does not count, overlapping positions and
the caps of the rule book are decided where they are decided for every other page. The duration
of the period is `engine.period_months`; amounts of service are `engine.months_and_days` of the
counted full-time days — both the one implementation the ledger and the register use.

The snapshot stores codes, names and numbers (language neutral); `confirmations.pages` puts
it into words.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from lisplan.progress import engine

LAYOUT = 1  # bump when the snapshot's shape changes (readers branch on it)


def _amount(days: Fraction | int) -> dict:
    """Full-time days as whole months and days (the part of a day that part time leaves is
    dropped, as `progress.present.months` does), with the exact days for the API."""
    whole = math.floor(Fraction(days))
    months, rest = engine.months_and_days(whole)
    return {"months": months, "days": rest, "fte_days": f"{float(days):.2f}"}


def _overlap(a_start, a_end, b_start, b_end) -> tuple[dt.date, dt.date] | None:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (start, end) if start <= end else None


def take(employment, as_of: dt.date) -> dict:
    """The snapshot of `employment` (with `trainee`, `institution`, `arena`, `specialty`)
    on `as_of`."""
    from lisplan.progress import requirements
    from lisplan.progress.ledger_input import build_inputs
    from lisplan.progress.models import ServicePeriod

    trainee = employment.trainee
    specialty = employment.specialty
    counted_to = min(employment.end or as_of, as_of)
    started = employment.start <= counted_to
    inp, _ctx = build_inputs([trainee.pk], as_of)[trainee.pk]
    rules = requirements.rule_book()
    lines: list[engine.LedgerLine] = []
    if started:
        ledger = engine.compute_ledger(
            [p for p in inp.periods if not p.planned],
            inp.leave,
            inp.credits,
            rules=rules,
            today=as_of,
            until=counted_to,
        )
        linked = set(
            ServicePeriod.objects.filter(employment=employment).values_list("pk", flat=True)
        )
        refs = {f"employment:{employment.pk}"} | {f"service:{pk}" for pk in linked}
        lines = [line for line in ledger.lines if line.kind == "service" and line.ref in refs]
    periods = [
        {
            "label": line.label,
            "category": line.category,
            "start": line.start.isoformat() if line.start else None,
            "end": line.end.isoformat() if line.end else None,
            "duration": dict(
                zip(("months", "days"), engine.period_months(line.start, line.end), strict=True)
            )
            if line.start and line.end
            else None,
            "service": _amount(line.gross_days),
            "leave_deducted": _amount(line.leave_days),
            "over_cap": _amount(line.capped_days),
            "counted": _amount(line.days),
        }
        for line in lines
    ]
    category = lines[0].category if lines else ""
    leave = []
    if started:
        for lv in inp.leave:
            span = _overlap(lv.start, lv.end, employment.start, counted_to)
            if span is None:
                continue
            rule = rules.on(span[0]).leave_rule(lv.kind)
            leave.append(
                {
                    "kind": lv.kind,
                    "start": span[0].isoformat(),
                    "end": span[1].isoformat(),
                    "percent": int(lv.percent),
                    "counts": bool(rule and rule.counts_in(category)),
                }
            )
    total = sum((line.days for line in lines), Fraction(0))
    return {
        "layout": LAYOUT,
        "as_of": as_of.isoformat(),
        "trainee": {"name": trainee.full_name, "hpr_number": trainee.hpr_number or ""},
        "employer": employment.institution.name,
        "arena": employment.arena.name if employment.arena_id else "",
        "specialty": {"code": specialty.code, "name": specialty.name},
        "programme": "alis" if specialty.code == "ALM" else "lis",
        "scheme": employment.scheme,
        "permanent": employment.permanent,
        "position_percent": employment.position_percent,
        "employee_number": employment.employee_number,
        "start": employment.start.isoformat(),
        "end": employment.end.isoformat() if employment.end else None,
        "counted_to": counted_to.isoformat() if started else None,
        "duration": dict(
            zip(
                ("months", "days"),
                engine.period_months(employment.start, counted_to),
                strict=True,
            )
        )
        if started
        else {"months": 0, "days": 0},
        "category": category,
        "periods": periods,
        "leave": leave,
        "service": _amount(sum((line.gross_days for line in lines), Fraction(0))),
        "leave_deducted": _amount(sum((line.leave_days for line in lines), Fraction(0))),
        "over_cap": _amount(sum((line.capped_days for line in lines), Fraction(0))),
        "counted": _amount(total),
    }
