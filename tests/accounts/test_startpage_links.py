"""The start page's role cards show what exists now (no «Her kommer …» promises): the
trainee's IUP status, next deadline and progress; what waits for signature; links per role."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from lisplan.iup import queries as iup_queries
from lisplan.iup import services as iup_services
from lisplan.iup.models import Meeting
from lisplan.progress.models import ProgressStatus, ProgressSummary
from tests.iup.outputs import hospital_revision


def _home(client, world, persona):
    client.force_login(world.users[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_no_coming_soon_texts_for_any_role(client, world):
    for persona in world.users:
        html = _home(client, world, persona).content.decode()
        assert "Her kommer" not in html, persona


def test_trainee_card_shows_iup_status_deadline_and_progress(client, world):
    revision = hospital_revision(world)
    ProgressSummary.objects.create(
        trainee=world.trainee,
        status=ProgressStatus.BEHIND,
        requirements_met=2,
        requirements_total=5,
        projected_completion=dt.date(2030, 6, 1),
        computed_at=timezone.now(),
        computed_on=timezone.localdate(),
    )
    response = _home(client, world, "trainee")
    card = next(s for s in response.context["sections"] if s.role == "trainee")
    deadline = card.data["iup"]
    assert deadline.open_revision == revision.pk and card.data["iup_open_label"] == "utkast"
    html = response.content.decode()
    assert reverse("iup:trainee", args=[world.trainee.pk]) in html
    assert reverse("iup:revision", args=[revision.pk]) in html
    assert reverse("progress:trainee", args=[world.trainee.pk]) in html
    assert "2 av 5 krav er oppfylt." in html and "Forsinket" in html
    assert f"Neste frist: {deadline.deadline.due:%d.%m.%Y}" in html
    assert reverse("notifications:calendar") in html
    # the card reads the stored deadline (DeadlineSummary); it is the live one
    live = iup_queries.deadline_for(world.trainee, timezone.localdate())
    assert (deadline.deadline, deadline.open_revision, deadline.open_status) == (
        live.deadline,
        live.open_revision,
        live.open_status,
    )


def test_trainee_card_shows_the_next_meeting_of_each_kind(client, world):
    revision = hospital_revision(world)
    today = timezone.localdate()
    kinds = Meeting.Kind
    for kind, days in [
        (kinds.SUPERVISION, 40),
        (kinds.SUPERVISION, 10),
        (kinds.SUPERVISION, -5),  # past: not the next one
        (kinds.ASSESSMENT_PANEL, 90),
        (kinds.ASSESSMENT_PANEL, 60),
    ]:
        Meeting.objects.create(revision=revision, kind=kind, date=today + dt.timedelta(days))
    card = next(
        s for s in _home(client, world, "trainee").context["sections"] if s.role == "trainee"
    )
    assert card.data["supervision"].date == today + dt.timedelta(10)
    assert card.data["panel"].date == today + dt.timedelta(60)


def test_trainee_without_progress_summary_is_told_so(client, world):
    html = _home(client, world, "trainee").content.decode()
    assert "Progresjonen er ikke beregnet ennå." in html


def test_supervisor_and_leader_see_what_waits_for_signature(client, world):
    revision = hospital_revision(world)
    iup_services.revision_sign(actor=world.users["trainee"], revision=revision)
    response = _home(client, world, "supervisor")
    card = next(s for s in response.context["sections"] if s.role == "supervisor")
    assert card.data["to_sign_iups"] == 1 and card.data["to_sign_plans"] is None
    assert "1 utdanningsplan (IUP)" in response.content.decode()
    response = _home(client, world, "leader")
    card = next(s for s in response.context["sections"] if s.role == "leader")
    assert card.data["to_sign_iups"] == 1 and card.data["to_sign_plans"] == 0
    html = response.content.decode()
    assert "0 gjennomføringsplaner" in html and reverse("plans:to_sign") in html


def test_role_links_follow_permissions(client, world):
    labels = {
        s.role: [str(link.label) for link in s.links]
        for s in _home(client, world, "education_lead").context["sections"]
    }
    assert "Maler for tabell 3 (formelle krav)" in labels["education_lead"]
    labels = {
        s.role: [str(link.label) for link in s.links]
        for s in _home(client, world, "regional_coordinator").context["sections"]
    }
    assert "Fordeling" in labels["regional_coordinator"]
    labels = {
        s.role: [str(link.label) for link in s.links]
        for s in _home(client, world, "planner").context["sections"]
    }
    assert labels["planner"] == [
        "Fordeling og prognoser",
        "Progresjon i regionen",
        "Dimensjonering av utdanningsstillinger",
    ]
