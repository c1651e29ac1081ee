"""The notifications page: own notifications only, unread first, marking read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lisplan.notifications.context_processors import unread
from lisplan.notifications.models import Notification
from lisplan.notifications.services import notify
from tests import factories as f


@pytest.fixture
def notes(world):
    me, other = world.users["trainee"], world.users["leader"]
    old = notify(users=[me], kind="x", title="Eldre, lest", url="/planer/til-signering/")[0]
    Notification.objects.filter(pk=old.pk).update(read_at="2026-01-01T00:00Z")
    notify(
        users=[me],
        kind="x",
        title="Ny og ulest",
        body="Linje 1\nLinje 2",
        url="/planer/til-signering/",
    )
    notify(users=[other], kind="x", title="Lederens varsel")
    return me


def test_list_shows_own_unread_first(client, world, notes):
    client.force_login(notes)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"].object_list]
    assert titles == ["Ny og ulest", "Eldre, lest"]
    assert "1 ulest varsel" in response.content.decode()


def test_mark_one_read_and_follow_its_link(client, world, notes):
    client.force_login(notes)
    unread_note = Notification.objects.get(title="Ny og ulest")
    response = client.post(
        reverse("notifications:read"), {"varsel": unread_note.pk, "neste": unread_note.url}
    )
    assert response.status_code == 302 and response["Location"] == "/planer/til-signering/"
    unread_note.refresh_from_db()
    assert unread_note.read_at is not None


def test_mark_all_read_touches_only_own(client, world, notes):
    client.force_login(notes)
    client.post(reverse("notifications:read"), {"alle": "1", "neste": "https://evil.example/"})
    assert not Notification.objects.filter(user=notes, read_at__isnull=True).exists()
    assert Notification.objects.filter(title="Lederens varsel", read_at__isnull=True).exists()
    # someone else's id is ignored
    other = Notification.objects.get(title="Lederens varsel")
    client.post(reverse("notifications:read"), {"varsel": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_refuses_anonymous_and_get_on_mark_read(client, world, notes):
    assert client.get(reverse("notifications:list")).status_code == 302
    client.force_login(notes)
    assert client.get(reverse("notifications:read")).status_code == 405


def test_refuses_inactive_user(client, db):
    user = f.UserFactory(username="gone", is_active=False)
    client.force_login(user)
    assert client.get(reverse("notifications:list")).status_code in (302, 403)


def test_unread_count_for_the_header(rf, world, notes):
    request = rf.get("/")
    request.user = notes
    assert unread(request) == {"unread_notifications": 1}
