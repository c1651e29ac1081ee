"""Breadcrumbs on every page below the start page (issue 17, item 8): one component
(`{% breadcrumbs %}`, includes/breadcrumbs.html), shown by base.html from the menu by itself,
a page's own trail where it overrides `{% block breadcrumbs %}` — and never two on a page."""

from __future__ import annotations

import re

from django.urls import reverse


def _crumbs(html: str) -> list[str]:
    navs = re.findall(r'<nav aria-label="Brødsmulesti".*?</nav>', html, flags=re.S)
    assert len(navs) <= 1, f"{len(navs)} breadcrumb trails on one page"
    if not navs:
        return []
    items = re.findall(r"<li>(.*?)</li>", navs[0], flags=re.S)
    return [re.sub(r"<[^>]+>", "", i).strip() for i in items]


def _get(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_no_breadcrumbs_on_the_start_page(client, world):
    assert _crumbs(_get(client, world.users["local_coordinator"], reverse("home"))) == []


def test_a_section_page_and_a_page_below_it(client, world):
    user = world.users["local_coordinator"]
    assert _crumbs(_get(client, user, reverse("trainees:list"))) == [
        "Mine oppgaver",
        "Leger i spesialisering",
    ]
    html = _get(client, user, reverse("trainees:detail", args=[world.trainee.pk]))
    assert _crumbs(html) == ["Mine oppgaver", "Leger i spesialisering", "Tora Trainee"]
    assert 'aria-current="page"' in html.split('aria-label="Brødsmulesti"')[1].split("</nav>")[0]


def test_a_page_with_its_own_trail(client, world):
    html = _get(
        client,
        world.users["trainee"],
        reverse("progress:trainee", args=[world.trainee.pk]),
    )
    assert _crumbs(html) == ["Mine oppgaver", "Tora Trainee", "Progresjon"]


def test_the_back_link_on_a_phone_names_the_step_before(client, world):
    html = _get(client, world.users["admin"], reverse("notifications:email_preview"))
    assert _crumbs(html) == ["Mine oppgaver", "Varsler", "E-postvarsler"]
    assert 'aria-label="Tilbake til Varsler"' in html


def test_every_page_a_role_reaches_has_at_most_one_trail(client, world):
    """Pages that still write their own trail by hand get no second one from base.html."""
    user = world.users["admin"]
    client.force_login(user)
    for url in ["/administrasjon/", reverse("rotations:agreements"), reverse("progress:overview")]:
        response = client.get(url)
        if response.status_code == 200:
            assert len(_crumbs(response.content.decode())) >= 2, (
                url
            )  # one trail, at least two steps
