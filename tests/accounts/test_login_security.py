"""Sign-in protection (issue 16, A): lockout per account and per address, structured JSON
security log, idle and absolute session timeouts, sessions ended on logout and deactivation,
one-time codes for break-glass accounts."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lisplan.accounts.models import LoginSession
from lisplan.jsonlog import JsonFormatter
from tests import factories as f

LOGIN = "/logg-inn/"


def post_login(client, username, password, code="", addr="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password, "otp_token": code}, REMOTE_ADDR=addr
    )


def make_user(username, password):
    user = f.UserFactory(username=username)
    user.set_password(password)
    user.save()
    return user


def events(caplog) -> list[dict]:
    return [r.fields for r in caplog.records if r.name == "lisplan.security"]


@pytest.mark.django_db
def test_lockout_per_account_refuses_the_right_password_until_it_ends(client, caplog):
    make_user("kari", "riktig-passord")
    caplog.set_level(logging.INFO, logger="lisplan.security")
    for i in range(5):
        response = post_login(client, "kari", f"feil{i}", addr=f"10.0.0.{i + 1}")
        assert response.status_code in (200, 429)
    response = post_login(client, "kari", "riktig-passord", addr="10.9.9.9")
    assert response.status_code == 429
    text = response.content.decode()
    assert "for mange mislykkede innloggingsforsøk" in text
    assert "15 minutter" in text
    assert "_auth_user_id" not in client.session
    names = [e["event"] for e in events(caplog)]
    assert names.count("login.failed") >= 5
    assert "login.locked_out" in names
    # When the lockout has run out, the right password works again.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    response = post_login(client, "kari", "riktig-passord", addr="10.9.9.9")
    assert response.status_code == 302
    assert "login.succeeded" in [e["event"] for e in events(caplog)]


@pytest.mark.django_db
def test_lockout_per_address_covers_other_accounts(client):
    make_user("ola", "riktig-passord")
    for i in range(5):
        post_login(client, f"gjett{i}", "x", addr="192.0.2.7")
    assert post_login(client, "ola", "riktig-passord", addr="192.0.2.7").status_code == 429
    assert post_login(client, "ola", "riktig-passord", addr="192.0.2.8").status_code == 302


@pytest.mark.django_db
def test_security_log_is_json_without_secrets(client, caplog):
    make_user("per", "hemmelig-123")
    caplog.set_level(logging.INFO, logger="lisplan.security")
    post_login(client, "per", "galt-passord-xyz")
    post_login(client, "per", "hemmelig-123")
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.name == "lisplan.security"]
    parsed = [json.loads(line) for line in lines]
    assert [p["event"] for p in parsed][-2:] == ["login.failed", "login.succeeded"]
    assert parsed[-1]["username"] == "per" and parsed[-1]["ip"] == "10.0.0.1"
    assert parsed[-1]["method"] == "password"
    joined = "\n".join(lines)
    assert "galt-passord-xyz" not in joined and "hemmelig-123" not in joined
    assert "sessionid" not in joined


@pytest.mark.django_db
def test_role_changes_and_403_are_logged(client, caplog, world):
    caplog.set_level(logging.INFO, logger="lisplan.security")
    assignment = f.assign(world.users["outsider"], "planner", region=world.unn.region)
    assignment.delete()
    client.force_login(world.users["trainee"])
    assert client.get(reverse("api_tokens")).status_code == 200
    response = client.get("/admin/", follow=False)  # not staff: a redirect, not a 403
    assert response.status_code == 302
    response = client.get(reverse("progress:import"))
    assert response.status_code == 403
    names = [e["event"] for e in events(caplog)]
    assert "role.assigned" in names and "role.revoked" in names
    forbidden = [e for e in events(caplog) if e["event"] == "access.forbidden"]
    assert forbidden and forbidden[-1]["username"] == "trainee"


@pytest.mark.django_db
def test_idle_timeout_ends_the_session(client, world):
    client.force_login(world.users["trainee"])
    assert client.get("/").status_code == 200
    session = client.session
    session["lp_seen_at"] = time.time() - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=session.session_key).exists()
    page = client.get(response["Location"])
    assert "ikke har vært aktiv på 30 minutter" in page.content.decode()


@pytest.mark.django_db
def test_absolute_timeout_ends_an_active_session(client, world):
    client.force_login(world.users["trainee"])
    session = client.session
    session["lp_login_at"] = time.time() - 10 * 3600 - 5
    session["lp_seen_at"] = time.time() - 10
    session.save()
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == LOGIN
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_logout_and_deactivation_delete_server_sessions(client, world):
    make_user("lise", "riktig-passord")
    assert post_login(client, "lise", "riktig-passord").status_code == 302
    key = client.session.session_key
    assert LoginSession.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not LoginSession.objects.filter(session_key=key).exists()

    # Two browsers, then the administrator deactivates the user: both sessions are gone.
    other = client.__class__()
    post_login(client, "lise", "riktig-passord")
    post_login(other, "lise", "riktig-passord", addr="10.0.0.2")
    keys = [client.session.session_key, other.session.session_key]
    assert Session.objects.filter(session_key__in=keys).count() == 2
    user = world.users["trainee"].__class__.objects.get(username="lise")
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_every_dynamic_response_is_no_store(client, world):
    assert client.get(LOGIN)["Cache-Control"] == "private, no-store"
    client.force_login(world.users["trainee"])
    assert client.get("/")["Cache-Control"] == "private, no-store"
    assert client.get("/api/v1/me")["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_break_glass_account_needs_the_one_time_code(client, settings):
    settings.LISPLAN_PASSWORD_LOGIN = "restricted"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code in this test
    user = make_user("nod", "langt-passord-1")
    make_user("vanlig", "langt-passord-2")
    # An ordinary user signs in with HelseID or Entra ID: the right password is refused.
    response = post_login(client, "vanlig", "langt-passord-2")
    assert response.status_code == 200
    assert "logger inn med HelseID eller Entra ID" in response.content.decode()

    device = TOTPDevice.objects.create(user=user, name="nødtilgang", confirmed=True)
    response = post_login(client, "nod", "langt-passord-1")
    assert "Skriv inn engangskoden" in response.content.decode()
    response = post_login(
        client, "nod", "langt-passord-1", code="000000" if totp(device.bin_key) != 0 else "111111"
    )
    assert "Engangskoden er feil" in response.content.decode()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = post_login(client, "nod", "langt-passord-1", code=code)
    assert response.status_code == 302
    assert client.session.get("otp_device_id")


@pytest.mark.django_db
def test_lockout_per_address_behind_a_trusted_proxy(client, settings):
    settings.LISPLAN_TRUSTED_PROXIES = 1
    make_user("siri", "riktig-passord")
    for i in range(5):  # all through the same proxy (REMOTE_ADDR), from one client
        client.post(
            LOGIN,
            {"username": f"gjett{i}", "password": "x"},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    locked = client.post(
        LOGIN,
        {"username": "siri", "password": "riktig-passord"},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert locked.status_code == 429
    other = client.post(
        LOGIN,
        {"username": "siri", "password": "riktig-passord"},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert other.status_code == 302  # another client behind the same proxy is not locked out
