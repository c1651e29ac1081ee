"""One month count for the ledger, the rotation register and the allocation instance (issue 12,
item 1).

Seed 003: «I de tilfeller hvor det er behov for spesialiseringsperioder på mindre enn 3 måneders
varighet, dekkes lønns- og personalkostnader gjennom refusjon fra hovedarbeidsgiver.»
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisplan.allocation.build import build_instance, first_month
from lisplan.allocation.instance import month_index
from lisplan.progress.engine import (
    MONTH_DAYS,
    Requirement,
    RequirementSet,
    ServicePeriod,
    TraineeInput,
    compute_ledger,
    evaluate,
    months_and_days,
    period_months,
    whole_months,
)
from lisplan.progress.present import quantity as fmt_quantity
from lisplan.progress.requirements import rule_book
from lisplan.rotations import services
from lisplan.rotations.models import RotationRequest, Status, add_months
from lisplan.rotations.services import _months_between
from tests import factories as f

RULES = rule_book()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ledger_months(start: dt.date, end: dt.date) -> tuple[int, int]:
    """What the progress ledger counts for a full-time period start–end, in months and days."""
    ledger = compute_ledger(
        (ServicePeriod(start, end, "specialty", 100),), (), (), rules=RULES, today=end
    )
    days = ledger.days(("specialty",))
    assert days == int(days)
    return months_and_days(int(days))


def meets_minimum(start: dt.date, end: dt.date, months: int) -> bool:
    """Whether the ledger says a full-time period start–end meets a minimum of `months`."""
    rs = RequirementSet(
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
                minimum=Fraction(months),
                categories=("specialty",),
            ),
        ),
    )
    inp = TraineeInput(
        today=end, specialty="t", periods=(ServicePeriod(start, end, "specialty", 100),)
    )
    return evaluate(inp, rs, rules=RULES).requirements[0].satisfied


dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2031, 12, 31))


@FAST
@given(dates, st.integers(0, 900))
def test_ledger_and_register_count_the_same_months(start, length):
    """The register's duration of a plan period is the ledger's whole months of it."""
    end = start + dt.timedelta(days=length)
    months, days = period_months(start, end)
    assert ledger_months(start, end) == (months, days)
    assert _months_between(start, end) == whole_months(start, end) == max(1, months)
    # the ledger meets a minimum of that many months, and not of one more
    if months:
        assert meets_minimum(start, end, months)
    assert not meets_minimum(start, end, months + 1)


@FAST
@given(dates.filter(lambda d: d.day <= 28), st.integers(1, 36))
def test_a_request_of_m_months_counts_m_months(start, months):
    """A request's own end (start + M months − 1 day) counts M months again."""
    end = add_months(start, months) - dt.timedelta(days=1)
    assert _months_between(start, end) == months


