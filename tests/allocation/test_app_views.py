"""Allocation pages per persona, offers from proposals and the forecast on trainees' pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lisplan.allocation import services
from lisplan.allocation.models import AllocationRun
from lisplan.audit.models import AuditEvent
from lisplan.rotations.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(world, register, immediate_tasks) -> AllocationRun:
    run = services.start_run(
        actor=world.users["regional_coordinator"],
        region=world.unn.region,
        max_delay_months=3,
        time_limit=5,
    )
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE
    return run


@pytest.mark.parametrize(
    "persona, status",
    [
        ("regional_coordinator", 200),
        ("planner", 200),
        ("local_coordinator", 200),
        ("admin", 200),
        ("trainee", 403),
        ("leader", 403),
        ("supervisor", 403),
    ],
)
def test_run_list_per_persona(client, world, persona, status):
    client.force_login(world.users[persona])
    assert client.get(reverse("allocation:runs")).status_code == status


@pytest.mark.parametrize(
    "persona, status",
    [
        ("regional_coordinator", 200),
        ("planner", 200),
        ("local_coordinator", 403),
        ("trainee", 403),
        ("education_lead", 403),
    ],
)
def test_run_form_per_persona(client, world, persona, status):
    client.force_login(world.users[persona])
    assert client.get(reverse("allocation:new")).status_code == status


def test_form_validation_names_the_field_and_keeps_input(client, world):
    client.force_login(world.users["regional_coordinator"])
    response = client.post(
        reverse("allocation:new"),
        {"scope": f"region:{world.unn.region_id}", "max_delay_months": "30", "time_limit": "2"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Største forsinkelse kan ikke være over 24 måneder." in text
    assert "Tidsgrensen må være minst 5 sekunder." in text
    assert 'value="30"' in text
    # A regional coordinator may not run the whole country, nor another region.
    form = response.context["form"]
    assert [c[0] for c in form.fields["scope"].choices] == [f"region:{world.unn.region_id}"]
    response = client.post(
        reverse("allocation:new"),
        {"scope": "national", "max_delay_months": "3", "time_limit": "10"},
    )
    assert "Velg en region du har tilgang til." in response.content.decode()
    assert not AllocationRun.objects.exists()


def test_planner_starts_a_national_run_and_sees_the_result(
    client, world, register, immediate_tasks
):
    client.force_login(world.users["planner"])
    response = client.post(
        reverse("allocation:new"), {"scope": "national", "max_delay_months": "3", "time_limit": "5"}
    )
    run = AllocationRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("allocation:run", args=[run.pk])
    assert run.region is None and run.status == AllocationRun.Status.DONE
    # Tabs, offers first: only the chosen tab's content is on the page.
    page = client.get(response.url).content.decode()
    assert world.trainee.full_name in page and "Foreslått oppstart per lege" in page
    assert '<a href="?fane=tilbud" aria-current="page">' in page
    assert "Køordningen og den optimerte planen" not in page and "<svg" not in page
    page = client.get(response.url, {"fane": "analyse"}).content.decode()
    assert '<a href="?fane=analyse" aria-current="page">' in page
    assert "Køordningen og den optimerte planen" in page
    assert "<svg" in page and "Vis tallene som tabell" in page
    assert "Ingen: planen følger køordningen." in page
    assert "Foreslått oppstart per lege" not in page
    page = client.get(response.url, {"fane": "sammendrag"}).content.decode()
    assert "Hvorfor noen ikke fikk plass" in page and "Gi tilbud" not in page
    # an unknown tab is the first one
    page = client.get(response.url, {"fane": "x"}).content.decode()
    assert "Foreslått oppstart per lege" in page


def test_progress_is_polled_until_the_run_ends(client, world, register):
    run = services.start_run(
        actor=world.users["regional_coordinator"],
        region=world.unn.region,
        max_delay_months=0,
        time_limit=5,
    )
    client.force_login(world.users["regional_coordinator"])
    page = client.get(reverse("allocation:run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "lisplan db_worker" in page
    services.execute(run.pk)
    response = client.get(reverse("allocation:progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_runs_of_other_regions_are_not_found(client, world, done):
    bergen = type(done).objects.create(region=world.bergen.region, max_delay_months=0, time_limit=5)
    client.force_login(world.users["regional_coordinator"])
    assert client.get(reverse("allocation:run", args=[bergen.pk])).status_code == 404
    client.force_login(world.users["outsider"])  # local coordinator in Bergen
    assert client.get(reverse("allocation:run", args=[done.pk])).status_code == 404
    assert client.get(reverse("allocation:run", args=[bergen.pk])).status_code == 200


def test_receiving_coordinator_offers_one_and_then_in_bulk(client, world, register, done):
    first, second, third = register.requests
    client.force_login(register.coordinator)
    page = client.get(reverse("allocation:run", args=[done.pk]))
    assert page.status_code == 200
    proposals = {p.request_id: p for p in done.proposals.all()}
    assert page.context["offerable"] == {p.pk for p in proposals.values()}
    response = client.post(
        reverse("allocation:offer", args=[done.pk]), {"proposal": proposals[first.pk].pk}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.OFFERED and first.agreed_start == register.first
    assert AuditEvent.objects.filter(action="allocation.offer_from_proposal").count() == 1
    assert AuditEvent.objects.filter(action="register.offered", object_id=str(first.pk)).exists()
    # Bulk: the one already offered is refused with a reason, the others are offered.
    response = client.post(
        reverse("allocation:offer", args=[done.pk]),
        {"proposal": [p.pk for p in proposals.values()]},
        follow=True,
    )
    text = response.content.decode()
    assert "Tilbud er allerede gitt fra dette forslaget." in text
    for r in (second, third):
        r.refresh_from_db()
        assert r.status == Status.OFFERED


def test_regional_coordinator_cannot_offer(client, world, register, done):
    client.force_login(world.users["regional_coordinator"])
    page = client.get(reverse("allocation:run", args=[done.pk]))
    assert page.context["offerable"] == set()
    proposal = done.proposals.first()
    response = client.post(reverse("allocation:offer", args=[done.pk]), {"proposal": proposal.pk})
    assert response.status_code == 403
    assert proposal.request.status == Status.FORWARDED


def test_forecast_on_the_trainees_own_pages(client, world, register, done):
    first, second, _third = register.requests
    client.force_login(world.users["trainee"])  # Tora, first in the queue
    page = client.get(reverse("rotations:request", args=[first.pk])).content.decode()
    assert "Forventet oppstart" in page and "er ikke et tilbud" in page
    own = client.get(reverse("rotations:own")).content.decode()
    assert "Forventet oppstart" in own and register.first.strftime("%m.%Y") in own
    # Once offered, the forecast gives way to the offer.
    services.offer_from_proposal(
        actor=register.coordinator, proposal=done.proposals.get(request=first)
    )
    page = client.get(reverse("rotations:request", args=[first.pk])).content.decode()
    assert "Forventet oppstart" not in page
    client.force_login(world.users["local_coordinator"])
    page = client.get(reverse("trainees:detail", args=[second.trainee_id])).content.decode()
    assert "Forventet oppstart" in page and "plass 2 i køen" in page


def test_forecasts_for_many_requests_take_one_query(register, done, django_assert_num_queries):
    requests = list(register.requests)
    with django_assert_num_queries(1):
        found = services.forecasts(requests)
    assert set(found) == {r.pk for r in requests if r.status == Status.FORWARDED}
    assert all(f["run"] == done for f in found.values())


def test_start_page_tasks_and_navigation(client, world, register, done):
    client.force_login(world.users["regional_coordinator"])
    page = client.get(reverse("home")).content.decode()
    assert "Ønsker i kø til fordeling" in page
    assert reverse("allocation:runs") in page
    client.force_login(register.coordinator)
    page = client.get(reverse("home")).content.decode()
    assert "Foreslåtte oppstarter som kan tilbys" in page


def test_offerable_filter_shows_only_the_users_receiving_side(client, world, register, done):
    client.force_login(world.users["local_coordinator"])  # UNN: the sending side here
    page = client.get(reverse("allocation:run", args=[done.pk]), {"show": "offerable"})
    assert page.context["rows"] == [] and page.context["offerable"] == set()
    client.force_login(register.coordinator)  # NLSH: the receiving side
    page = client.get(reverse("allocation:run", args=[done.pk]), {"show": "offerable"})
    assert len(page.context["rows"]) == 3
