from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lisplan.plans import rules


def test_valid_until_is_twelve_months_later():
    assert rules.valid_until(dt.date(2026, 3, 15)) == dt.date(2027, 3, 15)
    assert rules.valid_until(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


@given(st.lists(st.tuples(dates, dates), max_size=6))
def test_overlap_reported_iff_sorted_periods_touch(pairs):
    periods = tuple(rules.Period("ORT", 1, min(a, b), max(a, b)) for a, b in pairs)
    report = rules.check_plan(rules.PlanInput(1, None, None, None, None, periods))
    spans = sorted((p.start, p.end) for p in periods)
    overlapping = any(b[0] <= a[1] for a, b in zip(spans, spans[1:], strict=False))
    assert any(p.code == "overlap" for p in report.problems) == overlapping


def test_plan_required_for_permanent_and_temporary_of_six_calendar_months():
    assert rules.plan_required(True, dt.date(2026, 1, 1), None)
    assert rules.plan_required(True, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert rules.plan_required(False, dt.date(2026, 1, 1), None)  # no end: open-ended
    # exactly 6 months (the last day is the day before the same date 6 months later) …
    assert rules.plan_required(False, dt.date(2026, 3, 1), dt.date(2026, 8, 31))
    assert rules.plan_required(False, dt.date(2026, 7, 1), dt.date(2026, 12, 31))  # 183 days
    assert rules.plan_required(False, dt.date(2026, 8, 31), dt.date(2027, 2, 27))  # 180 days
    # … one day less is not: calendar months, not 180 days
    assert not rules.plan_required(False, dt.date(2026, 3, 1), dt.date(2026, 8, 30))
    assert not rules.plan_required(False, dt.date(2026, 7, 1), dt.date(2026, 12, 30))
    assert not rules.plan_required(False, dt.date(2026, 8, 31), dt.date(2027, 2, 26))


@given(dates, st.integers(min_value=0, max_value=400))
def test_plan_required_iff_end_reaches_six_months(start, days):
    end = start + dt.timedelta(days=days)
    six = rules.add_months(start, 6)
    assert rules.plan_required(False, start, end) == (end + dt.timedelta(days=1) >= six)
    # worklist.missing relies on this: under 180 days never, over 183 days always
    if days < 180:
        assert not rules.plan_required(False, start, end)
    if days > 183:
        assert rules.plan_required(False, start, end)
