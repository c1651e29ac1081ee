"""The trainee list (search, filters, pagination, htmx) and one trainee's page, per persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lisplan.audit.models import AuditEvent
from lisplan.trainees import services
from tests import factories as f
from tests.accounts.test_access import EXPECTED, KEYS

LIST = reverse("trainees:list")


def names(response) -> set[str]:
    return {t.last_name for t in response.context["page"].object_list}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_list_shows_exactly_the_personas_scope(client, world, persona):
    client.force_login(world.users[persona])
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == {getattr(world, key).last_name for key in EXPECTED[persona]}
    html = response.content.decode()
    assert '<h1 class="ds-heading" data-size="lg">Leger i spesialisering</h1>' in html
    assert "<caption" in html and '<th scope="col" class="lp-nowrap">HPR-nummer</th>' in html


def test_list_refuses_anonymous_and_users_without_the_permission(client, db):
    assert client.get(LIST).status_code == 302
    client.force_login(f.UserFactory(username="nobody"))
    assert client.get(LIST).status_code == 403


def test_search_by_name_and_hpr(client, world):
    client.force_login(world.users["admin"])
    assert names(client.get(LIST, {"q": "kolle"})) == {"Kollega"}
    assert names(client.get(LIST, {"q": world.same_region.hpr_number})) == {"Samme-region"}


def test_filters_offer_only_what_the_user_can_see(client, world):
    client.force_login(world.users["local_coordinator"])
    form = client.get(LIST).context["form"]
    assert list(form.fields["institution"].queryset) == [world.unn]
    response = client.get(LIST, {"institution": world.bergen.pk})
    assert "institution" in response.context["form"].errors  # out of scope: refused, said so
    assert names(response) == {"Trainee", "Kollega", "Samme-HF"}


def test_filter_by_institution_specialty_and_temporary(client, world):
    f.EmploymentFactory(
        trainee=f.TraineeFactory(last_name="Vikar"),
        institution=world.nlsh,
        specialty=f.SpecialtyFactory(code="MED"),
        permanent=False,
        end=f.dt.date(2099, 1, 1),
    )
    client.force_login(world.users["regional_coordinator"])
    assert names(client.get(LIST, {"institution": world.nlsh.pk})) == {"Samme-region", "Vikar"}
    assert names(client.get(LIST, {"specialty": "MED"})) == {"Vikar"}
    assert names(client.get(LIST, {"employment": "temporary"})) == {"Vikar"}
    assert "Vikar" not in names(client.get(LIST, {"employment": "permanent"}))


def test_empty_result_says_so(client, world):
    client.force_login(world.users["admin"])
    html = client.get(LIST, {"q": "Finnesikke"}).content.decode()
    assert "Ingen leger passer til søket" in html
    assert "0 leger funnet" in html


def many_trainees(world, n: int) -> None:
    for i in range(n):
        t = f.TraineeFactory(last_name=f"Masse{i:03d}")
        f.EmploymentFactory(
            trainee=t, institution=world.unn, arena=world.section, specialty=world.specialty
        )


def test_pagination_50_per_page_with_links(client, world):
    many_trainees(world, 60)
    client.force_login(world.users["local_coordinator"])
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 50
    html = first.content.decode()
    assert "63 leger funnet" in html
    assert 'href="?page=2"' in html and 'aria-current="true"' in html
    second = client.get(LIST, {"page": 2, "q": "Masse"})
    assert len(second.context["page"].object_list) == 10
    assert 'href="?page=1&amp;q=Masse"' in second.content.decode()


def test_htmx_request_gets_only_the_results(client, world):
    client.force_login(world.users["admin"])
    response = client.get(
        LIST, {"q": "kolle"}, headers={"HX-Request": "true", "HX-Target": "trainee-results"}
    )
    html = response.content.decode()
    assert "<html" not in html and "<table" in html
    assert 'id="trainee-count" role="status" hx-swap-oob="true"' in html
    assert "1 lege funnet" in html
    assert "HX-Request" in response["Vary"]


def test_list_works_without_javascript(client, world):
    client.force_login(world.users["admin"])
    html = client.get(LIST).content.decode()
    assert f'<form method="get" action="{LIST}"' in html
    assert 'hx-trigger="submit, input changed delay:300ms' in html
    assert '<div id="trainee-results"' in html


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["leader", "regional_coordinator", "admin"])
def test_list_query_count_does_not_grow_with_trainees(client, world, persona):
    client.force_login(world.users[persona])
    many_trainees(world, 5)
    few = count_queries(client)
    many_trainees(world, 35)
    assert count_queries(client) == few


# --- one trainee -----------------------------------------------------------------------------


def detail(trainee) -> str:
    return reverse("trainees:detail", args=[trainee.pk])


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_detail_in_scope_or_404(client, world, persona):
    client.force_login(world.users[persona])
    for key in KEYS:
        status = client.get(detail(getattr(world, key))).status_code
        assert status == (200 if key in EXPECTED[persona] else 404), key


def test_detail_refuses_anonymous_and_users_without_the_permission(client, world):
    assert client.get(detail(world.trainee)).status_code == 302
    client.force_login(f.UserFactory(username="nobody"))
    assert client.get(detail(world.trainee)).status_code == 403


def test_detail_shows_person_employment_leave_supervisors_and_roles(client, world):
    f.LeaveFactory(trainee=world.trainee)
    client.force_login(world.users["leader"])
    html = client.get(detail(world.trainee)).content.decode()
    for text in [
        "Tora Trainee",
        world.trainee.hpr_number,
        "Universitetssykehuset Nord-Norge HF",
        "Seksjon for traume",
        "Ortopedisk kirurgi",
        "01.01.2024",
        "Ny ordning",
        "Foreldrepermisjon",
        "30.06.2025",
        "Hovedveileder",
        str(world.users["supervisor"]),
        "Lege i spesialisering",
    ]:
        assert text in html, text
    assert "Endringshistorikk" not in html  # the leader has no audit.view
    assert "Registrer ansettelse" not in html


def test_detail_shows_history_to_coordinators(client, world):
    coordinator = world.users["local_coordinator"]
    employment = world.trainee.employments.get()
    services.employment_update(
        actor=coordinator, employment=employment, position_percent=80, end=f.dt.date(2030, 6, 30)
    )
    client.force_login(coordinator)
    html = client.get(detail(world.trainee)).content.decode()
    assert "Endringshistorikk" in html
    assert "Ansettelse endret" in html
    assert "Stillingsprosent: 100 → 80" in html
    assert "Sluttdato: – → 30.06.2030" in html
    assert str(coordinator) in html


def test_history_is_not_shown_for_other_trainees_events(client, world):
    AuditEvent.objects.create(
        action="trainee.changed",
        object_type="trainees.trainee",
        object_id=str(world.colleague.pk),
        trainee_id=world.colleague.pk,
        actor_name="Noen Andre",
    )
    client.force_login(world.users["local_coordinator"])
    assert "Noen Andre" not in client.get(detail(world.trainee)).content.decode()


def test_history_shows_plan_events_with_their_periods(client, world):
    """A plan's audit snapshot holds its periods (a related list, not a field): the history
    names the step in words and does not break on it."""
    import datetime as dt

    from lisplan.plans import services as plan_services

    period = plan_services.PeriodData(
        specialty=world.specialty,
        institution=world.nlsh,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 30),
    )
    plan_services.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        periods=[period],
    )
    client.force_login(world.users["local_coordinator"])
    response = client.get(detail(world.trainee))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gjennomføringsplan opprettet" in html and "plan.created" not in html
