"""The header menu on one line (the «Mer» menu for what does not fit) and the one «Til
signering» page for both document kinds."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lisplan.accounts.context_processors import NAV_BUDGET, NavItem, split_menu
from lisplan.iup import services as iup_services
from lisplan.plans import services as plan_services
from lisplan.plans.services import PeriodData
from tests.iup.outputs import hospital_revision


def _items(*labels, current=""):
    return [NavItem(label, f"/{i}/", label == current) for i, label in enumerate(labels)]


def _cost(items):
    return sum(len(i.label) + 3 for i in items)


def test_split_menu_keeps_everything_when_it_fits():
    items = _items("Mine oppgaver", "Leger")
    assert split_menu(items) == (items, [])


def test_split_menu_moves_the_rest_to_more_in_order_and_stays_in_budget():
    items = _items(
        "Mine oppgaver",
        "Leger",
        "Progresjon",
        "Til signering",
        "Utdanningsplaner",
        "Spesialiseringsperioder",
        "Fordeling",
        "Fagavtaler",
        "Ledige stillinger",
    )
    shown, more = split_menu(items)
    assert [i.label for i in shown][:4] == ["Mine oppgaver", "Leger", "Progresjon", "Til signering"]
    assert _cost(shown) + len("Mer") + 3 <= NAV_BUDGET
    assert more and [i for i in items if i not in shown] == more  # nothing lost, order kept
    assert "Spesialiseringsperioder" in [i.label for i in more]


def test_split_menu_is_the_same_on_every_page():
    labels = (
        "Mine oppgaver",
        "Leger",
        "Progresjon",
        "Til signering",
        "Utdanningsplaner",
        "Spesialiseringsperioder",
        "Fordeling",
        "Fagavtaler",
        "Ledige stillinger",
    )
    splits = {tuple(i.label for i in split_menu(_items(*labels, current=c))[0]) for c in labels}
    assert len(splits) == 1  # the current page is marked, never moved


def test_menu_per_role_starts_with_its_weekly_work_and_hides_lists_of_only_oneself(client, world):
    shown, more = _menu(client, world, "trainee")
    assert shown[:2] == ["Mine oppgaver", "Min plan"]
    assert {"Min progresjon", "Mine ønsker", "Min IUP"} <= set(shown + more)
    assert not {"Leger", "Progresjon", "Spesialiseringsperioder"} & set(shown + more)
    assert _menu(client, world, "local_coordinator")[0][:2] == [
        "Mine oppgaver",
        "Gjennomføringsplaner",
    ]
    assert _menu(client, world, "planner")[0][:2] == ["Mine oppgaver", "Fordeling"]
    assert _menu(client, world, "supervisor")[0][:2] == ["Mine oppgaver", "Til signering"]


def test_trainee_menu_marks_her_own_page(client, world):
    client.force_login(world.users["trainee"])
    url = reverse("rotations:own")
    items = client.get(url).context["nav_items"] + client.get(url).context["nav_more"]
    assert [str(i.label) for i in items if i.current] == ["Mine ønsker"]


def _menu(client, world, persona):
    client.force_login(world.users[persona])
    context = client.get(reverse("home")).context
    return (
        [str(i.label) for i in context["nav_items"]],
        [str(i.label) for i in context["nav_more"]],
    )


def test_one_to_sign_entry_and_no_template_entry_for_every_role(client, world):
    for persona in world.users:
        shown, more = _menu(client, world, persona)
        labels = shown + more
        assert "IUP til signering" not in labels and "Maler for tabell 3" not in labels
        assert labels.count("Til signering") <= 1
        assert _cost(NavItem(x, "", False) for x in shown) <= NAV_BUDGET
    assert "Til signering" in sum(_menu(client, world, "supervisor"), [])  # IUP only
    assert "Til signering" not in sum(_menu(client, world, "planner"), [])


def test_trainees_entry_is_short_but_keeps_its_full_accessible_name(client, world):
    client.force_login(world.users["leader"])
    html = client.get(reverse("home")).content.decode()
    assert (
        f'<a href="{reverse("trainees:list")}" aria-label="Leger i spesialisering" '
        'title="Leger i spesialisering">Leger</a>'
    ) in html


def test_more_menu_is_rendered_and_marks_the_current_page_inside_it(client, world):
    client.force_login(world.users["local_coordinator"])
    response = client.get(reverse("rotations:vacancies"))
    assert "Ledige stillinger" in [str(i.label) for i in response.context["nav_more"]]
    assert response.context["nav_more_current"]
    html = response.content.decode()
    assert "<summary>Mer</summary>" in html


def test_iup_work_list_links_to_templates_for_the_education_lead(client, world):
    client.force_login(world.users["education_lead"])
    assert reverse("iup:templates") in client.get(reverse("iup:work_list")).content.decode()
    client.force_login(world.users["local_coordinator"])
    assert reverse("iup:templates") not in client.get(reverse("iup:work_list")).content.decode()


def _waiting_plan(world):
    revision = plan_services.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        estimated_start=dt.date(2024, 1, 1),
        estimated_end=dt.date(2029, 6, 30),
        plan_date=dt.date(2025, 11, 1),
        periods=[
            PeriodData(
                specialty=world.specialty,
                institution=world.nlsh,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 6, 30),
            )
        ],
    )
    return plan_services.revision_submit(actor=world.users["trainee"], revision=revision)


def test_to_sign_lists_both_kinds_with_counts(client, world):
    _waiting_plan(world)
    iup = hospital_revision(world)
    iup_services.revision_sign(actor=world.users["trainee"], revision=iup)
    client.force_login(world.users["leader"])
    response = client.get(reverse("plans:to_sign"))
    assert response.context["page"].paginator.count == 1
    assert [r.pk for r in response.context["iup_page"].object_list] == [iup.pk]
    html = response.content.decode()
    assert 'href="#gjennomforingsplaner"' in html and 'href="#utdanningsplaner"' in html
    assert reverse("iup:revision", args=[iup.pk]) in html
    # the supervisor signs IUPs only: one section, no plan list, no 403
    client.force_login(world.users["supervisor"])
    response = client.get(reverse("plans:to_sign"))
    assert response.status_code == 200 and response.context["may_plans"] is False
    assert [r.pk for r in response.context["iup_page"].object_list] == [iup.pk]
    assert "Gjennomføringsplaner" not in response.content.decode().split("<main")[1]


def test_old_iup_to_sign_address_redirects_keeping_the_page(client, world):
    client.force_login(world.users["supervisor"])
    response = client.get(reverse("iup:to_sign"), {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:to_sign") + "?iup_page=2#utdanningsplaner"
    client.force_login(world.users["planner"])
    assert client.get(reverse("plans:to_sign")).status_code == 403
    assert client.get(reverse("iup:to_sign")).status_code == 403
