"""The start page, login, error pages and navigation, per persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

PERSONAS = [
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
    "outsider",
]


def test_login_page_renders_for_anonymous(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nb"' in html
    assert 'class="ds-skip-link"' in html
    assert '<label class="ds-label" data-weight="medium" for="id_username">Brukernavn' in html


def test_login_with_wrong_password_names_the_problem(client, world):
    response = client.post(reverse("login"), {"username": "leader", "password": "feil"})
    assert response.status_code == 200
    assert "Feil brukernavn eller passord" in response.content.decode()
    assert 'value="leader"' in response.content.decode()  # what the user typed is kept


def test_login_with_empty_fields_says_which_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert "Skriv inn brukernavnet ditt." in html
    assert 'aria-describedby="id_username_error"' in html


def test_login_signs_in_and_goes_to_start_page(client, world):
    response = client.post(reverse("login"), {"username": "leader", "password": "pw"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_demo_hint_only_when_debug(client, db, settings):
    settings.DEBUG = False
    assert "Demobrukere" not in client.get(reverse("login")).content.decode()
    settings.DEBUG = True
    assert "Demobrukere" in client.get(reverse("login")).content.decode()


def test_start_page_needs_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


EXPECTED_SECTIONS = {
    "trainee": [
        "Min oversikt",
        "Min gjennomføringsplan",
        "Min progresjon",
        "Mine spesialiseringsperioder",
        "Min veiledning",
        "Utdanningsplan (IUP)",
    ],
    "supervisor": ["Mine veiledningsleger", "Tora Trainee"],
    "leader": [
        "Leger i min læringsarena – Ortopedisk avdeling",
        "Gjennomføringsplaner til signering",
        "Ingenting venter i:",
    ],
    "education_lead": ["Leger i Ortopedisk kirurgi ved Universitetssykehuset Nord-Norge HF"],
    "local_coordinator": [
        "Leger ved Universitetssykehuset Nord-Norge HF",
        "fast ansatt",
        "vikariat",
    ],
    "regional_coordinator": ["Leger ved Helse Nord RHF", "Nordlandssykehuset HF"],
    "planner": ["Leger ved Helse Nord RHF", "Nordlandssykehuset HF"],
    "admin": ["Administrasjon", "Alle leger i spesialisering"],
    "outsider": ["Leger ved Helse Bergen HF"],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_start_page_shows_a_section_per_role(client, world, persona):
    client.force_login(world.users[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="ds-heading" data-size="lg">Mine oppgaver</h1>' in html
    for text in EXPECTED_SECTIONS[persona]:
        assert text in html, text


def test_start_page_counts_are_scoped(client, world):
    client.force_login(world.users["local_coordinator"])
    sections = {s.role: s for s in client.get(reverse("home")).context["sections"]}
    assert sections["local_coordinator"].data["counts"] == {"total": 3, "fixed": 3, "temporary": 0}
    client.force_login(world.users["regional_coordinator"])
    region = client.get(reverse("home")).context["sections"][0].data["institutions"]
    assert {r["institution__name"]: r["total"] for r in region} == {
        "Nordlandssykehuset HF": 1,
        "Universitetssykehuset Nord-Norge HF": 3,
    }


def test_start_page_without_roles_explains(client, db):
    client.force_login(UserFactory(username="nobody"))
    html = client.get(reverse("home")).content.decode()
    assert "Du har ingen roller ennå" in html
    assert "Leger i spesialisering</a>" not in html  # no navigation to what they cannot see


def test_navigation_shows_what_the_user_may_open(client, world):
    world.users["admin"].is_staff = True
    world.users["admin"].save()
    client.force_login(world.users["admin"])
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("home")}" aria-current="page">Mine oppgaver</a>' in html
    assert f'href="{reverse("trainees:list")}"' in html
    assert f'href="{reverse("api_tokens")}"' in html
    # the administration inside lisplan; the Django admin is for superusers (issue 17)
    assert f'href="{reverse("administration:index")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html
    client.force_login(world.users["leader"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("administration:index")}"' not in html


def test_language_switch_and_logout_are_post_forms(client, world):
    client.force_login(world.users["leader"])
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert f'<form method="post" action="{reverse("logout")}">' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_404_and_403_use_the_layout(client, world):
    client.force_login(UserFactory(username="nobody"))
    forbidden = client.get(reverse("trainees:list"))
    assert forbidden.status_code == 403
    assert "Ingen tilgang" in forbidden.content.decode()
    assert "lisplan" in forbidden.content.decode()
    missing = client.get("/finnes-ikke/")
    assert missing.status_code == 404
    assert "Fant ikke siden" in missing.content.decode()


def test_every_ui_view_declares_its_access_rule():
    from django.urls import get_resolver

    from lisplan.accounts import urls as account_urls
    from lisplan.trainees import urls as trainee_urls

    patterns = account_urls.urlpatterns + trainee_urls.urlpatterns
    assert patterns
    for pattern in patterns:
        assert getattr(pattern.callback, "access_rule", None), pattern.name
    assert get_resolver().resolve("/").func.access_rule == "authenticated"
