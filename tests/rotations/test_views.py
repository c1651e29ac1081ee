"""Every page for an allowed and a refused persona (403 without the permission, 404 out of
scope), the steps through the pages, and constant query counts on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lisplan.rotations import services
from lisplan.rotations.models import RotationRequest, Status, Vacancy
from tests import factories as f


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.fixture
def vacancy(nlsh, forwarded):
    return services.vacancy_open(
        actor=nlsh.leader,
        arena=nlsh.arena,
        start_from=dt.date(2027, 1, 1),
        start_to=dt.date(2027, 6, 30),
        duration_months=6,
    )


LISTS = [
    "rotations:requests",
    "rotations:register",
    "rotations:queues",
    "rotations:conflicts",
    "rotations:agreements",
]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    "persona",
    [
        "trainee",
        "leader",
        "local_coordinator",
        "regional_coordinator",
        "planner",
        "admin",
        "outsider",
        "supervisor",
        "education_lead",
    ],
)
def test_lists_open_to_every_role_with_the_permission(client, world, forwarded, name, persona):
    expected = 403 if (persona, name) == ("supervisor", "rotations:agreements") else 200
    assert get(client, world.users[persona], reverse(name)).status_code == expected


def test_lists_refuse_a_user_without_roles(client, world):
    nobody = f.UserFactory(username="nobody")
    for name in LISTS + ["rotations:vacancies", "rotations:own"]:
        assert get(client, nobody, reverse(name)).status_code == 403, name
    client.logout()
    assert client.get(reverse("rotations:requests")).status_code == 302


def test_request_page_in_scope_and_out(client, world, nlsh, forwarded):
    url = reverse("rotations:request", args=[forwarded.pk])
    for user in (
        world.users["trainee"],
        world.users["local_coordinator"],
        nlsh.coordinator,
        nlsh.leader,
        world.users["regional_coordinator"],
        world.users["supervisor"],
        world.users["admin"],
    ):
        assert get(client, user, url).status_code == 200, user
    assert get(client, world.users["outsider"], url).status_code == 404


def test_receiving_side_sees_request_only_once_forwarded(client, world, nlsh, need):
    url = reverse("rotations:request", args=[need.pk])
    assert get(client, nlsh.coordinator, url).status_code == 404
    services.request_register_wish(actor=world.users["local_coordinator"], request=need)
    services.request_forward(actor=world.users["local_coordinator"], request=need)
    assert get(client, nlsh.coordinator, url).status_code == 200


def test_steps_through_the_pages(client, world, nlsh, need):
    coordinator = world.users["local_coordinator"]
    client.force_login(coordinator)

    def url(step):
        return reverse(f"rotations:request_{step.replace('-', '_')}", args=[need.pk])

    assert client.get(url("wish")).status_code == 200
    assert client.post(url("wish")).status_code == 302
    assert client.post(url("forward")).status_code == 302
    # The sending coordinator may not offer on the receiving side's behalf: not in scope.
    assert client.post(url("offer"), {}).status_code == 404
    client.force_login(nlsh.coordinator)
    assert client.post(url("forward")).status_code == 404  # holds it, but not for UNN's
    client.force_login(nlsh.coordinator)
    assert client.post(url("offer"), {"start": "2027-02-01"}).status_code == 302
    client.force_login(world.users["trainee"])
    assert client.post(url("answer"), {"accept": "yes"}).status_code == 302
    assert client.post(url("cancel"), {"reason": "x"}).status_code == 403
    client.force_login(nlsh.coordinator)
    assert client.post(url("agree-start"), {"start": "2027-02-01"}).status_code == 302
    need.refresh_from_db()
    assert need.status == Status.START_AGREED
    page = get(client, world.users["trainee"], reverse("rotations:request", args=[need.pk]))
    assert "01.02.2027" in page.content.decode()


def test_rule_breach_shows_message_not_500(client, world, nlsh, forwarded):
    world.trainee.employments.update(permanent=False, end=dt.date(2030, 1, 1))
    client.force_login(nlsh.coordinator)
    response = client.post(reverse("rotations:request_offer", args=[forwarded.pk]), {}, follow=True)
    assert response.status_code == 200
    assert "ikke fast ansatt" in response.content.decode()


def test_request_add_scope(client, world, agreement):
    url = reverse("rotations:request_add", args=[world.trainee.pk])
    client.force_login(world.users["local_coordinator"])
    response = client.post(
        url,
        {
            "receiving": world.nlsh.pk,
            "specialty": world.specialty.pk,
            "desired_start": "2027-09-01",
        },
    )
    assert response.status_code == 302
    assert RotationRequest.objects.get(trainee=world.trainee).duration_months == 6
    assert get(client, world.users["outsider"], url).status_code == 404
    assert get(client, world.users["trainee"], url).status_code == 403
    assert get(client, world.users["leader"], url).status_code == 403


def test_agreement_pages(client, world, nlsh, agreement):
    detail = reverse("rotations:agreement", args=[agreement.pk])
    edit = reverse("rotations:agreement_edit", args=[agreement.pk])
    for persona in ("trainee", "leader", "local_coordinator", "regional_coordinator"):
        assert get(client, world.users[persona], detail).status_code == 200, persona
    assert get(client, nlsh.coordinator, detail).status_code == 200
    assert get(client, world.users["outsider"], detail).status_code == 404
    assert get(client, world.users["local_coordinator"], edit).status_code == 200
    assert get(client, world.users["outsider"], edit).status_code == 404
    assert get(client, world.users["leader"], edit).status_code == 403
    assert get(client, world.users["leader"], reverse("rotations:agreement_add")).status_code == 403


def test_agreement_add_refuses_parties_outside_scope(client, world, nlsh):
    client.force_login(world.users["outsider"])  # Helse Bergen's coordinator
    data = {
        "sending": world.unn.pk,
        "receiving": world.nlsh.pk,
        "specialty": world.specialty.pk,
        "duration_months": 6,
        "capacity": 1,
        "quota_semester": "any",
        "valid_from": "2025-01-01",
    }
    assert client.post(reverse("rotations:agreement_add"), data).status_code == 403
    client.force_login(world.users["local_coordinator"])
    data["arenas"] = [nlsh.arena.pk]
    data["start_months"] = ["2", "8"]
    response = client.post(reverse("rotations:agreement_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_vacancy_pages(client, world, nlsh, vacancy):
    detail = reverse("rotations:vacancy", args=[vacancy.pk])
    page = get(client, nlsh.leader, detail)
    assert page.status_code == 200
    assert world.trainee.full_name in page.content.decode()
    assert get(client, world.users["outsider"], detail).status_code == 404
    assert get(client, world.users["leader"], detail).status_code == 404  # UNN's leader
    assert get(client, world.users["trainee"], detail).status_code == 403
    assert get(client, nlsh.leader, reverse("rotations:vacancy_add")).status_code == 200
    assert get(client, world.users["planner"], reverse("rotations:vacancy_add")).status_code == 403
    request = RotationRequest.objects.get()
    client.force_login(nlsh.leader)
    client.post(reverse("rotations:vacancy_select", args=[vacancy.pk]), {"request": request.pk})
    vacancy.refresh_from_db()
    assert vacancy.selected == request
    client.force_login(nlsh.coordinator)
    client.post(reverse("rotations:request_offer", args=[request.pk]), {})
    client.force_login(world.users["trainee"])
    client.post(reverse("rotations:request_answer", args=[request.pk]), {"accept": "yes"})
    vacancy.refresh_from_db()
    assert vacancy.state == Vacancy.State.FILLED


def test_own_page_shows_queue_place(client, world, forwarded):
    page = get(client, world.users["trainee"], reverse("rotations:own"))
    assert page.status_code == 200
    assert "1 av 1" in page.content.decode()
    assert (
        get(client, world.users["local_coordinator"], reverse("rotations:own")).status_code == 403
    )


def test_register_sync_page(client, world):
    url = reverse("rotations:register_sync", args=[world.trainee.pk])
    client.force_login(world.users["local_coordinator"])
    assert client.post(url).status_code == 302
    assert world.trainee.register_entries.count() == 1
    client.force_login(world.users["outsider"])
    assert client.post(url).status_code == 404


def _many(world, agreement, n):
    for i in range(n):
        t = f.TraineeFactory(last_name=f"Kø{i}")
        f.EmploymentFactory(trainee=t, institution=world.unn, specialty=world.specialty)
        r = services.request_create(
            actor=world.users["admin"],
            trainee=t,
            receiving=world.nlsh,
            specialty=world.specialty,
            desired_start=dt.date(2027, 2, 1),
            wish=True,
        )
        services.request_forward(actor=world.users["admin"], request=r)


@pytest.mark.parametrize("name", LISTS + ["rotations:vacancies"])
def test_constant_queries_on_lists(client, world, nlsh, agreement, name):
    user = world.users["regional_coordinator"] if name != "rotations:vacancies" else nlsh.leader
    client.force_login(user)
    _many(world, agreement, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    _many(world, agreement, 6)
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse(name)).status_code == 200
    assert len(more) == len(few), name


def test_constant_queries_on_candidates(client, world, nlsh, agreement):
    vacancy = services.vacancy_open(
        actor=nlsh.leader,
        arena=nlsh.arena,
        start_from=dt.date(2027, 1, 1),
        start_to=dt.date(2027, 6, 30),
        duration_months=6,
    )
    client.force_login(nlsh.leader)
    url = reverse("rotations:vacancy", args=[vacancy.pk])
    _many(world, agreement, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many(world, agreement, 6)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_constant_queries_on_queues_over_groups(client, world, nlsh, agreement):
    from lisplan.catalogue.models import Specialty

    admin = world.users["admin"]
    client.force_login(world.users["regional_coordinator"])

    def group(receiving_code):
        receiving = f.InstitutionFactory(code=receiving_code, region=world.unn.region)
        t = f.TraineeFactory()
        f.EmploymentFactory(
            trainee=t, institution=world.unn, specialty=Specialty.objects.get(code="MED")
        )
        r = services.request_create(
            actor=admin,
            trainee=t,
            receiving=receiving,
            specialty=Specialty.objects.get(code="MED"),
            desired_start=dt.date(2027, 2, 1),
            duration_months=3,
            wish=True,
        )
        services.request_forward(actor=admin, request=r)

    group("G1")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rotations:queues"))
    group("G2")
    group("G3")
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("rotations:queues"))
    assert len(more) == len(few)


def test_queue_filters_read_once_match_the_filters_in_the_database(
    client, world, nlsh, agreement, forwarded
):
    """The queue page reads the visible queued requests once and filters them in Python: the
    same rows as the filters in SQL (institution receiving or sending, specialty, agreement),
    and the agreement choices are the agreements of visible queued requests."""
    from django.db.models import Q

    from lisplan.accounts.access import scope_filter
    from lisplan.rotations import queries
    from lisplan.rotations.models import QUEUE_STATUSES

    trainee = f.TraineeFactory()
    f.EmploymentFactory(trainee=trainee, institution=world.nlsh, specialty=world.specialty)
    other = services.request_create(
        actor=world.users["admin"],
        trainee=trainee,
        receiving=world.unn,
        specialty=world.specialty,
        desired_start=dt.date(2027, 3, 1),
        duration_months=3,
        wish=True,
    )
    services.request_forward(actor=world.users["admin"], request=other)
    for persona in ("regional_coordinator", "local_coordinator", "leader", "admin"):
        user = world.users[persona]
        visible = queries.VisibleQueued(user)
        base = scope_filter(
            user,
            "register.view",
            RotationRequest.objects.filter(status__in=QUEUE_STATUSES, forwarded_on__isnull=False),
        )
        assert visible.agreement_ids() == set(
            base.exclude(agreement=None).values_list("agreement_id", flat=True)
        )
        for filters, cond in [
            (queries.QueueFilters(), Q()),
            (
                queries.QueueFilters(institution=world.unn.pk),
                Q(receiving=world.unn) | Q(sending=world.unn),
            ),
            (
                queries.QueueFilters(institution=world.nlsh.pk),
                Q(receiving=world.nlsh) | Q(sending=world.nlsh),
            ),
            (queries.QueueFilters(specialty=world.specialty.pk), Q(specialty=world.specialty)),
            (queries.QueueFilters(agreement=agreement.pk), Q(agreement=agreement)),
        ]:
            assert {row[0] for row in visible.matching(filters)} == set(
                base.filter(cond).values_list("pk", flat=True)
            ), (persona, filters)


def test_step_urls_are_norwegian_and_the_page_links_them(client, world, forwarded, nlsh):
    """The steps' paths are Norwegian like the other pages (ASCII), the URL names unchanged;
    the request page links exactly the steps the user may take."""
    from lisplan.rotations.views import ACTION_SLUGS, ACTIONS

    assert set(ACTION_SLUGS) == set(ACTIONS)
    paths = {
        name: reverse(f"rotations:request_{name.replace('-', '_')}", args=[forwarded.pk])
        for name in ACTIONS
    }
    base = reverse("rotations:request", args=[forwarded.pk])
    assert paths["forward"] == f"{base}videresend/" and paths["offer"] == f"{base}tilby/"
    assert paths["answer"] == f"{base}svar/" and paths["cancel"] == f"{base}avbryt/"
    assert paths["agree-start"] == f"{base}avtal-oppstart/"
    for path in paths.values():
        slug = path.removeprefix(base).strip("/")
        assert slug.isascii() and slug == slug.lower() and slug not in ACTIONS, slug
    html = get(client, nlsh.coordinator, base).content.decode()
    assert f'href="{paths["offer"]}"' in html  # the receiving coordinator offers
    assert f'href="{paths["cancel"]}"' not in html  # the sending side cancels
    html = get(client, world.users["local_coordinator"], base).content.decode()
    assert f'href="{paths["cancel"]}"' in html and f'href="{paths["offer"]}"' not in html
    assert client.get(paths["cancel"]).status_code == 200
