"""The requirement engine: service-time ledger, requirement status and projected completion.

Pure Python — no Django. Plain frozen dataclasses in, plain frozen dataclasses out; the DB side
(`progress/services.py`) builds the inputs from employments, service periods, leave, the approved
implementation plan, goal approvals and activity records, and renders the outputs.

Conventions (see docs/rules.md, in Norwegian, for worked examples):

* All periods are **inclusive** of both `start` and `end` (a period 01.01–31.01 is 31 days).
* Time is counted in **days**, exactly (`fractions.Fraction`): a day at 60 % is 3/5 day.
* **1 month = 365.25 / 12 = 30.4375 days** (`MONTH_DAYS`), the same as `Employment.months`.
  A cap of M months is exactly M × 30.4375 days; `months_to_days` rounds down:
  60 months = 1826 days, 6 months = 182 days, 39 months = 1187 days.
* A **minimum** of M whole months is met by M consecutive calendar months of full-time
  service (`minimum_days`, rule book `month_minimum="calendar"`): the fewest days M calendar
  months can have — 6 months = 181 days (01.01.–30.06. in a common year), 18 = 546,
  24 = 730, 60 = 1826. With `month_minimum="average"`: `months_to_days`.
* The § 31 rules (which leave counts, caps) come from data (`ServiceRules`, loaded by
  `progress.requirements` from `progress/data/service_rules.yaml`), never from constants here.
* Goal statuses arrive **already resolved** to the goal version valid for the trainee: when a
  goal is tightened, the DB side decides that an earlier approval no longer counts and passes
  `approved=False`. The engine only counts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Literal

Number = int | Fraction | Decimal

MONTH_DAYS = Fraction(1461, 48)  # 365.25 / 12 = 30.4375 days
ONE_DAY = dt.timedelta(days=1)


def months_to_days(months: Number) -> int:
    """Whole days a requirement or cap of `months` months stands for (rounded down)."""
    return math.floor(Fraction(months) * MONTH_DAYS)


def days_to_months(days: Number) -> Fraction:
    return Fraction(days) / MONTH_DAYS


@lru_cache(maxsize=256)
def _calendar_spans(months: int) -> tuple[int, int]:
    """The fewest and the most days `months` consecutive calendar months can have (every start
    month of a four-year cycle with one leap year; the Gregorian century rule only adds longer
    spans, never a longest one)."""
    lengths = []
    for start in range(48):
        y, m = 2001 + start // 12, start % 12 + 1
        end_index = start + months
        ey, em = 2001 + end_index // 12, end_index % 12 + 1
        lengths.append((dt.date(ey, em, 1) - dt.date(y, m, 1)).days)
    return min(lengths), max(lengths)


def _shortest_calendar_span(months: int) -> int:
    return _calendar_spans(months)[0]


def _longest_calendar_span(months: int) -> int:
    return _calendar_spans(months)[1]


MONTH_MINIMUM_MODES = ("calendar", "average")


@lru_cache(maxsize=256)
def minimum_days(months: Number, mode: str = "calendar") -> int:
    """Whole days of full-time service that meet a minimum of `months` months.

    ``calendar`` (the rule book's default, docs/rules.md § 1): a whole number of months is met
    by that many consecutive calendar months, so the minimum is the shortest such span —
    six months from 01.01. end on 30.06. (181 days in a common year). A fractional number of
    months adds the fraction at 30.4375 days, rounded down. ``average``: `months_to_days`.
    """
    if mode == "average":
        return months_to_days(months)
    if mode != "calendar":
        raise ValueError(f"unknown month_minimum mode {mode!r}")
    value = Fraction(months)
    whole = math.floor(value)
    return _shortest_calendar_span(whole) + math.floor((value - whole) * MONTH_DAYS)


def _whole_months(days: int, mode: str) -> int:
    """The most months M with ``minimum_days(M) <= days``: the minimum `days` meets."""
    if days <= 0:
        return 0
    months = max(0, math.floor(days / MONTH_DAYS) - 1)
    while minimum_days(months + 1, mode) <= days:
        months += 1
    return months


def months_and_days(days: int, mode: str = "calendar") -> tuple[int, int]:
    """`days` days of full-time service as whole months and days, counted the way a minimum is
    met (`minimum_days`): the most months M with ``minimum_days(M) <= days``, and the days
    beyond the *longest* span of M calendar months (with ``calendar``), so that M full calendar
    months always read «M mnd.» whether they are the short or the long ones: 181 days
    (01.01.–30.06.) and 184 days (01.07.–31.12.) are both 6 months, 366 days (a leap year)
    12 months, 185 days 6 months 1 day. The days are never overstated (progress done is never
    overstated); a remainder to be done is counted the other way (`remaining_months_and_days`).
    """
    months = _whole_months(days, mode)
    if days <= 0:
        return 0, 0
    if not months:
        return 0, days
    longest = _longest_calendar_span(months) if mode == "calendar" else minimum_days(months, mode)
    return months, max(0, days - longest)


def period_months(start: dt.date, end: dt.date) -> tuple[int, int]:
    """An inclusive period start–end as whole months and days, counted as the ledger counts a
    full-time period (the one month count shared by the ledger, the rotation register and the
    allocation instance): 01.01.–30.06. = 6 months, 01.07.–31.12. = 6 months,
    15.01.–14.03. = 2 months, 06.11.2027–05.11.2028 = 12 months."""
    return months_and_days((end - start).days + 1)


def whole_months(start: dt.date, end: dt.date) -> int:
    """The whole months an inclusive period start–end counts for (days beyond the last whole
    month do not make another month), at least 1: a rotation request's duration."""
    return max(1, period_months(start, end)[0])


# --------------------------------------------------------------------------------------------
# Rules and requirement sets (built from data files by progress.requirements)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveRule:
    """Whether leave of `kind` counts as service (§ 31).

    `counts=True` with `categories` empty: counts in every ledger category; with `categories`:
    only in those (e.g. holiday counts in parts 2/3 but not in `lis1`). Leave of a kind without
    a rule does not count.
    """

    kind: str
    counts: bool
    label: str
    categories: tuple[str, ...] = ()
    source: str = ""
    verified: bool = False
    # "source": the seeds/domain.md decide it; "conservative": they do not, and we chose the
    # reading that never overstates progress (docs/rules.md § 6).
    basis: str = "source"

    def counts_in(self, category: str) -> bool:
        return self.counts and (not self.categories or category in self.categories)


@dataclass(frozen=True)
class Cap:
    """At most `months` of the ledger categories `categories` together count (e.g. service
    from another specialty incl. LIS1: 39 months). Applied in time order: credits first, then
    service periods by date (`periods_first`: the other way round); what does not fit is shown
    as `capped_days` on the line."""

    code: str
    label: str
    categories: tuple[str, ...]
    months: Fraction
    source: str = ""
    verified: bool = False
    # Service periods in the cap's categories come before the credits (turnus/del 1 before
    # the old-scheme credit, seed 000: «maks 6,5 år inkl. turnustjeneste/del 1»): their days
    # are reserved before the credits are applied.
    periods_first: bool = False

    @property
    def days(self) -> int:
        return months_to_days(self.months)


@dataclass(frozen=True)
class ServiceRules:
    """One version of the § 31 service-time rules, valid `valid_from`..`valid_to` (inclusive;
    `None` = open). A ledger period that crosses a rule change is split at the change."""

    valid_from: dt.date
    valid_to: dt.date | None
    leave: tuple[LeaveRule, ...]
    caps: tuple[Cap, ...] = ()
    max_percent_per_day: int = 100  # overlapping service counts at most this much per day
    source: str = ""
    verified: bool = False
    basis: str = "source"  # of max_percent_per_day; see LeaveRule.basis

    def leave_rule(self, kind: str) -> LeaveRule | None:
        return next((r for r in self.leave if r.kind == kind), None)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class RuleBook:
    """All versions of the service rules; `on(day)` picks the one valid that day."""

    versions: tuple[ServiceRules, ...]
    # How a minimum of M months becomes days (`minimum_days`): "calendar" or "average".
    month_minimum: str = "calendar"

    def minimum_days(self, months: Number) -> int:
        return minimum_days(months, self.month_minimum)

    def on(self, day: dt.date) -> ServiceRules:
        for version in self.versions:
            if version.valid_on(day):
                return version
        # Before the first version (old service): the earliest rules apply.
        return min(self.versions, key=lambda v: v.valid_from)

    def change_dates(self) -> list[dt.date]:
        return sorted({v.valid_from for v in self.versions})


RequirementKind = Literal["service_time", "goals", "activity_count", "activity_period"]


@dataclass(frozen=True)
class CourseRef:
    """One course of a requirement's course list (`Requirement.courses`): the catalogue
    `code` (matched against `Activity.course`) and its name."""

    code: str
    name: str


@dataclass(frozen=True)
class Requirement:
    """One requirement of a set (from `progress/data/requirements.yaml`).

    kind:
      * ``service_time`` — counted ledger days in `categories`, in months; `minimum` and/or
        `maximum` in months. A maximum is also a cap: service beyond it does not count anywhere.
      * ``goals`` — approved goals whose `GoalStatus.scope` is in `scopes`; all must be approved.
      * ``activity_count`` — activities of `activity_kind` (and one of `activity_codes`, if
        given); `minimum` items (sum of `Activity.count`); `distinct`: distinct titles only;
        `min_hours`: only items of at least that many hours.
      * ``activity_period`` — months covered by activity periods of `activity_kind` (e.g. group
        supervision); with `categories`: only days on which the trainee served in one of them.
    `mandatory=False` requirements are shown but do not decide the overall status.
    `form_fields` maps the requirement to the ALIS form's (done, remaining) field names.
    `prerequisite=True` (service time only): done before the programme; see the field.
    """

    code: str
    kind: RequirementKind
    label: str
    unit: str  # "months" | "goals" | "courses" | "shifts" | "items"
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    categories: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    activity_kind: str = ""
    activity_codes: tuple[str, ...] = ()
    distinct: bool = False
    min_hours: Fraction | None = None
    mandatory: bool = True
    form_fields: tuple[str, ...] = ()
    source: str = ""
    verified: bool = False
    note: str = ""
    basis: str = "source"  # see LeaveRule.basis
    # activity_count with a course list: each course is reported done/remaining
    # (`RequirementResult.items`); without `minimum`, every listed course is required.
    courses: tuple[CourseRef, ...] = ()
    # A prerequisite of the programme, done before it (LIS1/turnus before ALIS): what is
    # registered is shown, nothing is «remaining», and it never decides the status.
    prerequisite: bool = False


@dataclass(frozen=True)
class RequirementSet:
    """The requirements for one specialty (or a default for a kind of specialty), valid
    `valid_from`..`valid_to` (inclusive; `None` = open)."""

    code: str
    label: str
    valid_from: dt.date
    valid_to: dt.date | None
    requirements: tuple[Requirement, ...]
    specialties: tuple[str, ...] = ()  # explicit specialty codes, e.g. ("ALM",)
    kinds: tuple[str, ...] = ()  # default for specialty kinds, e.g. ("hospital",)
    # ALIS form field -> "<requirement code>.done" | "<requirement code>.remaining"
    form_fields: dict[str, str] = field(default_factory=dict)
    # The form's other fields (not requirements) -> what they hold, for the IUP.
    other_form_fields: dict[str, str] = field(default_factory=dict)
    source: str = ""
    verified: bool = False
    # Not every rule of the set is known as data (the old scheme: each specialty's own rules):
    # the results show what is known, and the progress is assessed by a person.
    assessed_manually: bool = False

    def caps(self) -> tuple[Cap, ...]:
        """Caps implied by the service-time maxima of this set."""
        return tuple(
            Cap(r.code, r.label, r.categories, r.maximum, r.source, r.verified)
            for r in self.requirements
            if r.kind == "service_time" and r.maximum is not None
        )

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# --------------------------------------------------------------------------------------------
# Inputs (built by the DB side)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePeriod:
    """A period of service.

    * `category`: the ledger category — hospital: ``specialty`` (own specialty, parts 2/3),
      ``other_specialty``, ``lis1``; general practice (ALM): ``open_practice`` (åpen
      uselektert praksis), ``other_gp`` (annen allmennmedisinsk tjeneste), ``institution``
      (institusjonstjeneste), ``lis1``; community medicine (SAM): ``community_medicine``
      (samfunnsmedisinsk arbeid), ``clinical`` (klinisk tjeneste). The requirement set decides
      what each category counts towards.
    * `percent`: position % (1..100). ``None`` makes it a *placement* (e.g. a rotation period
      of the implementation plan inside the main employment): on its days it takes over the
      position % of the periods with a percent (the employments) active that day, instead of
      adding to it. Without an employment that day, a placement counts nothing.
    * `end=None`: ongoing (a permanent employment); counts up to `today`, and continues in the
      projection.
    * `planned=True`: from the implementation plan; only its days after `today` are used
      (projection), never as service done.
    Overlapping periods with a percent add up, but at most `ServiceRules.max_percent_per_day`
    (100 %) per day counts: above that, each is scaled down in proportion.
    """

    start: dt.date
    end: dt.date | None
    category: str
    percent: Number | None = 100
    specialty: str = ""
    ref: str = ""  # stable id for links, e.g. "employment:12", "plan-period:7"
    label: str = ""  # Norwegian, e.g. "St. Olavs hospital, Ortopedisk avdeling"
    planned: bool = False


@dataclass(frozen=True)
class Leave:
    """Leave (`kind`: parental, sick, education, unpaid, other — and course, holiday if
    recorded) at `percent` of the position held those days. Whether it counts as service
    comes from the rules; leave after `today` is planned leave and moves the projection."""

    start: dt.date
    end: dt.date
    kind: str
    percent: Number = 100
    ref: str = ""
    label: str = ""


@dataclass(frozen=True)
class Credit:
    """Approved service time from elsewhere, in months. `kind` is its ledger category:
    ``old_scheme`` (from the approved implementation plan's conversion credit),
    ``other_specialty``, ``lis1``. Credits come before all periods when caps are applied."""

    kind: str
    months: Number
    ref: str = ""
    label: str = ""


@dataclass(frozen=True)
class GoalStatus:
    """A learning goal the trainee must reach, resolved to the version valid for them.
    `scope`: ``part2`` | ``part3`` | ``common`` (FKM) | ``lis1``."""

    code: str
    scope: str
    approved: bool
    approved_on: dt.date | None = None
    label: str = ""


@dataclass(frozen=True)
class Activity:
    """A learning activity record: a course (`kind="course"`, `code="grunnkurs_a"`,
    ``"emnekurs"``, …), out-of-hours shifts (`kind="out_of_hours"`, `count=n`), a period of
    group supervision (`kind="group_supervision"`, `on`..`end`), procedures, …
    `planned=True` or `on` after `today`: not counted as done."""

    kind: str
    code: str = ""
    title: str = ""
    on: dt.date | None = None
    end: dt.date | None = None
    count: int = 1
    hours: Number | None = None
    ref: str = ""
    planned: bool = False
    course: str = ""  # catalogue course code, for requirements with a course list


@dataclass(frozen=True)
class TraineeInput:
    """Everything the engine needs about one trainee.

    `target_end`: when the training should be complete — the estimated end of the approved
    implementation plan (`Revision.estimated_end`); decides on_track/behind/at_risk.
    """

    today: dt.date
    specialty: str
    periods: tuple[ServicePeriod, ...] = ()
    leave: tuple[Leave, ...] = ()
    credits: tuple[Credit, ...] = ()
    goals: tuple[GoalStatus, ...] = ()
    activities: tuple[Activity, ...] = ()
    target_end: dt.date | None = None


# --------------------------------------------------------------------------------------------
# Reasons: what the engine says, as a code and its parameters (decision 0001: the engine
# builds no sentences; `progress.present` turns a reason into a translated sentence)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Days:
    """An amount of days of full-time service (exact)."""

    value: Fraction


@dataclass(frozen=True)
class Months:
    """An amount of months (exact); shown as whole months and days."""

    value: Fraction


@dataclass(frozen=True)
class MonthsLeft:
    """A remaining minimum in months; shown as whole months and days, never understated."""

    value: Fraction


@dataclass(frozen=True)
class Percent:
    value: Fraction


@dataclass(frozen=True)
class Quantity:
    """An amount in a requirement's unit (goals, courses, shifts, items)."""

    value: Fraction
    unit: str


@dataclass(frozen=True)
class Category:
    """A ledger category (``specialty``, ``open_practice``, …); shown by its name."""

    code: str


@dataclass(frozen=True)
class ActivityKind:
    """An activity kind (``out_of_hours``, ``course``, …); shown by its name."""

    code: str


@dataclass(frozen=True)
class CapRef:
    label: str
    months: Fraction


Param = (
    str
    | int
    | Fraction
    | dt.date
    | None
    | Days
    | Months
    | MonthsLeft
    | Percent
    | Quantity
    | Category
    | ActivityKind
    | tuple[Category, ...]
    | tuple[CapRef, ...]
)


class Why(StrEnum):
    """Every reason the engine gives. `progress.present` has one sentence per code."""

    # ledger lines
    CREDIT = "credit"
    SERVICE = "service"
    SERVICE_SCALED = "service_scaled"
    PLACEMENT = "placement"
    DISPLACED = "displaced"
    LEAVE_TAKEN = "leave_taken"
    CAPPED = "capped"
    NO_EMPLOYMENT = "no_employment"
    COUNTS = "counts"
    LEAVE = "leave"
    LEAVE_NO_RULE = "leave_no_rule"
    LEAVE_COUNTS = "leave_counts"
    LEAVE_NOT_COUNTED = "leave_not_counted"
    # requirement evidence and calculation
    SERVICE_LINE = "service_line"
    MINIMUM = "minimum"
    COUNTED = "counted"
    GOALS_APPROVED = "goals_approved"
    GOALS_MISSING = "goals_missing"
    GOALS_NONE = "goals_none"
    COURSE_DONE = "course_done"
    COURSE_REMAINING = "course_remaining"
    ACTIVITY = "activity"
    TOO_SHORT = "too_short"
    PERIOD = "period"
    PERIOD_DURING = "period_during"
    # drivers
    ALL_MET = "all_met"
    TIME_REMAINING = "time_remaining"
    NOT_REACHABLE = "not_reachable"
    PROJECTED = "projected"
    PLANNED_LEAVE = "planned_leave"
    PART_TIME = "part_time"
    OVER_CAP = "over_cap"
    TARGET = "target"
    REMAINING = "remaining"
    NOT_MET = "not_met"


@dataclass(frozen=True)
class Reason:
    """One thing the engine says: `code` and its named parameters."""

    code: Why
    params: tuple[tuple[str, Param], ...] = ()

    def __getitem__(self, name: str) -> Param:
        return dict(self.params)[name]

    def as_dict(self) -> dict[str, Param]:
        return dict(self.params)


def _r(code: Why, **params: Param) -> Reason:
    return Reason(code, tuple(params.items()))


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerLine:
    """One contributing period (or credit, or leave) and why it counts what it counts.

    For service and credit lines: `days = gross_days - leave_days - capped_days`, where
    `gross_days` = calendar days × position % (after the 100 %-per-day limit) and
    `leave_days` the part taken by leave that does not count. For leave lines (`kind="leave"`)
    `days` is 0 and `leave_days` is what the leave took from service (0 if it counts).
    """

    kind: Literal["service", "credit", "leave"]
    ref: str
    label: str
    category: str
    start: dt.date | None
    end: dt.date | None
    calendar_days: int
    gross_days: Fraction
    leave_days: Fraction
    capped_days: Fraction
    days: Fraction
    # How the line is counted, in parts (`progress.present.line_text` makes the sentence).
    reason: tuple[Reason, ...]

    @property
    def months(self) -> Fraction:
        return days_to_months(self.days)


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    days: Fraction

    @property
    def months(self) -> Fraction:
        return days_to_months(self.days)


@dataclass(frozen=True)
class Ledger:
    """Service counted up to and including `until`."""

    until: dt.date
    lines: tuple[LedgerLine, ...]
    totals: tuple[CategoryTotal, ...]

    def days(self, categories: tuple[str, ...] | None = None) -> Fraction:
        return sum(
            (t.days for t in self.totals if categories is None or t.category in categories),
            Fraction(0),
        )

    def months(self, categories: tuple[str, ...] | None = None) -> Fraction:
        return days_to_months(self.days(categories))

    @property
    def total_days(self) -> Fraction:
        return self.days()


@dataclass(frozen=True)
class RequirementItem:
    """Done/remaining for one item of a requirement (one course of a course list)."""

    code: str
    label: str
    done: bool
    on: dt.date | None = None


@dataclass(frozen=True)
class RequirementResult:
    """Status of one requirement on `today`. `done`/`remaining`/`required` are in `unit`
    (months as exact fractions; `progress.present` shows them). `satisfied` is False while a
    minimum is not met or a maximum is exceeded."""

    code: str
    label: str
    kind: str
    unit: str
    done: Fraction
    required: Fraction | None
    maximum: Fraction | None
    remaining: Fraction
    satisfied: bool
    mandatory: bool
    evidence: tuple[Reason, ...]
    form_fields: tuple[str, ...] = ()
    verified: bool = True
    items: tuple[RequirementItem, ...] = ()
    basis: str = "source"
    note: str = ""
    # How the number is reached, for «Slik er det regnet» on the progress page only: never on
    # a form or document.
    calculation: tuple[Reason, ...] = ()
    # A prerequisite of the set (LIS1 before ALIS): shown with what is registered, never as
    # time still to serve; it does not decide the status.
    prerequisite: bool = False


OverallStatus = Literal["complete", "on_track", "behind", "at_risk"]


@dataclass(frozen=True)
class Progress:
    """The result for one trainee.

    overall_status (defined in docs/rules.md § Status):
      * ``complete`` — every mandatory requirement is satisfied on `today`;
      * ``at_risk`` — not complete, and either the known future service (ongoing employments,
        the plan's future periods, minus planned leave) does not cover the remaining minimum
        time (`projected_completion is None`), or the projection (or today) is more than
        `RISK_MARGIN_DAYS` after `target_end`;
      * ``behind`` — not complete, and the projection (or today) is after `target_end`;
      * ``on_track`` — otherwise (also when there is no `target_end`).
    projected_completion: the first day on which every mandatory service-time requirement is
    met, given the known future service; it may lie in the past when only non-time
    requirements (goals, courses) remain. `None` when not reachable.
    drivers: reasons explaining what decides the date and status (`progress.present`).
    """

    requirement_set: str
    today: dt.date
    ledger: Ledger
    requirements: tuple[RequirementResult, ...]
    overall_status: OverallStatus
    projected_completion: dt.date | None
    drivers: tuple[Reason, ...]
    target_end: dt.date | None = None
    assessed_manually: bool = False  # RequirementSet.assessed_manually

    def requirement(self, code: str) -> RequirementResult:
        return next(r for r in self.requirements if r.code == code)


RISK_MARGIN_DAYS = 183  # projected more than ~6 months after target_end: at risk
HORIZON_YEARS = 40  # projections further out than this are "not reachable"


# --------------------------------------------------------------------------------------------
# Amounts for people (the sentences and units are `progress.present`'s)
# --------------------------------------------------------------------------------------------


def remaining_months_and_days(remaining: Number, mode: str = "calendar") -> tuple[int, int]:
    """A remaining minimum in months (`RequirementResult.remaining`, the missing days / 30.4375)
    as whole months and days *in the terms the minimum is counted in* (`minimum_days`): with
    calendar months an untouched 18-month minimum is 546 days = 18 months, not 17.9; the days
    beyond the shortest span of those months are days still to serve. Days that are part of a
    day (part-time) round up, so the remainder is never understated."""
    days = math.ceil(Fraction(remaining) * MONTH_DAYS)
    months = _whole_months(days, mode)
    return months, days - minimum_days(months, mode) if months else max(0, days)


def remaining_of(r: RequirementResult) -> MonthsLeft | Quantity:
    """What is left of a requirement: a minimum in months as `MonthsLeft`, else a quantity."""
    if r.unit != "months" or r.required is None:
        return Quantity(r.remaining, r.unit)
    return MonthsLeft(r.remaining)


# --------------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------------


@dataclass
class _Acc:
    """Running totals of one ledger line during the sweep.

    Amounts stay plain `int` while they are whole days (full-time service without leave or
    caps, the common case) and become `Fraction` as soon as a part of a day enters: exact
    either way, and the sweep avoids most `Fraction` arithmetic (docs/performance.md)."""

    calendar_days: int = 0
    gross: Fraction | int = 0
    leave: Fraction | int = 0
    capped: Fraction | int = 0
    displaced: int = 0  # days taken over by a placement
    scaled: bool = False  # over 100 % on some day
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def days(self) -> Fraction:
        return self.gross - self.leave - self.capped


def _frac(value: Number) -> Fraction:
    return Fraction(value) if not isinstance(value, Decimal) else Fraction(str(value))


def _exact(value: Fraction) -> Fraction | int:
    """`value` as an int when it is whole (exact, and much cheaper to add up)."""
    return value.numerator if value.denominator == 1 else value


def _clip(p_start: dt.date, p_end: dt.date | None, lo: dt.date, hi: dt.date):
    start, end = max(p_start, lo), min(p_end or hi, hi)
    return (start, end) if start <= end else None


@dataclass(frozen=True)
class _Sweep:
    period_acc: tuple[_Acc, ...]
    credit_acc: tuple[_Acc, ...]
    leave_acc: tuple[_Acc, ...]
    caps: dict[str, Cap]


def _sweep(
    periods: tuple[ServicePeriod, ...],
    leave: tuple[Leave, ...],
    credits: tuple[Credit, ...],
    rules: RuleBook,
    extra_caps: tuple[Cap, ...],
    *,
    today: dt.date,
    until: dt.date,
    trace: list[tuple[dt.date, dt.date, dict[str, Fraction], bool]] | None = None,
) -> _Sweep:
    """Count every day up to `until` once, in time order (see the module docstring).

    With `trace`, append (first and last day of segment, counted days per category so far,
    whether a cap cut anything in the segment) after each segment: the numbers a ledger ending that day
    would give.
    """
    far_past = dt.date(1900, 1, 1)
    spans: list[tuple[int, dt.date, dt.date]] = []
    for i, p in enumerate(periods):
        lo = max(today + ONE_DAY, far_past) if p.planned else far_past
        clipped = _clip(p.start, p.end, lo, until)
        if clipped:
            spans.append((i, *clipped))
    leave_spans = [
        (j, *c) for j, lv in enumerate(leave) if (c := _clip(lv.start, lv.end, far_past, until))
    ]
    period_acc = tuple(_Acc() for _ in periods)
    pct = [None if p.percent is None else _exact(_frac(p.percent) / 100) for p in periods]
    leave_pct = [_exact(_frac(lv.percent)) for lv in leave]
    leave_acc = tuple(_Acc() for _ in leave)
    credit_acc = tuple(_Acc() for _ in credits)

    first_day = min((s for _, s, _ in spans), default=today)
    used: dict[str, Fraction | int] = {}
    # Room kept for the periods of a `periods_first` cap: the credits do not get it.
    reserved: dict[str, Fraction | int] = {}
    totals: dict[str, Fraction | int] = {}
    caps_seen: dict[str, Cap] = {}
    if credits and spans:
        first_caps = [c for c in (*rules.on(first_day).caps, *extra_caps) if c.periods_first]
        for cap in first_caps:
            cats = set(cap.categories)
            if not any(cr.kind in cats for cr in credits) or not any(
                periods[i].category in cats for i, _, _ in spans
            ):
                continue
            # What those periods count without the credits (one more sweep, only then).
            pre = _sweep(periods, leave, (), rules, extra_caps, today=today, until=until)
            reserved[cap.code] = sum(
                (
                    acc.days
                    for p, acc in zip(periods, pre.period_acc, strict=True)
                    if p.category in cats
                ),
                Fraction(0),
            )

    cap_cache: dict[int, list[tuple[str, Fraction, frozenset[str]]]] = {}

    def caps_on(day: dt.date) -> list[tuple[str, Fraction, frozenset[str]]]:
        version = rules.on(day)
        got = cap_cache.get(id(version))
        if got is None:
            caps = list(version.caps) + list(extra_caps)
            for cap in caps:
                caps_seen.setdefault(cap.code, cap)
            got = [(c.code, c.months * MONTH_DAYS, frozenset(c.categories)) for c in caps]
            cap_cache[id(version)] = got
        return got

    def apply_caps(
        day: dt.date, items: list[tuple[_Acc, str, Fraction]], credits_phase: bool = False
    ) -> bool:
        """Cut `items` (acc, category, counted days) to the room left under each cap."""
        caps = caps_on(day)
        factors: list[Fraction] | None = None
        for code, limit, cats in caps:
            members = [k for k, item in enumerate(items) if item[1] in cats]
            if not members:
                continue
            total = sum(items[k][2] for k in members)
            room = limit - used.get(code, 0)
            if credits_phase and code in reserved:
                room -= reserved[code]  # kept for the periods that come first
            if total > room:
                if factors is None:
                    factors = [Fraction(1)] * len(items)
                f = room / total if room > 0 else Fraction(0)
                for k in members:
                    factors[k] = min(factors[k], f)
        for k, (acc, cat, amount) in enumerate(items):
            kept = amount if factors is None else amount * factors[k]
            if factors is not None:
                acc.capped += amount - kept
            for code, _, cats in caps:
                if cat in cats:
                    used[code] = used.get(code, 0) + kept
                    if code in reserved and not credits_phase:
                        reserved[code] = max(0, reserved[code] - kept)
            totals[cat] = totals.get(cat, 0) + kept
        return factors is not None

    # In the order given (the DB side passes them oldest first).
    for acc, credit in zip(credit_acc, credits, strict=True):
        acc.gross = _frac(credit.months) * MONTH_DAYS
        apply_caps(first_day, [(acc, credit.kind, acc.gross)], credits_phase=True)

    if not spans:
        return _Sweep(period_acc, credit_acc, leave_acc, caps_seen)

    cuts = {s for _, s, _ in spans} | {e + ONE_DAY for _, _, e in spans}
    cuts |= {s for _, s, _ in leave_spans} | {e + ONE_DAY for _, _, e in leave_spans}
    last_day = max(e for _, _, e in spans)
    cuts |= {d for d in rules.change_dates() if first_day < d <= last_day}
    bounds = sorted(d for d in cuts if first_day <= d <= last_day + ONE_DAY)

    for a, b in zip(bounds, bounds[1:], strict=False):
        n = (b - a).days
        active = [i for i, s, e in spans if s <= a and e >= a]
        if not active:
            if trace is not None:
                trace.append((a, b - ONE_DAY, dict(totals), False))  # type: ignore[arg-type]
            continue
        ruleset = rules.on(a)
        limit = _exact(Fraction(ruleset.max_percent_per_day, 100))
        base = [i for i in active if periods[i].percent is not None]
        placed = [i for i in active if periods[i].percent is None]
        base_total = sum(pct[i] for i in base)  # type: ignore[misc]
        share: dict[int, Fraction] = {}
        if placed:
            winner = max(placed, key=lambda i: (periods[i].start, i))
            share[winner] = min(base_total, limit)
            for i in base:
                period_acc[i].displaced += n
            for i in placed:
                if i != winner:
                    period_acc[i].displaced += n
        else:
            # (never int / int: that would be a float)
            scale = 1 if base_total <= limit else Fraction(limit) / base_total
            for i in base:
                share[i] = pct[i] if scale == 1 else pct[i] * scale  # type: ignore[operator]
                if scale < 1:
                    period_acc[i].scaled = True
        on_leave = [j for j, s, e in leave_spans if s <= a and e >= a]
        for j in on_leave:
            acc = leave_acc[j]
            acc.calendar_days += n
            acc.first = acc.first or a
            acc.last = a + dt.timedelta(days=n - 1)
        items = []
        for i, f in share.items():
            acc = period_acc[i]
            cat = periods[i].category
            acc.calendar_days += n
            acc.first = acc.first or a
            acc.last = a + dt.timedelta(days=n - 1)
            gross = n * f
            acc.gross += gross
            takers = []
            for j in on_leave:
                rule = ruleset.leave_rule(leave[j].kind)
                if not (rule and rule.counts_in(cat)):
                    takers.append(j)
            taken_pct = sum(leave_pct[j] for j in takers)
            lost = 0
            if taken_pct:
                lost = gross if taken_pct >= 100 else _exact(gross * Fraction(taken_pct) / 100)
                acc.leave += lost
                if len(takers) == 1:
                    leave_acc[takers[0]].leave += lost
                else:
                    for j in takers:
                        leave_acc[j].leave += lost * Fraction(leave_pct[j]) / taken_pct
            items.append((acc, cat, gross - lost))
        cut = apply_caps(a, items)
        if trace is not None:
            trace.append((a, b - ONE_DAY, dict(totals), cut))  # type: ignore[arg-type]
    return _Sweep(period_acc, credit_acc, leave_acc, caps_seen)


def compute_ledger(
    periods: tuple[ServicePeriod, ...] | list[ServicePeriod],
    leave: tuple[Leave, ...] | list[Leave] = (),
    credits: tuple[Credit, ...] | list[Credit] = (),
    *,
    rules: RuleBook,
    today: dt.date,
    until: dt.date | None = None,
    extra_caps: tuple[Cap, ...] = (),
) -> Ledger:
    """The service-time ledger up to and including `until` (default `today`).

    Days after `today` are included only when `until` is later (the projection); planned
    periods never count before `today + 1`. `extra_caps`: the requirement set's maxima.
    """
    until = until or today
    periods, leave, credits = tuple(periods), tuple(leave), tuple(credits)
    sw = _sweep(periods, leave, credits, rules, extra_caps, today=today, until=until)
    lines: list[LedgerLine] = []
    for credit, acc in zip(credits, sw.credit_acc, strict=True):
        lines.append(
            LedgerLine(
                "credit",
                credit.ref,
                credit.label,
                credit.kind,
                None,
                None,
                0,
                acc.gross,
                Fraction(0),
                acc.capped,
                acc.days,
                _credit_reason(credit, acc, sw.caps),
            )
        )
    for p, acc in zip(periods, sw.period_acc, strict=True):
        if acc.calendar_days == 0 and acc.displaced == 0:
            continue
        lines.append(
            LedgerLine(
                "service",
                p.ref,
                p.label,
                p.category,
                acc.first,
                acc.last,
                acc.calendar_days,
                acc.gross,
                acc.leave,
                acc.capped,
                acc.days,
                _service_reason(p, acc, sw.caps),
            )
        )
    for lv, acc in zip(leave, sw.leave_acc, strict=True):
        if acc.calendar_days == 0:
            continue
        rule = rules.on(acc.first or lv.start).leave_rule(lv.kind)
        lines.append(
            LedgerLine(
                "leave",
                lv.ref,
                lv.label or (rule.label if rule else lv.kind),
                "",
                acc.first,
                acc.last,
                acc.calendar_days,
                Fraction(0),
                acc.leave,
                Fraction(0),
                Fraction(0),
                _leave_reason(lv, acc, rule),
            )
        )
    totals: dict[str, Fraction] = {}
    for line in lines:
        if line.kind != "leave":
            totals[line.category] = totals.get(line.category, Fraction(0)) + line.days
    return Ledger(
        until, tuple(lines), tuple(CategoryTotal(c, d) for c, d in sorted(totals.items()))
    )


def _cap_reason(acc: _Acc, category: str, caps: dict[str, Cap]) -> list[Reason]:
    if not acc.capped:
        return []
    names = tuple(CapRef(c.label, c.months) for c in caps.values() if category in c.categories)
    return [_r(Why.CAPPED, days=Days(_frac(acc.capped)), caps=names)]


def _credit_reason(credit: Credit, acc: _Acc, caps: dict[str, Cap]) -> tuple[Reason, ...]:
    return (
        _r(Why.CREDIT, months=Months(_frac(credit.months)), days=Days(_frac(acc.gross))),
        *_cap_reason(acc, credit.kind, caps),
        _r(Why.COUNTS, days=Days(_frac(acc.days))),
    )


def _service_reason(p: ServicePeriod, acc: _Acc, caps: dict[str, Cap]) -> tuple[Reason, ...]:
    span: dict[str, Param] = {
        "start": acc.first,
        "end": acc.last,
        "calendar_days": acc.calendar_days,
        "days": Days(_frac(acc.gross)),
    }
    if p.percent is None:
        out = [_r(Why.PLACEMENT, **span)]
    elif acc.scaled:
        out = [_r(Why.SERVICE_SCALED, percent=Percent(_frac(p.percent)), **span)]
    else:
        out = [_r(Why.SERVICE, percent=Percent(_frac(p.percent)), **span)]
    if acc.displaced:
        out.append(_r(Why.DISPLACED, calendar_days=acc.displaced))
    if acc.leave:
        out.append(_r(Why.LEAVE_TAKEN, days=Days(_frac(acc.leave))))
    out += _cap_reason(acc, p.category, caps)
    if p.percent is None and acc.calendar_days and not acc.gross:
        out.append(_r(Why.NO_EMPLOYMENT))
    out.append(_r(Why.COUNTS, days=Days(_frac(acc.days))))
    return tuple(out)


def _leave_reason(lv: Leave, acc: _Acc, rule: LeaveRule | None) -> tuple[Reason, ...]:
    head = _r(
        Why.LEAVE,
        start=acc.first,
        end=acc.last,
        calendar_days=acc.calendar_days,
        percent=Percent(_frac(lv.percent)),
    )
    if rule is None:
        return head, _r(Why.LEAVE_NO_RULE, days=Days(_frac(acc.leave)))
    if rule.counts and not acc.leave:
        return head, _r(Why.LEAVE_COUNTS)
    return head, _r(Why.LEAVE_NOT_COUNTED, days=Days(_frac(acc.leave)))


# --------------------------------------------------------------------------------------------
# Requirements, status and projection
# --------------------------------------------------------------------------------------------


def _min_days(req: Requirement, mode: str = "calendar") -> int | None:
    return minimum_days(req.minimum, mode) if req.minimum is not None else None


def _time_reqs(rset: RequirementSet) -> list[Requirement]:
    return [
        r
        for r in rset.requirements
        if r.kind == "service_time" and r.mandatory and r.minimum is not None
    ]


def _extra(req: Requirement) -> dict:
    return {"basis": req.basis, "note": req.note}


def _service_result(req: Requirement, ledger: Ledger, mode: str = "calendar") -> RequirementResult:
    days = ledger.days(req.categories)
    need = _min_days(req, mode)
    done = days_to_months(days)
    remaining = days_to_months(max(Fraction(0), need - days)) if need is not None else Fraction(0)
    satisfied = (need is None or days >= need) and (
        req.maximum is None or days <= req.maximum * MONTH_DAYS
    )
    if req.prerequisite:
        # Being in the programme presumes it (LIS1 before ALIS): nothing left to serve here.
        remaining, satisfied = Fraction(0), True
    evidence = []
    for line in ledger.lines:
        if (
            line.kind != "leave"
            and line.category in req.categories
            and (line.days or line.capped_days)
        ):
            evidence.append(
                _r(
                    Why.SERVICE_LINE,
                    label=line.label or Category(line.category),
                    start=line.start,
                    end=line.end,
                    months=Months(line.months),
                    over_cap=Months(days_to_months(line.capped_days)) if line.capped_days else None,
                )
            )
    calculation: tuple[Reason, ...] = ()
    if need is not None and req.minimum is not None:
        calculation = (
            _r(Why.MINIMUM, months=req.minimum, days=need),
            _r(Why.COUNTED, days=Days(days)),
        )
    return RequirementResult(
        req.code,
        req.label,
        req.kind,
        req.unit,
        done,
        req.minimum,
        req.maximum,
        remaining,
        satisfied,
        req.mandatory,
        tuple(evidence),
        req.form_fields,
        req.verified,
        **_extra(req),
        calculation=calculation if not req.prerequisite else (),
        prerequisite=req.prerequisite,
    )


def _goal_result(req: Requirement, goals: tuple[GoalStatus, ...]) -> RequirementResult:
    mine = [g for g in goals if g.scope in req.scopes]
    approved = [g for g in mine if g.approved]
    missing = [g for g in mine if not g.approved]
    evidence = [_r(Why.GOALS_APPROVED, approved=len(approved), total=len(mine))]
    if missing:
        codes = ", ".join(g.code for g in missing[:20])
        evidence.append(_r(Why.GOALS_MISSING, codes=codes, more=max(0, len(missing) - 20)))
    if not mine:
        evidence = [_r(Why.GOALS_NONE)]
    return RequirementResult(
        req.code,
        req.label,
        req.kind,
        req.unit,
        Fraction(len(approved)),
        Fraction(len(mine)),
        None,
        Fraction(len(missing)),
        bool(mine) and not missing,
        req.mandatory,
        tuple(evidence),
        req.form_fields,
        req.verified,
        **_extra(req),
    )


def _activity_done(a: Activity, today: dt.date) -> bool:
    return not a.planned and (a.on is None or a.on <= today)


def _course_list_result(req: Requirement, inp: TraineeInput) -> RequirementResult:
    """A course list: each listed course is done when an activity with its catalogue code is
    done; `minimum` (default: all of them) decides `satisfied`."""
    done_on: dict[str, dt.date | None] = {}
    for a in inp.activities:
        if a.course and _activity_done(a, inp.today):
            prev = done_on.get(a.course)
            done_on[a.course] = a.on if prev is None or (a.on and a.on < prev) else prev
    items = tuple(
        RequirementItem(c.code, c.name, c.code in done_on, done_on.get(c.code)) for c in req.courses
    )
    done = Fraction(sum(1 for i in items if i.done))
    required = req.minimum if req.minimum is not None else Fraction(len(items))
    remaining = max(Fraction(0), required - done)
    evidence = [
        _r(Why.COURSE_DONE, course=i.label, on=i.on)
        if i.done
        else _r(Why.COURSE_REMAINING, course=i.label)
        for i in items
    ]
    return RequirementResult(
        req.code,
        req.label,
        req.kind,
        req.unit,
        done,
        required,
        req.maximum,
        remaining,
        done >= required,
        req.mandatory,
        tuple(evidence),
        req.form_fields,
        req.verified,
        items=items,
        **_extra(req),
    )


def _count_result(req: Requirement, inp: TraineeInput) -> RequirementResult:
    if req.courses:
        return _course_list_result(req, inp)
    items = [
        a
        for a in inp.activities
        if a.kind == req.activity_kind
        and (not req.activity_codes or a.code in req.activity_codes)
        and _activity_done(a, inp.today)
    ]
    evidence: list[Reason] = []
    if req.min_hours is not None:
        short = [a for a in items if a.hours is None or _frac(a.hours) < req.min_hours]
        for a in short:
            evidence.append(
                _r(
                    Why.TOO_SHORT,
                    hours=req.min_hours,
                    title=a.title or req.label,
                    on=a.on,
                )
            )
        items = [a for a in items if a not in short]
    if req.distinct:
        keys = {(a.title or a.code).strip().casefold() for a in items}
        done = Fraction(len(keys))
    else:
        done = Fraction(sum(a.count for a in items))
    for a in items[:30]:
        evidence.insert(
            0,
            _r(
                Why.ACTIVITY,
                title=a.title or (req.label if a.code else ActivityKind(a.kind)),
                on=a.on,
                count=a.count,
            ),
        )
    required = req.minimum
    remaining = max(Fraction(0), required - done) if required is not None else Fraction(0)
    satisfied = (required is None or done >= required) and (
        req.maximum is None or done <= req.maximum
    )
    return RequirementResult(
        req.code,
        req.label,
        req.kind,
        req.unit,
        done,
        required,
        req.maximum,
        remaining,
        satisfied,
        req.mandatory,
        tuple(evidence),
        req.form_fields,
        req.verified,
        **_extra(req),
    )


def _union(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + ONE_DAY:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _intersect(a: list[tuple[dt.date, dt.date]], b: list[tuple[dt.date, dt.date]]):
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            s, e = max(s1, s2), min(e1, e2)
            if s <= e:
                out.append((s, e))
    return _union(out)


def _period_result(
    req: Requirement, inp: TraineeInput, mode: str = "calendar"
) -> RequirementResult:
    spans = []
    for a in inp.activities:
        if a.kind != req.activity_kind or a.planned or a.on is None:
            continue
        clipped = _clip(a.on, a.end or a.on, a.on, inp.today)
        if clipped:
            spans.append(clipped)
    covered = _union(spans)
    evidence = [_r(Why.PERIOD, start=s, end=e) for s, e in covered]
    if req.categories:
        service = _union(
            [
                c
                for p in inp.periods
                if p.category in req.categories
                and not p.planned
                and (c := _clip(p.start, p.end, p.start, inp.today))
            ]
        )
        covered = _intersect(covered, service)
        cats = tuple(Category(c) for c in req.categories)
        evidence = [_r(Why.PERIOD_DURING, categories=cats, start=s, end=e) for s, e in covered]
    days = sum(((e - s).days + 1 for s, e in covered), 0)
    need = _min_days(req, mode)
    done = days_to_months(days)
    remaining = days_to_months(max(0, need - days)) if need is not None else Fraction(0)
    return RequirementResult(
        req.code,
        req.label,
        req.kind,
        req.unit,
        done,
        req.minimum,
        req.maximum,
        remaining,
        need is None or days >= need,
        req.mandatory,
        tuple(evidence),
        req.form_fields,
        req.verified,
        **_extra(req),
    )


def evaluate_requirement(
    req: Requirement, inp: TraineeInput, ledger: Ledger, mode: str = "calendar"
) -> RequirementResult:
    """`mode`: how a minimum in months becomes days (`RuleBook.month_minimum`)."""
    if req.kind == "service_time":
        return _service_result(req, ledger, mode)
    if req.kind == "goals":
        return _goal_result(req, inp.goals)
    if req.kind == "activity_count":
        return _count_result(req, inp)
    if req.kind == "activity_period":
        return _period_result(req, inp, mode)
    raise ValueError(f"unknown requirement kind {req.kind!r}")


def _counted_days(
    inp: TraineeInput, rules: RuleBook, caps: tuple[Cap, ...], until: dt.date
) -> dict[str, Fraction | int]:
    """Counted days per category up to `until` — the ledger's totals without the text."""
    sw = _sweep(inp.periods, inp.leave, inp.credits, rules, caps, today=inp.today, until=until)
    totals: dict[str, Fraction | int] = {}
    for credit, acc in zip(inp.credits, sw.credit_acc, strict=True):
        totals[credit.kind] = totals.get(credit.kind, 0) + acc.days
    for p, acc in zip(inp.periods, sw.period_acc, strict=True):
        totals[p.category] = totals.get(p.category, 0) + acc.days
    return totals


def project_completion(inp: TraineeInput, rset: RequirementSet, rules: RuleBook) -> dt.date | None:
    """The first day on which every mandatory service-time minimum is met (see `Progress`).

    The ledger counted up to a day D only grows with D. One sweep to the horizon records the
    totals at the end of every segment (a stretch of days where nothing changes); the first
    segment at whose end all minimums are met holds the day. Inside it the count grows
    linearly until a cap is reached, so the day is computed, then checked with a ledger ending
    that day and the day before (bisection inside the segment if a cap made it non-linear).
    The projection is therefore exactly the ledger's arithmetic.
    """
    reqs = _time_reqs(rset)
    caps = rset.caps()
    needs = [(rules.minimum_days(r.minimum), r.categories) for r in reqs]  # type: ignore[arg-type]

    def missing(totals: dict[str, Fraction | int]) -> Fraction | int:
        # (plain sums: whole days stay int, exact either way; this runs once per segment)
        return max((need - sum(totals.get(c, 0) for c in cats) for need, cats in needs), default=0)

    def shortfall(day: dt.date) -> Fraction | int:
        return missing(_counted_days(inp, rules, caps, day))

    starts = [p.start for p in inp.periods]
    first = min(starts, default=inp.today) - ONE_DAY
    # Before the first period only credits count: without credits nothing is counted yet.
    if (shortfall(first) if inp.credits else missing({})) <= 0:
        return first  # credits alone suffice (or nothing is required)
    ends = [p.end for p in inp.periods]
    horizon = inp.today.replace(year=inp.today.year + HORIZON_YEARS)
    if not ends:
        return None  # no service and the credits do not suffice
    if None not in ends:
        horizon = min(horizon, max(ends))  # type: ignore[type-var]
    trace: list[tuple[dt.date, dt.date, dict[str, Fraction], bool]] = []
    _sweep(
        inp.periods,
        inp.leave,
        inp.credits,
        rules,
        caps,
        today=inp.today,
        until=horizon,
        trace=trace,
    )
    at_lo: dict[str, Fraction] = {}
    for seg_start, seg_end, totals, cut in trace:  # noqa: B007 (read after the loop)
        if missing(totals) <= 0:
            break
        at_lo = totals
    else:
        return None
    lo, hi = seg_start - ONE_DAY, seg_end
    # Inside the segment (lo, hi] every day adds the same amount to each category. If no cap
    # cut anything in it, the count is exactly linear: the day follows by division.
    length = (hi - lo).days
    days_needed = []
    for need, cats in needs:
        done = sum((at_lo.get(c, Fraction(0)) for c in cats), Fraction(0))
        if need > done:
            gain = sum((totals.get(c, Fraction(0)) for c in cats), Fraction(0)) - done
            days_needed.append(math.ceil((need - done) * length / gain))
    if not cut:
        return lo + dt.timedelta(days=max(days_needed, default=1))
    while (hi - lo).days > 1:
        mid = lo + dt.timedelta(days=(hi - lo).days // 2)
        if shortfall(mid) <= 0:
            hi = mid
        else:
            lo = mid
    return hi


def _status(
    complete: bool, projected: dt.date | None, today: dt.date, target: dt.date | None
) -> OverallStatus:
    if complete:
        return "complete"
    if projected is None:
        return "at_risk"
    if target is None:
        return "on_track"
    late = max(projected, today)
    if late > target + dt.timedelta(days=RISK_MARGIN_DAYS):
        return "at_risk"
    if late > target:
        return "behind"
    return "on_track"


def evaluate(
    inp: TraineeInput, rset: RequirementSet, rules: RuleBook, *, detail: bool = True
) -> Progress:
    """Status of every requirement of `rset` on `inp.today`, the projection and the drivers.

    `detail=False` (the cached summaries of thousands of trainees): the same statuses,
    numbers, projection and first driver, without the explanations nobody reads there — the
    ledger has totals but no lines (so service-time evidence lists only the requirement), and
    the drivers leave out the explanation of the projected date (never the first driver).
    """
    caps = rset.caps()
    if detail:
        ledger = compute_ledger(
            inp.periods, inp.leave, inp.credits, rules=rules, today=inp.today, extra_caps=caps
        )
    else:
        totals = _counted_days(inp, rules, caps, inp.today)
        ledger = Ledger(
            inp.today, (), tuple(CategoryTotal(c, d) for c, d in sorted(totals.items()))
        )
    results = tuple(
        evaluate_requirement(r, inp, ledger, rules.month_minimum) for r in rset.requirements
    )
    complete = all(r.satisfied for r in results if r.mandatory)
    projected = project_completion(inp, rset, rules)
    status = _status(complete, projected, inp.today, inp.target_end)
    drivers = _drivers(inp, rset, rules, results, projected, status, detail=detail)
    return Progress(
        rset.code,
        inp.today,
        ledger,
        results,
        status,
        projected,
        tuple(drivers),
        inp.target_end,
        rset.assessed_manually,
    )


def _drivers(
    inp: TraineeInput,
    rset: RequirementSet,
    rules: RuleBook,
    results: tuple[RequirementResult, ...],
    projected: dt.date | None,
    status: str,
    detail: bool = True,
) -> list[Reason]:
    out: list[Reason] = []
    if status == "complete":
        return [_r(Why.ALL_MET)]
    time_codes = {r.code for r in _time_reqs(rset)}
    open_time = [r for r in results if r.code in time_codes and not r.satisfied]
    for r in open_time:
        out.append(
            _r(
                Why.TIME_REMAINING,
                label=r.label,
                remaining=MonthsLeft(r.remaining),
                required=r.required,
            )
        )
    if projected is None:
        out.append(_r(Why.NOT_REACHABLE))
    elif open_time and detail:
        horizon = compute_ledger(
            inp.periods,
            inp.leave,
            inp.credits,
            rules=rules,
            today=inp.today,
            until=projected,
            extra_caps=rset.caps(),
        )
        out.append(_r(Why.PROJECTED, on=projected))
        for line in horizon.lines:
            if line.kind == "leave" and line.leave_days and line.end and line.end > inp.today:
                out.append(
                    _r(
                        Why.PLANNED_LEAVE,
                        label=line.label,
                        start=line.start,
                        end=line.end,
                        days=Days(line.leave_days),
                    )
                )
        for p in inp.periods:
            if (
                p.percent is not None
                and _frac(p.percent) < 100
                and (p.end is None or p.end > inp.today)
            ):
                out.append(
                    _r(
                        Why.PART_TIME,
                        percent=Percent(_frac(p.percent)),
                        label=p.label or Category(p.category),
                    )
                )
        for line in horizon.lines:
            if line.capped_days:
                out.append(
                    _r(
                        Why.OVER_CAP,
                        label=line.label or Category(line.category),
                        months=Months(days_to_months(line.capped_days)),
                    )
                )
    if inp.target_end and status in ("behind", "at_risk"):
        out.append(_r(Why.TARGET, on=inp.target_end))
    other = [
        r
        for r in results
        if r.mandatory and not r.satisfied and r.code not in time_codes and not r.prerequisite
    ]
    for r in other:
        if r.required and r.remaining:
            out.append(_r(Why.REMAINING, label=r.label, remaining=remaining_of(r)))
        else:
            out.append(_r(Why.NOT_MET, label=r.label))
    return out
