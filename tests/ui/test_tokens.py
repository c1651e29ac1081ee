"""API keys: list, create (shown once), revoke — only one's own."""

from __future__ import annotations

from django.urls import reverse

from lisplan.accounts.models import ApiToken
from tests.factories import UserFactory

TOKENS = reverse("api_tokens")


def test_tokens_page_needs_sign_in(client, db):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_signed_in_user_may_manage_own_tokens(client, world):
    client.force_login(UserFactory(username="nobody"))  # token.manage needs no role
    assert client.get(TOKENS).status_code == 200


def test_create_shows_the_raw_token_once(client, world):
    user = world.users["leader"]
    client.force_login(user)
    response = client.post(TOKENS, {"name": "Personalportalen"}, follow=True)
    html = response.content.decode()
    token = ApiToken.objects.get(user=user)
    raw = response.context["new_token"]
    assert raw.startswith(token.prefix) and raw in html
    assert ApiToken.authenticate(raw) == user
    assert "Personalportalen" in html and f"{token.prefix}…" in html
    assert raw not in client.get(TOKENS).content.decode()  # never again


def test_list_shows_only_own_tokens(client, world):
    ApiToken.issue(world.users["admin"], "admins nøkkel")
    client.force_login(world.users["leader"])
    html = client.get(TOKENS).content.decode()
    assert "admins nøkkel" not in html
    assert "Du har ingen API-nøkler." in html


def test_revoke_own_token(client, world):
    token, _raw = ApiToken.issue(world.users["leader"], "gammel")
    client.force_login(world.users["leader"])
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert "er slettet" in response.content.decode()


def test_cannot_revoke_someone_elses_token(client, world):
    token, _raw = ApiToken.issue(world.users["admin"], "admins nøkkel")
    client.force_login(world.users["leader"])
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoke_only_by_post_and_only_signed_in(client, world):
    token, _raw = ApiToken.issue(world.users["leader"])
    url = reverse("api_token_revoke", args=[token.pk])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(world.users["leader"])
    assert client.get(url).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_issue_and_revoke_are_audited_without_the_key(client, world):
    from lisplan.audit.models import AuditEvent

    user = world.users["leader"]
    client.force_login(user)
    client.post(TOKENS, {"name": "Personalportalen"})
    token = ApiToken.objects.get(user=user)
    client.post(reverse("api_token_revoke", args=[token.pk]))
    events = AuditEvent.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    assert [e.action for e in events.order_by("pk")] == ["api_token.issued", "api_token.revoked"]
    assert all(e.actor == user for e in events)
    issued = events.get(action="api_token.issued")
    assert issued.changes["prefix"] == [None, token.prefix]
    assert token.token_hash not in str(issued.changes)
