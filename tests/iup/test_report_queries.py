"""The completeness report reads a constant number of queries however many trainees and
revisions are in scope, and its light read of each revision (`queries._report_values`: the
required fields and whether supervisors and supervision meetings exist) finds the same
missing fields as `services.missing` on the fully loaded revision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lisplan.iup import queries, rules, services
from lisplan.iup.models import Meeting, Revision, SupervisorRow
from tests import factories as f

pytestmark = pytest.mark.django_db


def _employ(world, **kw):
    t = f.TraineeFactory(**kw)
    f.EmploymentFactory(
        trainee=t, institution=world.unn, specialty=world.specialty, start=dt.date(2024, 1, 1)
    )
    return t


def _count(client) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("iup:report"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_report_constant_queries(client, world, draft):
    client.force_login(world.users["regional_coordinator"])
    client.get(reverse("iup:report"))
    few, response = _count(client)
    before = response.context["total"]
    for i in range(12):
        t = _employ(world, last_name=f"Ekstra{i}")
        if i % 2:
            revision = services.plan_create(actor=world.users["admin"], trainee=t)
            f.SupervisionFactory(trainee=t, supervisor=world.users["supervisor"])
            Meeting.objects.create(
                revision=revision, kind=Meeting.Kind.SUPERVISION, date=dt.date(2031, 1, 1)
            )
    _count(client)  # the first read recomputes the deadlines the writes marked stale
    many, response = _count(client)
    assert response.context["total"] == before + 12
    assert many == few


def _missing_light(revision: Revision) -> list[str]:
    ids = Revision.objects.filter(pk=revision.pk).values("plan__trainee_id")
    light = next(r for r in queries._report_revisions(ids) if r["pk"] == revision.pk)
    return [
        m.field for m in rules.missing_fields(light["plan__kind"], queries._report_values(light))
    ]


def _missing_full(revision: Revision) -> list[str]:
    return [m.field for m in services.missing(queries.revision_qs().get(pk=revision.pk))]


def test_report_values_match_the_full_completeness_check(world, draft, alis):
    # the UAO edits plans in their specialty at UNN (the leader only in their own arena)
    created = services.plan_create(actor=world.users["education_lead"], trainee=_employ(world))
    revisions = [draft, alis.revision(), created]
    for revision in revisions:
        assert _missing_light(revision) == _missing_full(revision)
    # without supervisors and with only a non-supervision meeting: both report them missing
    SupervisorRow.objects.filter(revision__in=revisions).delete()
    Meeting.objects.filter(revision__in=revisions).delete()
    for revision in revisions:
        Meeting.objects.create(
            revision=revision, kind=Meeting.Kind.ASSESSMENT_PANEL, date=dt.date(2031, 1, 1)
        )
        full = _missing_full(revision)
        assert _missing_light(revision) == full
        if revision.plan.kind == "hospital":
            assert {"supervisors", "meetings"} <= set(full)
