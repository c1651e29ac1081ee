"""A Samfunnsmedisin (SAM) trainee end to end: the requirement set is picked from the
database side, the progress page and the API work, service periods in the SAM categories
count, and the demo gives SAM trainees clinical service and group supervision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.progress import services
from lisplan.progress.demo import load_progress_demo
from lisplan.progress.evaluation import evaluate_one
from lisplan.progress.models import ActivityRecord, ProgressSummary, ServicePeriod
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(world):
    specialty = f.SpecialtyFactory(
        code="SAM", name="Samfunnsmedisin", kind=Specialty.Kind.COMMUNITY
    )
    LearningGoal.objects.create(
        code="SAM-001",
        specialty=specialty,
        part="part3",
        text="Kunne drive helseovervåking.",
        valid_from=dt.date(2019, 3, 1),
    )
    trainee = f.TraineeFactory(first_name="Siri", last_name="Samfunn")
    f.EmploymentFactory(
        trainee=trainee,
        specialty=specialty,
        institution=world.unn,
        start=dt.date(2021, 1, 1),
        position_percent=100,
    )
    return trainee


def test_sam_trainee_gets_the_sam_set_and_community_medicine(world, sam):
    today = timezone.localdate()
    inp, ctx, result = evaluate_one(sam.pk, today)
    assert result.requirement_set == "sam"
    assert {p.category for p in inp.periods} == {"community_medicine"}
    r = {x.code: x for x in result.requirements}
    assert r["community_medicine"].done > 0 and not r["clinical"].satisfied
    assert result.overall_status == "at_risk"  # no clinical service known


def test_clinical_period_counts_and_the_page_shows_it(world, sam):
    services.service_create(
        actor=world.users["local_coordinator"],
        trainee=sam,
        category="clinical",
        start=dt.date(2019, 9, 1),
        end=dt.date(2020, 8, 31),
        percent=100,
        place="Fastlegepraksis",
    )
    today = timezone.localdate()
    _inp, _ctx, result = evaluate_one(sam.pk, today)
    clinical = result.requirement("clinical")
    assert clinical.satisfied and clinical.done * 1461 / 48 == 366
    assert ProgressSummary.objects.get(trainee=sam).status != "unknown"

    c = Client()
    c.force_login(world.users["local_coordinator"])
    page = c.get(reverse("progress:trainee", args=[sam.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for text in (
        "Samfunnsmedisinsk arbeid",
        "Klinisk tjeneste i primær- eller",
        "Gruppeveiledning i samfunnsmedisin",
        "ikke verifisert",
        "forsiktig tolkning",
    ):
        assert text in body, text
    api = c.get(f"/api/v1/trainees/{sam.pk}/progress")
    assert api.status_code == 200
    reqs = {r["code"]: r for r in api.json()["requirements"]}
    assert reqs["clinical"]["satisfied"] and reqs["clinical"]["basis"] == "conservative"
    assert reqs["community_medicine"]["verified"] is False


def test_demo_gives_sam_trainees_clinical_service_and_group_supervision(world, sam):
    sam.demo = True
    sam.save()
    others = []
    for i in range(4):
        t = f.TraineeFactory(demo=True)
        f.EmploymentFactory(
            trainee=t,
            specialty=Specialty.objects.get(code="SAM"),
            institution=world.unn,
            start=dt.date(2020 + i % 3, 3, 1),
        )
        others.append(t)
    load_progress_demo(seed=11, today=timezone.localdate())
    ids = [sam.pk, *(t.pk for t in others)]
    assert ServicePeriod.objects.filter(trainee_id__in=ids, category="clinical").exists()
    assert ActivityRecord.objects.filter(trainee_id__in=ids, kind="group_supervision").exists()
    statuses = set(
        ProgressSummary.objects.filter(trainee_id__in=ids).values_list("status", flat=True)
    )
    assert "unknown" not in statuses
