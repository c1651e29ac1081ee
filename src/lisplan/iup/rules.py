"""Pure rules of the individual education plan (IUP): deadlines and completeness. No Django
models: frozen dataclasses in, frozen dataclasses out.

Deadlines (seed 001, domain.md § 4; seed 002 for ALIS):

* a plan must be ready (fully signed) at the latest **4 weeks after starting** in a new
  position (`NEW_POSITION_DAYS` after the employment's start);
* then revised at **each assessment panel** (a panel held after the last signature, or the next
  planned panel, makes a revision due on its date) and at least every **6 months**
  (`REVISION_INTERVAL_MONTHS` after the last signature);
* always revised **before the trainee leaves** (the employment's end) or **starts long leave**
  (leave of at least `LONG_LEAVE_DAYS` days, registered as `trainees.LeavePeriod`): due the day
  before it starts.

The earliest applicable date is the due date. `state` on `today`: ``overdue`` after it,
``due_soon`` within `DUE_SOON_DAYS`, otherwise ``ok``; ``missing`` when no revision was ever
signed and the 4 weeks have passed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

NEW_POSITION_DAYS = 28
REVISION_INTERVAL_MONTHS = 6
DUE_SOON_DAYS = 30
# «Lenger fravær som f.eks. utdanningspermisjon, foreldrepermisjon» (seed 001) has no number in
# the sources; we treat leave of three months or more (as the progress engine counts a month,
# 3 × 30.4375 days) as long leave. One constant, so a trust can change it.
LONG_LEAVE_DAYS = 91
# The dates on which the data must be complete (domain.md § 8: facts change on 1 March and
# 1 September; issue #5).
COMPLETENESS_DATES = ((3, 1), (9, 1))


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class LeaveSpan:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class DeadlineInput:
    """What decides when a trainee's IUP is due.

    `employment_start`/`employment_end`: the current employment (end inclusive, None = open).
    `last_signed`: the date the latest revision was fully signed (None: never).
    `panels_held`: assessment panels registered in the ledger; `next_panel`: the planned one.
    `leave`: registered leave periods (any length; the rule picks the long ones)."""

    today: dt.date
    employment_start: dt.date | None
    employment_end: dt.date | None = None
    last_signed: dt.date | None = None
    panels_held: tuple[dt.date, ...] = ()
    next_panel: dt.date | None = None
    leave: tuple[LeaveSpan, ...] = ()


REASONS = ("new_position", "half_year", "assessment_panel", "long_leave", "employment_end")


@dataclass(frozen=True)
class Deadline:
    due: dt.date | None
    reason: str  # one of REASONS, "" when nothing is due
    state: str  # "ok" | "due_soon" | "overdue" | "missing" | "none"

    @property
    def label(self) -> str:
        return reason_label(self.reason)

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due is None else (self.due - today).days


def reason_label(reason: str) -> str:
    return {
        "new_position": _("Senest 4 uker etter oppstart i ny stilling"),
        "half_year": _("Revideres minst hvert halvår"),
        "assessment_panel": _("Revideres ved vurderingskollegium"),
        "long_leave": _("Oppdateres før lengre fravær"),
        "employment_end": _("Oppdateres før legen slutter"),
    }.get(reason, "")


def is_long_leave(span: LeaveSpan) -> bool:
    return span.days >= LONG_LEAVE_DAYS


def deadline(inp: DeadlineInput) -> Deadline:
    """The date by which the next (or first) revision must be signed, and why."""
    candidates: list[tuple[dt.date, str]] = []
    if (
        inp.last_signed is not None
        and inp.employment_start is not None
        and inp.last_signed < inp.employment_start
    ):
        # A plan signed before the current employment began belongs to the earlier position:
        # the new position needs its own plan within 4 weeks.
        inp = DeadlineInput(
            inp.today,
            inp.employment_start,
            inp.employment_end,
            None,
            inp.panels_held,
            inp.next_panel,
            inp.leave,
        )
    if inp.last_signed is None:
        if inp.employment_start is None:
            return Deadline(None, "", "none")
        candidates.append(
            (inp.employment_start + dt.timedelta(days=NEW_POSITION_DAYS), "new_position")
        )
    else:
        since = inp.last_signed
        candidates.append((add_months(since, REVISION_INTERVAL_MONTHS), "half_year"))
        held = [p for p in inp.panels_held if p > since]
        if held:
            candidates.append((min(held), "assessment_panel"))
        if inp.next_panel is not None and inp.next_panel > since:
            candidates.append((inp.next_panel, "assessment_panel"))
        for span in inp.leave:
            if is_long_leave(span) and span.start > since:
                candidates.append((span.start - dt.timedelta(days=1), "long_leave"))
        if inp.employment_end is not None and inp.employment_end > since:
            candidates.append((inp.employment_end, "employment_end"))
    due, reason = min(candidates)
    if due < inp.today:
        state = "missing" if inp.last_signed is None else "overdue"
    elif (due - inp.today).days <= DUE_SOON_DAYS:
        state = "due_soon"
    else:
        state = "ok"
    return Deadline(due, reason, state)


def next_completeness_date(today: dt.date) -> dt.date:
    """The next 1 March or 1 September on or after `today`."""
    for year in (today.year, today.year + 1):
        for month, day in COMPLETENESS_DATES:
            d = dt.date(year, month, day)
            if d >= today:
                return d
    raise AssertionError("unreachable")


def is_completeness_date(day: dt.date) -> bool:
    return (day.month, day.day) in COMPLETENESS_DATES


# --- completeness of a revision ------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    section: str  # "1".."7" (hospital) or "1".."7" (ALIS)
    field: str
    message: str


# (section, field, label) that must be filled in before a revision can be signed, per form.
REQUIRED_HOSPITAL = (
    ("1", "workplace", "Arbeidssted"),
    ("1", "scheme", "Spesialiseringsordning (ny/gammel)"),
    ("2", "supervisors", "Veileder, navn og spesialitet"),
    ("2", "meetings", "Tidspunkt for samtaler det neste halve året"),
    ("2", "next_panel", "Neste planlagte vurderingskollegium"),
    ("3", "goals_own_unit", "Læringsmål i egen enhet"),
    ("4", "degree", "Grunnutdanning: sted og år for avsluttende eksamen"),
    ("6", "clinical_own_unit", "Klinisk tjeneste: egen avdeling"),
    ("6", "priority_goals", "Læringsmål som skal prioriteres"),
    ("6", "personal_goal", "Personlig mål for faglig utvikling"),
)
REQUIRED_ALIS = (
    ("1", "municipality_registered", "Er kommunen registrert som utdanningsvirksomhet?"),
    ("1", "municipality_leader", "Leder i kompetanseportalen"),
    ("1", "alis_coordinator", "ALIS-koordinator/kontaktperson"),
    ("2", "contact", "E-post/telefon"),
    ("2", "workplace", "Læringsarena/arbeidssted"),
    ("3", "supervisor_name", "Individuell veileders navn"),
    ("3", "supervisor_contact", "Veileders e-post/telefon"),
    ("3", "minutes_by", "Hvem skriver referat"),
    ("5", "plan_open_practice", "Framdriftsplan: åpen uselektert praksis"),
    ("6", "plan_overall", "Plan for hele utdanningsløpet"),
    ("7", "next_meeting", "Dato for neste møte"),
)


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return len(value) == 0
    return False


def missing_fields(kind: str, values: dict) -> list[Missing]:
    """The required fields of the form `kind` ("hospital" | "alis") that are empty in `values`
    (field name -> value; child tables as lists)."""
    required = REQUIRED_ALIS if kind == "alis" else REQUIRED_HOSPITAL
    out = []
    for section, name, label in required:
        if _blank(values.get(name)):
            out.append(
                Missing(
                    section,
                    name,
                    _("Del %(section)s: «%(label)s» er ikke fylt ut.")
                    % {"section": section, "label": _(label)},
                )
            )
    return out


def check_periods(periods: list[tuple[dt.date | None, dt.date | None]]) -> list[str]:
    """Messages for tentative periods whose end lies before their start (by row index)."""
    return [
        _("Rad %(n)s: «til» kan ikke være før «fra».") % {"n": i + 1}
        for i, (start, end) in enumerate(periods)
        if start and end and end < start
    ]
