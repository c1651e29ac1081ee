from __future__ import annotations

import datetime as dt

import pytest

from lisplan.plans import services
from lisplan.plans.services import PeriodData


@pytest.fixture
def period(world):
    def make(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30), institution=None, **kw):
        return PeriodData(
            specialty=world.specialty,
            institution=institution or world.nlsh,
            start=start,
            end=end,
            **kw,
        )

    return make


@pytest.fixture
def draft(world, period):
    return services.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=[period()],
    )


@pytest.fixture
def approved(world, draft):
    services.revision_submit(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    return services.revision_approve(
        actor=world.users["local_coordinator"], revision=draft, confirm_no_agreement=True
    )
