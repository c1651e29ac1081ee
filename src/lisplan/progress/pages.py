"""What the progress pages show: the engine's result as rows, the timeline chart, the overview's
filters and counts. Views stay thin; this module turns data into display values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.progress import engine, present, queries
from lisplan.progress.evaluation import evaluate_one
from lisplan.progress.models import NEW_SCHEME_FROM, ProgressStatus

STATUS_COLOURS = {
    "complete": "success",
    "on_track": "success",
    "behind": "warning",
    "at_risk": "danger",
    "unknown": "neutral",
    "old_scheme": "info",
}

# Seed 000: «Godkjent tjenestetid i gammel ordning som kan telle med i minstetiden i ny ordning
# (maks 6,5 år inkl. turnustjeneste/del 1 og godkjent av leder)».
OLD_SCHEME_CREDIT_CAP_MONTHS = 78


def old_scheme_facts(inp, ctx, today: dt.date) -> dict:
    """What is known of a trainee under the old scheme, in words: when they started, the
    service registered, the turnus/del 1 registered, and the old-scheme credit in the approved
    plan against the 78 months — turnus/del 1 included (seed 000), so registered turnus uses
    the room first and the credit counts only what is left (service_rules.yaml, cap
    «old_scheme»)."""
    from lisplan.progress import requirements

    ledger = engine.compute_ledger(
        inp.periods, inp.leave, inp.credits, rules=requirements.rule_book(), today=today
    )
    service = sum(
        (line.days for line in ledger.lines if line.kind == "service" and line.category != "lis1"),
        0,
    )
    turnus = ledger.days(("lis1",))
    counted = sum(
        (
            line.days
            for line in ledger.lines
            if line.kind == "credit" and line.category == "old_scheme"
        ),
        0,
    )
    plan = ctx.get("plan")
    credit = getattr(plan, "credit_old_scheme_months", None) if plan else None
    cap_days = engine.months_to_days(OLD_SCHEME_CREDIT_CAP_MONTHS)
    left = max(0, cap_days - turnus - counted)
    return {
        "started": ctx.get("specialty_start"),
        "service": present.months(engine.days_to_months(service)),
        "turnus": present.months(engine.days_to_months(turnus)) if turnus else None,
        "credit": None if credit is None else present.months(credit),
        "counted": present.months(engine.days_to_months(counted)),
        "credit_capped": credit is not None and counted < engine.MONTH_DAYS * Fraction(str(credit)),
        "cap": present.months_days(OLD_SCHEME_CREDIT_CAP_MONTHS, 0),
        "cap_left": present.months(engine.days_to_months(left)),
    }


def status_label(status: str) -> str:
    return str(ProgressStatus(status).label)


def progress_context(trainee, today: dt.date) -> dict:
    inp, ctx, result = evaluate_one(trainee.pk, today)
    goal_rows = queries.goal_rows(trainee, ctx["goals"])
    rows = []
    if result is not None:
        for r in result.requirements:
            rows.append(
                {
                    "code": r.code,
                    "label": r.label,
                    "done": present.done(r),
                    "required": _("Forutsetning")
                    if r.prerequisite
                    else present.quantity(r.required, r.unit)
                    if r.required is not None
                    else "–",
                    "remaining": present.remaining(r),
                    "satisfied": r.satisfied,
                    "state": present.state(r)[0],
                    "state_colour": present.state(r)[1],
                    "mandatory": r.mandatory,
                    "prerequisite": r.prerequisite,
                    "kind": r.kind,
                    "evidence": present.texts(r.evidence),
                    "calculation": present.texts(r.calculation),
                    "verified": r.verified,
                    "basis": r.basis,
                    "note": r.note,
                    "items": r.items,
                }
            )
    status = result.overall_status if result else "unknown"
    old_scheme = None
    started = ctx.get("specialty_start")
    if (result is None and started and started < NEW_SCHEME_FROM) or (
        result is not None and result.assessed_manually
    ):
        status = ProgressStatus.OLD_SCHEME
        old_scheme = old_scheme_facts(inp, ctx, today)
    return {
        "trainee": trainee,
        "today": today,
        "specialty": ctx["specialty"],
        "employment": ctx["main_employment"],
        "plan": ctx["plan"],
        "result": result,
        "drivers": present.texts(result.drivers) if result else [],
        "requirements": rows,
        "status": status,
        "old_scheme": old_scheme,
        "status_label": status_label(status),
        "status_colour": STATUS_COLOURS.get(status, "neutral"),
        "goal_rows": goal_rows,
        "goals_approved": sum(1 for g in goal_rows if g.status == "approved"),
        "timeline": timeline(inp, result, today),
        # What each line counts in months and days; the arithmetic behind «Slik er det regnet».
        "ledger_lines": [
            {
                "label": present.line_label(line),
                "start": line.start,
                "end": line.end,
                "counts": present.months(line.months) if line.kind != "leave" else "–",
                "reason": present.line_text(line),
            }
            for line in result.ledger.lines
        ]
        if result
        else (),
        "activities": list(trainee.activities.all()),
        "service_periods": list(trainee.service_periods.all()),
    }


# --- the timeline chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    lane: int
    start: dt.date
    end: dt.date
    label: str
    kind: str  # service, planned, leave
    open_end: bool = False


LANES = (gettext_lazy("Tjeneste"), gettext_lazy("Planlagt"), gettext_lazy("Permisjon"))
WIDTH, LEFT, LANE_H, TOP = 760, 90, 28, 24


def _bars(inp: engine.TraineeInput, horizon: dt.date) -> list[Bar]:
    bars = []
    for p in inp.periods:
        end = p.end or horizon
        bars.append(
            Bar(
                1 if p.planned else 0,
                p.start,
                end,
                p.label or p.category,
                "planned" if p.planned else "service",
                p.end is None,
            )
        )
    for lv in inp.leave:
        bars.append(Bar(2, lv.start, lv.end, lv.label or lv.kind, "leave"))
    return bars


def timeline(inp: engine.TraineeInput | None, result, today: dt.date) -> dict:
    """A server-rendered inline SVG of service, planned periods and leave on a time axis, with
    `<title>`/`<desc>` for screen readers, and the same data as table rows."""
    if inp is None:
        return {"svg": "", "rows": []}
    ends = [today + dt.timedelta(days=365)]
    for extra in (getattr(result, "projected_completion", None), inp.target_end):
        if extra:
            ends.append(extra)
    ends += [p.end for p in inp.periods if p.end] + [lv.end for lv in inp.leave]
    horizon = max(ends)
    bars = _bars(inp, horizon)
    if not bars:
        return {"svg": "", "rows": []}
    first = min(b.start for b in bars)
    span = max((horizon - first).days, 1)

    def x(day: dt.date) -> str:
        return f"{LEFT + (WIDTH - LEFT - 10) * max(0, (day - first).days) / span:.1f}"

    height = TOP + LANE_H * len(LANES) + 24
    parts = []
    for i, name in enumerate(LANES):
        y = TOP + i * LANE_H
        parts.append(format_html('<text x="4" y="{}" class="lp-tl-lane">{}</text>', y + 18, name))
    for year in range(first.year + 1, horizon.year + 1):
        xx = x(dt.date(year, 1, 1))
        parts.append(
            format_html(
                '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="lp-tl-grid"/>'
                '<text x="{0}" y="{3}" class="lp-tl-year" text-anchor="middle">{4}</text>',
                xx,
                TOP - 4,
                height - 20,
                height - 6,
                year,
            )
        )
    for b in bars:
        y = TOP + b.lane * LANE_H + 4
        w = f"{max(float(x(b.end)) - float(x(b.start)), 2):.1f}"
        end = _("pågår") if b.open_end else f"{b.end:%d.%m.%Y}"
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="lp-tl-{}" rx="3">'
                "<title>{}: {} – {}</title></rect>",
                x(b.start),
                y,
                w,
                LANE_H - 8,
                b.kind,
                b.label,
                f"{b.start:%d.%m.%Y}",
                end,
            )
        )
    markers = [(today, _("I dag"), "today")]
    if getattr(result, "projected_completion", None):
        markers.append((result.projected_completion, _("Forventet ferdig"), "projected"))
    if inp.target_end:
        markers.append((inp.target_end, _("Planlagt ferdig"), "target"))
    for day, name, cls in markers:
        parts.append(
            format_html(
                '<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" class="lp-tl-{3}">'
                "<title>{4}: {5}</title></line>",
                x(day),
                TOP - 8,
                height - 20,
                cls,
                name,
                f"{day:%d.%m.%Y}",
            )
        )
    desc = _(
        "Tidslinje fra %(start)s til %(end)s med %(n)s perioder. Samme innhold står i "
        "tabellen under figuren."
    ) % {"start": f"{first:%d.%m.%Y}", "end": f"{horizon:%d.%m.%Y}", "n": len(bars)}
    svg = format_html(
        '<svg role="img" aria-labelledby="tl-title tl-desc" viewBox="0 0 {} {}" '
        'class="lp-timeline" xmlns="http://www.w3.org/2000/svg">'
        '<title id="tl-title">{}</title><desc id="tl-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        _("Tidslinje for tjeneste og permisjoner"),
        desc,
        format_html_join("", "{}", ((part,) for part in parts)),
    )
    rows = [
        {
            "lane": LANES[b.lane],
            "label": b.label,
            "start": b.start,
            "end": None if b.open_end else b.end,
        }
        for b in sorted(bars, key=lambda b: b.start)
    ]
    return {"svg": svg, "rows": rows}


# --- the overview -----------------------------------------------------------------------------


def overview_filters(form) -> queries.OverviewFilters:
    form.is_valid()
    data = form.cleaned_data
    institution, specialty = data.get("institution"), data.get("specialty")
    return queries.OverviewFilters(
        q=data.get("q") or "",
        institution=institution.pk if institution else None,
        specialty=specialty.code if specialty else None,
        status=data.get("status") or None,
    )


def status_counts(user, filters: queries.OverviewFilters) -> list[dict]:
    """The number of trainees per status for the filters other than status (one query)."""
    base = queries.OverviewFilters(
        q=filters.q, institution=filters.institution, specialty=filters.specialty
    )
    counts = queries.status_counts(queries.overview(user, base))
    return [
        {"status": s, "label": status_label(s), "n": counts.get(s, 0), "colour": STATUS_COLOURS[s]}
        for s in ProgressStatus.values
    ]


def listed(counts: list[dict], filters: queries.OverviewFilters) -> int:
    """How many trainees the overview lists, read off its status counts (no second COUNT over
    the scope)."""
    return sum(c["n"] for c in counts if filters.status in (None, c["status"]))
