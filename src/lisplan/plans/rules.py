"""Pure rules of the implementation plan (individuell gjennomføringsplan): no Django models.

`check_plan` returns every problem at once, each naming the field (API path style, e.g.
`periods[1].end`), a machine code and a Norwegian message, so the form and the API report the
same thing. Problems of kind "warning" do not block saving but must be confirmed by the leader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

# Caps from the form (seed 000): old-scheme service time counts at most 6.5 years incl.
# internship/part 1; service from another specialty at most 3 years and 3 months incl. part 1.
MAX_CREDIT_OLD_SCHEME_MONTHS = 78
MAX_CREDIT_OTHER_SPECIALTY_MONTHS = 39
APPROVAL_VALID_MONTHS = 12
EXPIRY_WARNING_DAYS = 60
# A temporary employment needs a plan when it lasts at least 6 months (seed 000: «fast stilling
# eller vikarstilling, minimum 6 mnd.»).
TEMPORARY_REQUIRES_PLAN_MONTHS = 6


@dataclass(frozen=True)
class Period:
    specialty: str | None
    institution: int | None
    start: dt.date | None
    end: dt.date | None
    arena: int | None = None


@dataclass(frozen=True)
class PlanInput:
    employer: int | None
    estimated_start: dt.date | None
    estimated_end: dt.date | None
    credit_old_scheme_months: Decimal | None
    credit_other_specialty_months: Decimal | None
    periods: tuple[Period, ...] = ()
    employment_start: dt.date | None = None
    employment_end: dt.date | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str
    warning: bool = False


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def add(self, field_: str, code: str, message: str, warning: bool = False) -> None:
        self.problems.append(Problem(field_, code, message, warning))


def _fmt(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def _check_credits(plan: PlanInput, report: Report) -> None:
    caps = [
        (
            "credit_old_scheme_months",
            plan.credit_old_scheme_months,
            MAX_CREDIT_OLD_SCHEME_MONTHS,
            _(
                "Godkjent tjenestetid i gammel ordning kan være høyst %(cap)s måneder (6,5 år inkl. "
                "turnustjeneste/del 1)."
            ),
        ),
        (
            "credit_other_specialty_months",
            plan.credit_other_specialty_months,
            MAX_CREDIT_OTHER_SPECIALTY_MONTHS,
            _(
                "Godkjent tjenestetid fra annen spesialitet kan være høyst %(cap)s måneder (3 år og "
                "3 måneder inkl. del 1)."
            ),
        ),
    ]
    for name, value, cap, message in caps:
        if value is None:
            continue
        if value < 0:
            report.add(name, "negative", _("Antall måneder kan ikke være negativt."))
        elif value > cap:
            report.add(name, "above_cap", message % {"cap": cap})


def _check_period_fields(i: int, p: Period, plan: PlanInput, report: Report) -> None:
    where = f"periods[{i}]"
    if not p.specialty:
        report.add(f"{where}.specialty", "required", _("Velg spesialitet for perioden."))
    if not p.institution:
        report.add(
            f"{where}.institution", "required", _("Oppgi foretak/samarbeidsforetak for perioden.")
        )
    if not p.start:
        report.add(f"{where}.start", "required", _("Oppgi når perioden starter (tjenestetid fra)."))
    if not p.end:
        report.add(f"{where}.end", "required", _("Oppgi når perioden slutter (tjenestetid til)."))
    if p.start and p.end and p.end < p.start:
        report.add(
            f"{where}.end",
            "end_before_start",
            _("«Tjenestetid til» kan ikke være før «tjenestetid fra»."),
        )
    if p.start and p.end and p.end >= p.start:
        outside = (plan.employment_start and p.start < plan.employment_start) or (
            plan.employment_end and p.end > plan.employment_end
        )
        if outside:
            report.add(
                f"{where}.start",
                "outside_employment",
                _(
                    "Perioden ligger utenfor ansettelsesforholdet. Lederen må bekrefte "
                    "at dette er riktig."
                ),
                warning=True,
            )


def _check_overlaps(plan: PlanInput, report: Report) -> None:
    dated = sorted(
        (
            (p.start, p.end, i)
            for i, p in enumerate(plan.periods)
            if p.start and p.end and p.end >= p.start
        ),
    )
    for (s1, e1, i1), (s2, _e2, i2) in zip(dated, dated[1:], strict=False):
        if s2 <= e1:
            first, second = sorted((i1, i2))
            report.add(
                f"periods[{second}].start",
                "overlap",
                _(
                    "Perioden overlapper periode %(n)s (%(start)s–%(end)s). Periodene i en "
                    "plan kan ikke overlappe."
                )
                % {"n": first + 1, "start": _fmt(s1), "end": _fmt(e1)},
            )


def check_plan(plan: PlanInput) -> Report:
    report = Report()
    if not plan.employer:
        report.add("employer", "required", _("Oppgi arbeidsgiver/foretak."))
    if plan.estimated_start and plan.estimated_end and plan.estimated_end < plan.estimated_start:
        report.add(
            "estimated_end",
            "end_before_start",
            _("Slutten av beregnet tidsrom kan ikke være før starten."),
        )
    _check_credits(plan, report)
    for i, p in enumerate(plan.periods):
        _check_period_fields(i, p, plan, report)
    _check_overlaps(plan, report)
    return report


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of the month where it does not exist)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_required(permanent: bool, start: dt.date, end: dt.date | None) -> bool:
    """Whether an employment needs an implementation plan: permanent, or temporary for at least
    6 calendar months. `end` is the last day of the employment (inclusive), so 1 March to
    31 August is exactly 6 months (it ends the day before 1 September); one day less is not."""
    if permanent or end is None:
        return True
    return end >= add_months(start, TEMPORARY_REQUIRES_PLAN_MONTHS) - dt.timedelta(days=1)


def valid_until(approved_on: dt.date) -> dt.date:
    """The approval of a plan lasts 12 months (seed 000)."""
    return add_months(approved_on, APPROVAL_VALID_MONTHS)


def days_left(until: dt.date | None, today: dt.date) -> int | None:
    return None if until is None else (until - today).days
