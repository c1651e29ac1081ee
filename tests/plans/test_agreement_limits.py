"""Plan periods against the employer's collaboration agreements (issue 12, item 5).

Seed 003: «Varigheten settes lik det tidsrom som fagmiljøet i de to foretakene og/eller
samarbeidsaktørene er enige om er nødvendig for at læringsmålene skal kunne oppnås hos
samarbeidsaktøren (normert tid).»
"""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.audit.models import AuditEvent
from lisplan.plans import services
from lisplan.plans.services import PlanInvalid, agreement_problems
from lisplan.rotations import services as rotations

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(world):
    return rotations.agreement_create(
        actor=world.users["admin"],
        sending=world.unn,
        receiving=world.nlsh,
        specialty=world.specialty,
        duration_months=6,
        capacity=2,
        reference="FA-UNN-NLSH-ORT",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        start_months=[2, 8],
    )


def _problems(world, period):
    return {p.code: p for p in agreement_problems(world.unn.pk, [period])}


def test_no_agreement_is_a_warning(world, period):
    [problem] = agreement_problems(world.unn.pk, [period()])
    assert problem.code == "no_agreement" and problem.warning


def test_longer_than_normed_duration_names_the_agreement(world, period, agreement):
    found = _problems(world, period(start=dt.date(2026, 2, 1), end=dt.date(2026, 9, 30)))
    problem = found["longer_than_agreement"]
    assert not problem.warning and problem.field == "periods[0].end"
    assert "FA-UNN-NLSH-ORT" in problem.message and "til 31.07.2026" in problem.message
    # six months exactly is within it, counted as the ledger counts
    assert not _problems(world, period(start=dt.date(2026, 2, 1), end=dt.date(2026, 7, 31)))


def test_start_month_and_validity(world, period, agreement):
    found = _problems(world, period(start=dt.date(2026, 3, 1), end=dt.date(2026, 8, 31)))
    assert "februar, august" in found["outside_start_months"].message
    found = _problems(world, period(start=dt.date(2027, 8, 1), end=dt.date(2028, 1, 31)))
    assert "31.12.2027" in found["outside_agreement_validity"].message
    assert "FA-UNN-NLSH-ORT" in found["outside_agreement_validity"].message


def test_errors_block_saving(world, period, agreement):
    with pytest.raises(PlanInvalid) as exc:
        services.plan_create(
            actor=world.users["leader"],
            trainee=world.trainee,
            estimated_start=dt.date(2024, 1, 1),
            estimated_end=dt.date(2029, 6, 30),
            plan_date=dt.date(2025, 11, 1),
            periods=[period(start=dt.date(2026, 2, 1), end=dt.date(2027, 1, 31))],
        )
    assert "longer_than_agreement" in {p.code for p in exc.value.problems}
    assert "6 måneder, til 31.07.2026" in str(exc.value)


def test_coordinator_confirms_a_period_without_agreement_at_approval(world, draft):
    services.revision_submit(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    with pytest.raises(PlanInvalid) as exc:
        services.revision_approve(actor=world.users["local_coordinator"], revision=draft)
    assert exc.value.problems[0].code == "no_agreement"
    approved = services.revision_approve(
        actor=world.users["local_coordinator"], revision=draft, confirm_no_agreement=True
    )
    assert approved.no_agreement_confirmed
    event = AuditEvent.objects.filter(action="plan.approved").latest("pk")
    assert event.changes["no_agreement_confirmed"] == [None, "True"]