@FAST
@given(dates.filter(lambda d: d.day <= 28), st.integers(1, 72))
def test_full_calendar_months_read_without_a_remainder(start, months):
    """M full calendar months read «M mnd.» in the ledger, whether they are short or long
    months and whether they hold a leap day (they read «M mnd. 1 dag» when longer than the
    shortest M months); one day more than the longest M months is «M mnd. 1 dag»."""
    end = add_months(start, months) - dt.timedelta(days=1)
    assert ledger_months(start, end) == period_months(start, end) == (months, 0)
    assert fmt_quantity(Fraction((end - start).days + 1) / MONTH_DAYS, "months") == (
        f"{months} mnd."
    )


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (dt.date(2020, 1, 1), dt.date(2022, 2, 28), "26 mnd."),  # over 29.02.2020 (790 days)
        (dt.date(2023, 7, 1), dt.date(2023, 12, 31), "6 mnd."),  # 184 days
        (dt.date(2023, 1, 1), dt.date(2023, 6, 30), "6 mnd."),  # 181 days
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), "12 mnd."),  # a leap year, 366 days
        (dt.date(2023, 7, 1), dt.date(2024, 1, 1), "6 mnd. 1 dag"),  # 185 days
        # a day short of six: 180 days, the days beyond the longest 5 calendar months (153)
        # are never overstated (calendar: 5 months 29 days)
        (dt.date(2023, 1, 1), dt.date(2023, 6, 29), "5 mnd. 27 dager"),
    ],
)
def test_ledger_line_reads_calendar_months(start, end, text):
    """The ledger line of a full-time period in months and days, as the page shows it."""
    ledger = compute_ledger(
        (ServicePeriod(start, end, "specialty", 100),), (), (), rules=RULES, today=end
    )
    assert fmt_quantity(ledger.lines[0].months, "months") == text


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2027, 1, 15), dt.date(2027, 3, 14), 2),  # mid-month: 2, not 3 (refunded)
        (dt.date(2027, 11, 6), dt.date(2028, 11, 5), 12),  # over a leap day: 12, not 13
        (dt.date(2027, 1, 1), dt.date(2027, 6, 30), 6),
        (dt.date(2027, 1, 31), dt.date(2027, 2, 28), 1),  # month end to month end
        (dt.date(2028, 2, 1), dt.date(2028, 2, 29), 1),  # February of a leap year
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28), 12),  # from a leap day
        (dt.date(2027, 1, 1), dt.date(2027, 6, 29), 5),  # a day short of six
        (dt.date(2027, 3, 1), dt.date(2027, 3, 10), 1),  # at least one
    ],
)
def test_month_count_cases(start, end, months):
    assert _months_between(start, end) == months


@pytest.mark.django_db
def test_plan_period_mid_month_is_a_refunded_two_month_request(world):
    """15.01.–14.03. is two months: under three, so the main employer refunds it (seed 003)."""
    from lisplan.plans import services as plans
    from lisplan.plans.services import PeriodData

    coordinator = world.users["local_coordinator"]
    arena = f.ArenaFactory(institution=world.nlsh, specialty=world.specialty)
    away = PeriodData(
        specialty=world.specialty,
        institution=world.nlsh,
        arena=arena,
        start=dt.date(2027, 1, 15),
        end=dt.date(2027, 3, 14),
    )
    revision = plans.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=[away],
    )
    plans.revision_submit(actor=world.users["trainee"], revision=revision)
    plans.revision_sign(actor=world.users["trainee"], revision=revision)
    plans.revision_sign(actor=world.users["leader"], revision=revision)
    plans.revision_approve(actor=coordinator, revision=revision, confirm_no_agreement=True)
    [request] = RotationRequest.objects.filter(
        trainee=world.trainee, source=RotationRequest.Source.PLAN
    )
    assert request.duration_months == 2 and request.refunded_by_employer
    assert request.end == dt.date(2027, 3, 14)


@pytest.mark.django_db
def test_allocation_instance_spans_the_ledger_months(world):
    """A period taken elsewhere occupies as many months in the allocation instance as the
    ledger counts for it."""
    actor = world.users["local_coordinator"]
    f.ArenaFactory(institution=world.nlsh, specialty=world.specialty)
    agreement = services.agreement_create(
        actor=actor,
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=1,
        valid_from=dt.date(2024, 1, 1),
    )
    first = first_month()
    start, end = add_months(first, 1), add_months(first, 1 + 13) - dt.timedelta(days=1)
    taken = services.request_create(
        actor=actor,
        trainee=world.colleague,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=start,
        duration_months=_months_between(start, end),
    )
    RotationRequest.objects.filter(pk=taken.pk).update(
        status=Status.IN_PROGRESS, agreed_start=start, agreement=agreement
    )
    queued = services.request_create(
        actor=actor,
        trainee=world.trainee,
        receiving=world.nlsh,
        specialty=world.specialty,
        desired_start=first,
    )
    services.request_register_wish(actor=actor, request=queued)
    services.request_forward(actor=actor, request=queued)
    [span] = build_instance(world.unn.region).document["occupied"]
    count = month_index(span["to"]) - month_index(span["from"]) + 1
    assert count == ledger_months(start, end)[0] == 13
