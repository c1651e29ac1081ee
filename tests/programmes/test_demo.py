"""The demo: published plans and drafts for the demo region's hospital specialties and general
practice, real gaps with candidate places, the education lead's own course left to draft."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from lisplan.demo.generator import DEFAULT_SEED, load_demo
from lisplan.programmes import queries
from lisplan.programmes.demo import load_programme_demo
from lisplan.programmes.models import ProgrammePlan, Status

pytestmark = pytest.mark.django_db


def test_demo_plans_and_gaps():
    today = timezone.localdate()
    load_demo(trainees=120, seed=DEFAULT_SEED, today=today)
    result = load_programme_demo(seed=DEFAULT_SEED, today=today)
    assert result.published > 20 and result.drafts > 0 and result.gaps > 0
    published = ProgrammePlan.objects.filter(status=Status.PUBLISHED)
    assert published.filter(specialty__code="ALM").exists()  # general practice too
    assert not ProgrammePlan.objects.filter(institution__code="UNN", specialty__code="ORT")
    rows = queries.gap_report(region="NORD")
    assert rows and any(g.candidates for r in rows for g in r.gaps)
    # the start page counts the report's gaps and shortfalls without the places elsewhere
    counted = sum(len(r.gaps) + len(r.shortfalls) for r in rows)
    assert queries.gap_count(region="NORD") == counted
    institutions = sorted({r.institution.pk for r in rows})[:3]
    assert queries.gap_count(institutions=institutions) == sum(
        len(r.gaps) + len(r.shortfalls) for r in queries.gap_report(institutions=institutions)
    )
    plan = published.select_related("institution", "specialty").first()
    assert Client().get(queries.public_path(plan)).status_code == 200
    # loading again replaces the demo plans
    again = load_programme_demo(seed=DEFAULT_SEED, today=today)
    assert again.published == result.published
    assert ProgrammePlan.objects.filter(status=Status.PUBLISHED).count() == result.published
