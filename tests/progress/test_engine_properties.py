"""Invariants of the requirement engine, checked with hypothesis."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisplan.progress.engine import (
    MONTH_DAYS,
    Credit,
    Leave,
    Requirement,
    RequirementSet,
    ServicePeriod,
    TraineeInput,
    compute_ledger,
    evaluate,
    project_completion,
)
from lisplan.progress.requirements import rule_book

RULES = rule_book()
BASE = dt.date(2019, 3, 1)
TODAY = dt.date(2023, 1, 1)
CATS = ("specialty", "other_specialty", "lis1")
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SET = RequirementSet(
    "t",
    "T",
    dt.date(2000, 1, 1),
    None,
    (
        Requirement(
            "time",
            "service_time",
            "Tid",
            "months",
            minimum=F(60),
            categories=("specialty", "other_specialty"),
        ),
    ),
)


@st.composite
def periods(draw, max_size=6):
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        start = BASE + dt.timedelta(days=draw(st.integers(0, 1500)))
        end = start + dt.timedelta(days=draw(st.integers(0, 700)))
        out.append(
            ServicePeriod(start, end, draw(st.sampled_from(CATS)), draw(st.integers(1, 100)))
        )
    return tuple(out)


@st.composite
def leaves(draw, max_size=4, kinds=("parental", "sick", "course", "holiday", "unpaid")):
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        start = BASE + dt.timedelta(days=draw(st.integers(0, 1500)))
        end = start + dt.timedelta(days=draw(st.integers(0, 200)))
        out.append(Leave(start, end, draw(st.sampled_from(kinds)), draw(st.integers(1, 100))))
    return tuple(out)


credits = st.lists(
    st.builds(
        Credit, st.sampled_from(("other_specialty", "lis1", "old_scheme")), st.integers(0, 60)
    ),
    max_size=3,
).map(tuple)


def counted(ps, lv=(), cr=()):
    return compute_ledger(ps, lv, cr, rules=RULES, today=TODAY)


@FAST
@given(periods(), leaves(), credits)
def test_lines_add_up_and_never_exceed_a_full_day(ps, lv, cr):
    lg = counted(ps, lv, cr)
    service = [line for line in lg.lines if line.kind != "leave"]
    for line in service:
        assert line.days == line.gross_days - line.leave_days - line.capped_days
        assert line.days >= 0 and line.capped_days >= 0 and line.leave_days >= 0
    assert lg.total_days == sum((line.days for line in service), F(0))
    # at most 100 % per calendar day, plus credits
    covered = {
        p.start + dt.timedelta(days=d)
        for p in ps
        for d in range(((min(p.end, TODAY)) - p.start).days + 1)
    }
    credit_days = sum((F(c.months) * MONTH_DAYS for c in cr), F(0))
    assert lg.total_days <= len(covered) + credit_days or not ps


@FAST
@given(periods(max_size=4))
def test_pro_rata_sums_are_exact_without_overlap(ps):
    # make the periods disjoint by laying them end to end
    start, laid = BASE, []
    for p in ps:
        length = (p.end - p.start).days
        laid.append(ServicePeriod(start, start + dt.timedelta(days=length), "specialty", p.percent))
        start += dt.timedelta(days=length + 1)
    lg = compute_ledger(laid, rules=RULES, today=dt.date(2040, 1, 1))
    expected = sum((F((p.end - p.start).days + 1) * p.percent / 100 for p in laid), F(0))
    assert lg.total_days == expected


@FAST
@given(periods(), leaves(), credits, st.sampled_from(CATS), st.integers(1, 100))
def test_caps_hold(ps, lv, cr, _cat, _pct):
    lg = counted(ps, lv, cr)
    for version in RULES.versions:
        for cap in version.caps:
            assert lg.days(cap.categories) <= cap.months * MONTH_DAYS


@FAST
@given(periods(), leaves(), credits, periods(max_size=2))
def test_more_service_never_increases_what_remains(ps, lv, cr, more):
    # More service in a counted category. (On a day already over 100 %, the day is split in
    # proportion, so extra service in a category that does not count can take share from one
    # that does — documented in docs/rules.md.)
    extra = tuple(ServicePeriod(p.start, p.end, "specialty", p.percent) for p in more)

    def remaining(prds):
        inp = TraineeInput(TODAY, "ORT", periods=prds, leave=lv, credits=cr)
        return evaluate(inp, SET, RULES).requirement("time").remaining

    assert remaining(ps + extra) <= remaining(ps)


@FAST
@given(periods(), leaves(), credits)
def test_ledger_grows_with_its_end_date(ps, lv, cr):
    a = compute_ledger(ps, lv, cr, rules=RULES, today=TODAY, until=TODAY)
    b = compute_ledger(ps, lv, cr, rules=RULES, today=TODAY, until=TODAY + dt.timedelta(days=90))
    assert b.total_days >= a.total_days


@FAST
@given(
    st.integers(0, 1000),  # days of service done before today
    st.integers(0, 600),  # leave starts this many days after today
    st.integers(1, 400),  # leave length
    st.sampled_from(("parental", "sick", "unpaid", "education", "other")),
)
def test_leave_that_does_not_count_moves_the_date_by_its_length(done, offset, length, kind):
    start = TODAY - dt.timedelta(days=done)
    base = (ServicePeriod(start, None, "specialty", 100),)
    inp = TraineeInput(TODAY, "ORT", periods=base)
    without = project_completion(inp, SET, RULES)
    assert without is not None
    leave_start = TODAY + dt.timedelta(days=offset + 1)
    if leave_start > without:
        return  # leave after completion changes nothing; checked below
    lv = (Leave(leave_start, leave_start + dt.timedelta(days=length - 1), kind),)
    with_leave = project_completion(TraineeInput(TODAY, "ORT", periods=base, leave=lv), SET, RULES)
    assert with_leave == without + dt.timedelta(days=length)


@FAST
@given(st.integers(1, 400), st.sampled_from(("course", "holiday")))
def test_leave_that_counts_does_not_move_the_date(length, kind):
    base = (ServicePeriod(TODAY, None, "specialty", 100),)
    lv = (Leave(TODAY + dt.timedelta(days=10), TODAY + dt.timedelta(days=9 + length), kind),)
    a = project_completion(TraineeInput(TODAY, "ORT", periods=base), SET, RULES)
    b = project_completion(TraineeInput(TODAY, "ORT", periods=base, leave=lv), SET, RULES)
    assert a == b


@FAST
@given(periods(), leaves(), st.integers(20, 100))
def test_projection_is_the_first_day_the_ledger_meets_the_minimum(ps, lv, pct):
    prds = ps + (ServicePeriod(TODAY, None, "specialty", pct, planned=True),)
    inp = TraineeInput(TODAY, "ORT", periods=prds, leave=lv)
    day = project_completion(inp, SET, RULES)
    assert day is not None
    need = 1826

    def total(d):
        return compute_ledger(prds, lv, rules=RULES, today=TODAY, until=d).days(
            ("specialty", "other_specialty")
        )

    assert total(day) >= need
    assert total(day - dt.timedelta(days=1)) < need
