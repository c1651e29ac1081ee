"""Seniority from the register date (issue 12, item 3).

Seed 003: «Som vikar er det uansett viktig at du registreres i FE, slik at du samler
ansiennitet i fiktiv enhet» — the register date counts, not only the date the wish was
forwarded to the receiving trust.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.allocation.build import build_instance, first_month
from lisplan.rotations import queries, services
from lisplan.rotations.models import RegisterEntry, RotationRequest
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_trusts(world):
    """Tora (UNN, in the register since 01.01.2024, forwarded late) and Berit (Helse Bergen,
    registered and forwarded in between) queue for the same NLSH department."""
    arena = f.ArenaFactory(institution=world.nlsh, specialty=world.specialty)
    unn_actor, hb_actor = world.users["local_coordinator"], world.users["outsider"]
    for sending, actor in ((world.unn, unn_actor), (world.bergen, hb_actor)):
        services.agreement_create(
            actor=actor,
            sending=sending,
            receiving=world.nlsh,
            specialty=world.specialty,
            duration_months=6,
            capacity=1,
            valid_from=dt.date(2024, 1, 1),
            arenas=[arena],
        )
    berit = f.TraineeFactory(first_name="Berit")
    f.EmploymentFactory(trainee=berit, institution=world.bergen, specialty=world.specialty)
    start = first_month()
    out = {}
    for trainee, sending, actor, registered, forwarded in (
        (world.trainee, world.unn, unn_actor, dt.date(2024, 1, 1), dt.date(2025, 6, 1)),
        (berit, world.bergen, hb_actor, dt.date(2025, 1, 1), dt.date(2025, 3, 1)),
    ):
        r = services.request_create(
            actor=actor,
            trainee=trainee,
            receiving=world.nlsh,
            specialty=world.specialty,
            desired_start=start,
        )
        services.request_register_wish(actor=actor, request=r)
        services.request_forward(actor=actor, request=r)
        RotationRequest.objects.filter(pk=r.pk).update(forwarded_on=forwarded)
        RegisterEntry.objects.filter(trainee=trainee, institution=sending).update(
            registered_on=registered
        )
        out[trainee.first_name] = RotationRequest.objects.get(pk=r.pk)
    return out


def test_register_date_ranks_and_explanation_names_it(world, two_trusts):
    """The one registered longest goes first although her wish was forwarded later; the
    explanation names the date that ranks the row and keeps the forwarding date visible."""
    tora, berit = two_trusts["Tora"], two_trusts["Berit"]
    rows = queries.rank_requests([berit, tora], with_progress=False)
    assert [r.pk for _row, r, _check in rows] == [tora.pk, berit.pk]
    first = rows[0][0].explanation
    assert "registrering i fiktiv enhet 01.01.2024" in first
    assert "videresendt 01.06.2025" in first
    assert "registrering i fiktiv enhet 01.01.2025" in rows[1][0].explanation


def test_forwarding_date_when_no_earlier_register_date(world, two_trusts):
    tora = two_trusts["Tora"]
    RegisterEntry.objects.filter(trainee=world.trainee).update(registered_on=dt.date(2026, 1, 1))
    [row] = queries.rank_requests([tora], with_progress=False)
    assert "ansiennitet fra videresending 01.06.2025" in row[0].explanation


def test_allocation_instance_uses_the_register_date(world, two_trusts):
    doc = build_instance(world.unn.region).document
    registered = {r["id"]: r["registered"] for t in doc["trainees"] for r in t["requests"]}
    assert registered[f"R-{two_trusts['Tora'].pk}"] == "2024-01-01"
    assert registered[f"R-{two_trusts['Berit'].pk}"] == "2025-01-01"
