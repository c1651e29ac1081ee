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
