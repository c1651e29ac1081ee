"""Trainees who started before 1 March 2019 (issue 12, item 4).

Seed 000: «b) Konvertering fra gammel til ny utdanningsordning» and «Godkjent tjenestetid i
gammel ordning som kan telle med i minstetiden i ny ordning (maks 6,5 år inkl.
turnustjeneste/del 1 og godkjent av leder)».
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lisplan.progress.models import ProgressStatus
from lisplan.progress.summary import refresh_summaries
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def veteran(world):
    t = f.TraineeFactory(first_name="Gunnar", last_name="Gammel", user=f.UserFactory())
    f.EmploymentFactory(
        trainee=t, institution=world.unn, specialty=world.specialty, start=dt.date(2017, 9, 1)
    )
    return t


def test_old_scheme_status_instead_of_unknown(world, veteran):
    refresh_summaries([veteran.pk])
    assert veteran.progress_summary.status == ProgressStatus.OLD_SCHEME
    assert ProgressStatus.OLD_SCHEME.label == "Gammel ordning – vurderes manuelt"


def test_page_says_what_is_known(world, veteran):
    client = Client()
    client.force_login(veteran.user)
    body = client.get(reverse("progress:trainee", args=[veteran.pk])).content.decode()
    assert "Gammel ordning – vurderes manuelt" in body
    assert "startet i spesialiseringen 01.09.2017" in body
    assert "Registrert tjeneste:" in body
    assert "78 mnd." in body and "turnustjeneste/del 1" in body
    assert timezone.localdate() > dt.date(2019, 3, 1)
