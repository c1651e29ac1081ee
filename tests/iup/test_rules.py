"""The pure deadline and completeness rules of the IUP."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lisplan.iup import rules
from lisplan.iup.rules import DeadlineInput, LeaveSpan

D = dt.date


def test_new_position_four_weeks():
    d = rules.deadline(DeadlineInput(today=D(2026, 1, 10), employment_start=D(2026, 1, 1)))
    assert d.due == D(2026, 1, 29) and d.reason == "new_position" and d.state == "due_soon"
    d = rules.deadline(DeadlineInput(today=D(2026, 2, 1), employment_start=D(2026, 1, 1)))
    assert d.state == "missing"


def test_half_year_after_signature():
    d = rules.deadline(
        DeadlineInput(
            today=D(2026, 3, 1), employment_start=D(2025, 1, 1), last_signed=D(2026, 2, 15)
        )
    )
    assert (d.due, d.reason, d.state) == (D(2026, 8, 15), "half_year", "ok")
    d = rules.deadline(
        DeadlineInput(
            today=D(2026, 8, 16), employment_start=D(2025, 1, 1), last_signed=D(2026, 2, 15)
        )
    )
    assert d.state == "overdue"


def test_assessment_panel_held_or_planned():
    base = dict(today=D(2026, 4, 1), employment_start=D(2025, 1, 1), last_signed=D(2026, 2, 1))
    d = rules.deadline(DeadlineInput(**base, panels_held=(D(2026, 3, 20), D(2025, 12, 1))))
    assert (d.due, d.reason, d.state) == (D(2026, 3, 20), "assessment_panel", "overdue")
    d = rules.deadline(DeadlineInput(**base, next_panel=D(2026, 4, 20)))
    assert (d.due, d.reason, d.state) == (D(2026, 4, 20), "assessment_panel", "due_soon")


def test_long_leave_makes_revision_due_before_it():
    base = dict(today=D(2026, 3, 1), employment_start=D(2025, 1, 1), last_signed=D(2026, 2, 1))
    short = LeaveSpan(D(2026, 4, 1), D(2026, 4, 1) + dt.timedelta(days=rules.LONG_LEAVE_DAYS - 2))
    long = LeaveSpan(D(2026, 4, 1), D(2026, 4, 1) + dt.timedelta(days=rules.LONG_LEAVE_DAYS - 1))
    assert rules.deadline(DeadlineInput(**base, leave=(short,))).reason == "half_year"
    d = rules.deadline(DeadlineInput(**base, leave=(long,)))
    assert (d.due, d.reason) == (D(2026, 3, 31), "long_leave")
    # leave that began before the last signature was already planned for
    before = LeaveSpan(D(2026, 1, 1), D(2026, 12, 31))
    assert rules.deadline(DeadlineInput(**base, leave=(before,))).reason == "half_year"


def test_employment_end_and_plan_of_earlier_position():
    d = rules.deadline(
        DeadlineInput(
            today=D(2026, 3, 1),
            employment_start=D(2025, 1, 1),
            employment_end=D(2026, 4, 30),
            last_signed=D(2026, 2, 1),
        )
    )
    assert (d.due, d.reason) == (D(2026, 4, 30), "employment_end")
    d = rules.deadline(
        DeadlineInput(
            today=D(2026, 3, 1), employment_start=D(2026, 2, 1), last_signed=D(2025, 12, 1)
        )
    )
    assert (d.due, d.reason) == (D(2026, 3, 1), "new_position")


def test_no_employment_no_deadline():
    assert rules.deadline(DeadlineInput(today=D(2026, 1, 1), employment_start=None)).state == "none"


def test_completeness_dates():
    assert rules.next_completeness_date(D(2026, 1, 5)) == D(2026, 3, 1)
    assert rules.next_completeness_date(D(2026, 3, 1)) == D(2026, 3, 1)
    assert rules.next_completeness_date(D(2026, 3, 2)) == D(2026, 9, 1)
    assert rules.next_completeness_date(D(2026, 9, 2)) == D(2027, 3, 1)
    assert rules.is_completeness_date(D(2027, 9, 1)) and not rules.is_completeness_date(
        D(2027, 9, 2)
    )


def test_missing_fields():
    gaps = rules.missing_fields("alis", {"municipality_registered": False, "contact": " "})
    names = {g.field for g in gaps}
    assert "municipality_registered" not in names  # «nei» is an answer
    assert {"contact", "plan_overall", "next_meeting"} <= names
    assert all(g.message for g in gaps)


dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@st.composite
def inputs(draw):
    start = draw(dates)
    signed = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=D(2036, 1, 1))))
    leave = draw(st.lists(st.tuples(dates, st.integers(0, 400)), max_size=3))
    return DeadlineInput(
        today=draw(dates),
        employment_start=start,
        employment_end=draw(
            st.one_of(st.none(), st.dates(min_value=start, max_value=D(2040, 1, 1)))
        ),
        last_signed=signed,
        panels_held=tuple(draw(st.lists(dates, max_size=3))),
        next_panel=draw(st.one_of(st.none(), dates)),
        leave=tuple(LeaveSpan(s, s + dt.timedelta(days=n)) for s, n in leave),
    )


@given(inputs())
def test_deadline_properties(inp):
    d = rules.deadline(inp)
    assert d.reason in rules.REASONS and d.due is not None
    # never later than the 4-week / 6-month bound
    if inp.last_signed is None:
        assert d.due <= inp.employment_start + dt.timedelta(days=rules.NEW_POSITION_DAYS)
    else:
        assert d.due <= rules.add_months(inp.last_signed, rules.REVISION_INTERVAL_MONTHS)
        assert d.due >= inp.last_signed
    # the state agrees with the date
    if d.due < inp.today:
        assert d.state in ("overdue", "missing")
    elif (d.due - inp.today).days <= rules.DUE_SOON_DAYS:
        assert d.state == "due_soon"
    else:
        assert d.state == "ok"
    # a plan signed today, with nothing else ahead, is in order for half a year
    if inp.employment_start <= inp.today:
        again = rules.deadline(
            DeadlineInput(
                today=inp.today, employment_start=inp.employment_start, last_signed=inp.today
            )
        )
        assert again.state == "ok" and again.reason == "half_year"
