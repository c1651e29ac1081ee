"""The administration pages: who reaches them, search and paging, forms that show the rule
that was broken, and the Django admin left to superusers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lisplan.accounts.models import RoleAssignment, User
from lisplan.catalogue.loader import load_catalogue
from lisplan.catalogue.models import LearningGoal
from tests import factories as f

pytestmark = pytest.mark.django_db


def pages(world) -> list[str]:
    user = world.users["supervisor"]
    role = RoleAssignment.objects.get(user=user)
    return [
        reverse("administration:index"),
        reverse("administration:users"),
        reverse("administration:user_create"),
        reverse("administration:user", args=[user.pk]),
        reverse("administration:user_edit", args=[user.pk]),
        reverse("administration:user_deactivate", args=[user.pk]),
        reverse("administration:role_add", args=[user.pk]),
        reverse("administration:role_end", args=[user.pk, role.pk]),
        reverse("administration:institutions"),
        reverse("administration:institution_create"),
        reverse("administration:institution", args=[world.unn.pk]),
        reverse("administration:institution_edit", args=[world.unn.pk]),
        reverse("administration:arena_create", args=[world.unn.pk]),
        reverse("administration:arena_edit", args=[world.unn.pk, world.department.pk]),
        reverse("administration:specialties"),
        reverse("administration:specialty", args=["ORT"]),
        reverse("administration:specialty_edit", args=["ORT"]),
        reverse("administration:goal_import"),
    ]


def test_the_administrator_reaches_every_page_others_none(client, world):
    urls = pages(world)
    client.force_login(world.users["admin"])  # the `admin` role, not a superuser
    for url in urls:
        assert client.get(url).status_code == 200, url
    for role in ("local_coordinator", "leader", "regional_coordinator", "trainee"):
        client.force_login(world.users[role])
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)


def test_django_admin_is_for_superusers_only(client, world):
    admin = world.users["admin"]
    admin.is_staff = True  # even with the staff flag, the `admin` role does not open it
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert (
        f'href="{reverse("admin:index")}"'
        in client.get(reverse("administration:index")).content.decode()
    )


def test_menu_links_the_administration_for_the_administrator_only(client, world):
    client.force_login(world.users["admin"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("administration:index")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html
    client.force_login(world.users["local_coordinator"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("administration:index")}"' not in html


def test_user_list_searches_and_pages(client, world):
    for n in range(60):
        f.UserFactory(username=f"bulk{n}", first_name="Bulk", last_name=f"Bruker {n:02d}")
    client.force_login(world.users["admin"])
    html = client.get(reverse("administration:users"), {"q": "bulk"}).content.decode()
    assert "60 brukere funnet" in html
    assert 'class="ds-pagination' in html and "side 1 av 2" in html
    html = client.get(reverse("administration:users"), {"q": "bulk", "page": 2}).content.decode()
    assert "Bruker 59" in html and "Bruker 00" not in html
    html = client.get(
        reverse("administration:users"), {"role": "local_coordinator"}
    ).content.decode()
    assert "2 brukere funnet" in html  # local_coordinator and outsider
    html = client.get(
        reverse("administration:users"),
        {"role": "local_coordinator", "institution": world.bergen.pk},
    ).content.decode()
    assert "1 bruker funnet" in html  # the outsider
    html = client.get(reverse("administration:users"), {"institution": world.unn.pk}).content
    assert "4 brukere funnet" in html.decode()  # supervisor, leader (arena), UAO, coordinator
    html = client.get(reverse("administration:users"), {"q": "ingen-slik"}).content.decode()
    assert "Ingen brukere passer til søket" in html


def test_create_edit_give_role_and_end_it(client, world, travel):
    with travel(dt.date(2026, 12, 6)):
        client.force_login(world.users["admin"])  # inside the clock: no idle sign-out
        response = client.post(
            reverse("administration:user_create"),
            {"first_name": "Kari", "last_name": "Nilsen", "email": "kari@unn.no", "hpr_number": ""},
        )
        kari = User.objects.get(username="kari.nilsen")
        assert response["Location"] == reverse("administration:user", args=[kari.pk])
        # the rule, named: a local coordinator needs an institution
        response = client.post(
            reverse("administration:role_add", args=[kari.pk]),
            {
                "role": "local_coordinator",
                "region": world.unn.region.pk,
                "valid_from": "2026-12-06",
            },
        )
        assert response.status_code == 200
        assert "må knyttes til nøyaktig en utdanningsvirksomhet" in response.content.decode()
        response = client.post(
            reverse("administration:role_add", args=[kari.pk]),
            {"role": "local_coordinator", "institution": world.unn.pk, "valid_from": "2026-11-01"},
        )
        assert response.status_code == 302
        html = client.get(reverse("administration:user", args=[kari.pk])).content.decode()
        assert "Universitetssykehuset Nord-Norge HF" in html and "Rolle gitt" in html
        role = kari.role_assignments.get()
        client.post(reverse("administration:role_end", args=[kari.pk, role.pk]), {"last_day": ""})
        html = client.get(reverse("administration:user", args=[kari.pk])).content.decode()
        assert "Ingen gjeldende roller" in html and "er avsluttet" in html
        assert "Avsluttede roller" in html and "Rolle avsluttet" in html
        response = client.post(
            reverse("administration:user_edit", args=[kari.pk]),
            {"first_name": "Kari", "last_name": "Nilsen", "email": "ikke-en-adresse"},
        )
        assert "gyldig e-postadresse" in response.content.decode()


def test_deactivate_asks_first_then_logs_out(client, world):
    target = world.users["supervisor"]
    client.force_login(world.users["admin"])
    url = reverse("administration:user_deactivate", args=[target.pk])
    assert "logges ut overalt" in client.get(url).content.decode()
    assert User.objects.get(pk=target.pk).is_active
    client.post(url)
    assert not User.objects.get(pk=target.pk).is_active
    html = client.get(reverse("administration:user", args=[target.pk])).content.decode()
    assert "Aktiver brukeren igjen" in html


def test_arena_form_offers_only_the_institutions_arenas_and_leaders(client, world):
    other = f.ArenaFactory(institution=world.bergen, name="Bergen-avdeling")
    bergen_leader = f.UserFactory(username="bleder", first_name="Bjørn", last_name="Bergleder")
    f.assign(bergen_leader, "leader", arena=other)
    client.force_login(world.users["admin"])
    html = client.get(reverse("administration:arena_create", args=[world.unn.pk])).content.decode()
    assert "Ortopedisk avdeling" in html and other.name not in html
    assert str(world.users["leader"]) in html and "Bergleder" not in html
    response = client.post(
        reverse("administration:arena_create", args=[world.unn.pk]),
        {
            "name": "Akuttmottak",
            "level": "department",
            "parent": world.department.pk,
            "leader": world.users["leader"].pk,
        },
    )
    assert response.status_code == 302
    arena = world.unn.arenas.get(name="Akuttmottak", parent=world.department)
    assert arena.leader == world.users["leader"]


def test_goal_import_checks_then_imports(client, world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load_catalogue()
    header = "kode;spesialitet;del;tema;tekst;gyldig fra;gyldig til\n"
    client.force_login(world.users["admin"])
    url = reverse("administration:goal_import")
    bad = tmp_path / "feil.csv"
    bad.write_text(header + "ORT-9999;ORT;3;;Tekst.;01.03.2019;\n", encoding="utf-8")
    with bad.open("rb") as fh:
        html = client.post(url, {"file": fh}).content.decode()
    assert "Filen har feil" in html and "ABC-123" in html
    good = tmp_path / "mål.csv"
    good.write_text(header + "ORT-901;ORT;3;;Kunne gipse.;01.03.2019;\n", encoding="utf-8")
    with good.open("rb") as fh:
        html = client.post(url, {"file": fh}).content.decode()
    assert "Filen er kontrollert" in html
    assert not LearningGoal.objects.filter(code="ORT-901").exists()
    token = client.session["goal_import"]["token"]
    response = client.post(reverse("administration:goal_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert LearningGoal.objects.filter(code="ORT-901", demo=False).exists()


def test_leader_role_in_an_arena_from_the_grouped_list(client, world):
    client.force_login(world.users["admin"])
    user = world.users["outsider"]
    url = reverse("administration:role_add", args=[user.pk])
    html = client.get(url).content.decode()
    assert '<optgroup label="Universitetssykehuset Nord-Norge HF">' in html
    response = client.post(
        url, {"role": "leader", "arena": world.section.pk, "valid_from": "2026-01-01"}
    )
    assert response.status_code == 302
    assert user.role_assignments.filter(role="leader", arena=world.section).exists()
