"""Every progress page for allowed and refused personas (403 without the permission anywhere,
404 outside scope), and the recording/approving round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lisplan.progress import services
from lisplan.progress.models import ActivityRecord, GoalApproval, ServicePeriod

pytestmark = pytest.mark.django_db


def client_for(world, persona: str) -> Client:
    c = Client()
    c.force_login(world.users[persona])
    return c


VIEWERS = [
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
]


@pytest.mark.parametrize("persona", VIEWERS)
def test_progress_page_for_those_who_follow_the_trainee(world, goals, persona):
    response = client_for(world, persona).get(reverse("progress:trainee", args=[world.trainee.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "ORT-001" in body and "Tidslinje" in body


def test_progress_page_outside_scope_is_404(world):
    assert (
        client_for(world, "outsider")
        .get(reverse("progress:trainee", args=[world.trainee.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world, "trainee")
        .get(reverse("progress:trainee", args=[world.colleague.pk]))
        .status_code
        == 404
    )


def test_anonymous_is_sent_to_login(world):
    response = Client().get(reverse("progress:trainee", args=[world.trainee.pk]))
    assert response.status_code == 302 and "logg-inn" in response["Location"]


def test_timeline_svg_is_accessible(world, goals):
    body = (
        client_for(world, "leader")
        .get(reverse("progress:trainee", args=[world.trainee.pk]))
        .content.decode()
    )
    assert 'role="img"' in body and '<title id="tl-title">' in body and "<desc" in body
    assert "Tidslinjen som tabell" in body


@pytest.mark.parametrize(
    "persona,status",
    [
        ("trainee", 200),
        ("supervisor", 200),
        ("leader", 200),
        ("local_coordinator", 200),
        ("education_lead", 403),
        ("planner", 403),
        ("regional_coordinator", 403),
        ("outsider", 404),
    ],
)
def test_record_activity_page(world, persona, status):
    url = reverse("progress:activity_add", args=[world.trainee.pk, "out_of_hours"])
    assert client_for(world, persona).get(url).status_code == status


def test_trainee_records_out_of_hours_shifts(world):
    url = reverse("progress:activity_add", args=[world.trainee.pk, "out_of_hours"])
    response = client_for(world, "trainee").post(url, {"date": "2025-03-01", "count": "4"})
    assert response.status_code == 302
    a = ActivityRecord.objects.get()
    assert (a.kind, a.count, a.recorded_by) == ("out_of_hours", 4, world.users["trainee"])


def test_invalid_activity_shows_norwegian_errors(world):
    url = reverse("progress:activity_add", args=[world.trainee.pk, "supervision_meeting"])
    response = client_for(world, "trainee").post(url, {"date": "2025-03-01"})
    assert response.status_code == 200
    assert "referatet" in response.content.decode()
    assert not ActivityRecord.objects.exists()


def test_unknown_activity_kind_is_404(world):
    url = reverse("progress:activity_add", args=[world.trainee.pk, "nonsense"])
    assert client_for(world, "trainee").get(url).status_code == 404


def test_edit_and_delete_activity(world):
    a = services.activity_create(
        actor=world.users["trainee"],
        trainee=world.trainee,
        kind="procedure",
        title="Gips",
        date=dt.date(2025, 1, 1),
    )
    c = client_for(world, "supervisor")
    url = reverse("progress:activity_edit", args=[world.trainee.pk, a.pk])
    assert c.post(url, {"title": "Gips", "date": "2025-01-01", "count": "5"}).status_code == 302
    a.refresh_from_db()
    assert a.count == 5
    delete = reverse("progress:activity_delete", args=[world.trainee.pk, a.pk])
    assert c.get(delete).status_code == 405
    assert client_for(world, "outsider").post(delete).status_code == 404
    assert c.post(delete).status_code == 302
    assert not ActivityRecord.objects.exists()


@pytest.mark.parametrize(
    "persona,status",
    [
        ("leader", 200),
        ("local_coordinator", 200),
        ("admin", 200),
        ("trainee", 403),
        ("supervisor", 403),
        ("education_lead", 403),
        ("outsider", 404),
    ],
)
def test_approve_goal_page(world, goals, persona, status):
    url = reverse("progress:goal_approve", args=[world.trainee.pk, goals["ort1"].pk])
    assert client_for(world, persona).get(url).status_code == status


def test_leader_approves_goal(world, goals):
    url = reverse("progress:goal_approve", args=[world.trainee.pk, goals["ort1"].pk])
    response = client_for(world, "leader").post(
        url, {"assessment": "panel", "approved_on": "2025-04-01", "arena": world.section.pk}
    )
    assert response.status_code == 302
    row = GoalApproval.objects.get()
    assert row.status == "approved" and row.approved_by == world.users["leader"]


def test_trainee_marks_goal_in_progress_but_not_approved_ones(world, goals):
    c = client_for(world, "trainee")
    url = reverse("progress:goal_mark", args=[world.trainee.pk, goals["ort1"].pk])
    assert c.post(url, {"status": "in_progress"}).status_code == 302
    assert GoalApproval.objects.get().status == "in_progress"
    services.goal_set(
        actor=world.users["leader"],
        trainee=world.trainee,
        goal=goals["ort1"],
        status="approved",
        assessment="panel",
        approved_on=dt.date(2025, 4, 1),
    )
    assert c.get(url).status_code == 404


@pytest.mark.parametrize(
    "persona,status",
    [
        ("local_coordinator", 200),
        ("leader", 200),
        ("trainee", 403),
        ("supervisor", 403),
        ("outsider", 404),
    ],
)
def test_service_period_page(world, persona, status):
    url = reverse("progress:service_add", args=[world.trainee.pk])
    assert client_for(world, persona).get(url).status_code == status


def test_coordinator_registers_and_edits_service_period(world):
    c = client_for(world, "local_coordinator")
    response = c.post(
        reverse("progress:service_add", args=[world.trainee.pk]),
        {"category": "institutional", "start": "2023-01-01", "end": "2023-06-30", "percent": "100"},
    )
    assert response.status_code == 302
    p = ServicePeriod.objects.get()
    url = reverse("progress:service_edit", args=[world.trainee.pk, p.pk])
    assert (
        c.post(
            url,
            {
                "category": "institutional",
                "start": "2023-01-01",
                "end": "2023-07-31",
                "percent": "80",
            },
        ).status_code
        == 302
    )
    p.refresh_from_db()
    assert p.percent == 80
    assert client_for(world, "outsider").get(url).status_code == 404


@pytest.mark.parametrize(
    "persona,visible",
    [
        ("leader", {"Trainee", "Kollega"}),
        ("local_coordinator", {"Trainee", "Kollega", "Samme-HF"}),
        ("supervisor", {"Trainee"}),
        ("trainee", {"Trainee"}),
        ("outsider", {"Annen-region"}),
    ],
)
def test_overview_is_scoped(world, persona, visible):
    response = client_for(world, persona).get(reverse("progress:overview"))
    assert response.status_code == 200
    names = {t.last_name for t in response.context["page"].object_list}
    assert names == visible


def test_overview_filters_by_status(world, goals):
    from lisplan.progress.summary import refresh_summaries

    refresh_summaries([world.trainee.pk])
    c = client_for(world, "local_coordinator")
    response = c.get(reverse("progress:overview"), {"status": "unknown"})
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["", "unknown", "at_risk", "on_track"])
def test_overview_count_read_off_the_status_counts_is_the_live_count(world, goals, status):
    from lisplan.progress.models import ProgressSummary
    from lisplan.progress.queries import OverviewFilters, overview
    from lisplan.progress.summary import refresh_summaries

    refresh_summaries([world.trainee.pk])  # one summary row; the others have none (unknown)
    ProgressSummary.objects.filter(trainee=world.trainee).update(status="at_risk")
    user = world.users["local_coordinator"]
    response = client_for(world, "local_coordinator").get(
        reverse("progress:overview"), {"status": status}
    )
    live = overview(user, OverviewFilters(status=status or None)).count()
    assert response.context["page"].paginator.count == live
    if status == "at_risk":
        assert live == 1
    assert len(response.context["page"].object_list) == min(live, 50)


def test_overview_query_count_is_constant(world):
    from tests import factories as f

    c = client_for(world, "local_coordinator")
    url = reverse("progress:overview")
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    for i in range(15):
        f.EmploymentFactory(
            trainee=f.TraineeFactory(last_name=f"Ny{i}"),
            institution=world.unn,
            specialty=world.specialty,
        )
    with CaptureQueriesContext(connection) as large:
        c.get(url)
    assert len(small) == len(large)


def test_progress_page_query_count_is_constant(world, goals):
    c = client_for(world, "leader")
    url = reverse("progress:trainee", args=[world.trainee.pk])
    # one of each first: a prefetch runs only when there are rows to prefetch for
    services.activity_create(
        actor=world.users["trainee"],
        trainee=world.trainee,
        kind="procedure",
        title="P",
        date=dt.date(2025, 1, 1),
        goals=[goals["ort1"]],
    )
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    for i in range(5):
        services.activity_create(
            actor=world.users["trainee"],
            trainee=world.trainee,
            kind="procedure",
            title=f"P{i}",
            date=dt.date(2025, 1, 1),
            goals=[goals["ort1"], goals["fkm"]],
        )
        services.goal_set(
            actor=world.users["trainee"],
            trainee=world.trainee,
            goal=goals["fkm"],
            status="in_progress",
        )
    with CaptureQueriesContext(connection) as large:
        c.get(url)
    assert len(small) == len(large)


def test_progress_page_shows_requirements_and_projection(world, goals):
    body = (
        client_for(world, "leader")
        .get(reverse("progress:trainee", args=[world.trainee.pk]))
        .content.decode()
    )
    assert "Krav: gjort og gjenstår" in body
    assert "Forventet ferdig" in body


def test_start_page_queries(world, goals):
    from lisplan.progress.queries import goals_awaiting_approval, trainees_at_risk

    services.goal_set(
        actor=world.users["trainee"],
        trainee=world.trainee,
        goal=goals["ort1"],
        status="in_progress",
    )
    assert [g.goal.code for g in goals_awaiting_approval(world.users["leader"])] == ["ORT-001"]
    assert not goals_awaiting_approval(world.users["trainee"]).exists()
    assert not goals_awaiting_approval(world.users["outsider"]).exists()
    assert list(trainees_at_risk(world.users["outsider"])) == []
