"""Who may call the API: bearer tokens and the browser session; 401 otherwise."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from lisplan.accounts.models import ApiToken
from lisplan.api import errors
from lisplan.api.access import rule
from lisplan.api.auth import AUTH
from tests.api.conftest import ApiClient

ME = "/api/v1/me"


def assert_error(response, status: int):
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me",
        "/api/v1/specialties",
        "/api/v1/trainees",
        "/api/v1/trainees/1",
        "/api/v1/institutions",
    ],
)
def test_no_credentials_is_401(db, path):
    response = Client().get(path)
    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ", "Token abc", "Bearer " + "x" * 500]
)
def test_bad_token_is_401(world, header):
    response = Client().get(ME, headers={"Authorization": header})
    assert_error(response, 401)


def test_bearer_token_identifies_the_user(world):
    token, raw = ApiToken.issue(world.users["leader"])
    response = Client().get(ME, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["username"] == "leader"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_of_inactive_user_is_401(world):
    user = world.users["leader"]
    _, raw = ApiToken.issue(user)
    user.is_active = False
    user.save()
    assert_error(ApiClient(token=raw).get(ME), 401)


def test_session_works(world):
    client = Client()
    client.force_login(world.users["planner"])
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "planner"


# A throwaway API with one unsafe operation, configured like the real one, to check CSRF.
_csrf_api = NinjaAPI(urls_namespace="csrf-test", auth=AUTH)
errors.install(_csrf_api)


@_csrf_api.post("/echo")
@rule(None)
def echo(request):
    return {"user": request.auth.username}


urlpatterns = [path("api/", _csrf_api.urls)]


@pytest.mark.urls("tests.api.test_auth")
def test_session_needs_csrf_for_unsafe_methods_and_bearer_does_not(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["planner"])
    response = client.post("/api/echo", {}, content_type="application/json")
    body = assert_error(response, 403)
    assert "CSRF" in body["detail"]

    secret = "k" * 32  # a CSRF cookie and the same secret in the header, as a page would send
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/echo", {}, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 200, response.content

    _, raw = ApiToken.issue(world.users["leader"])
    response = Client(enforce_csrf_checks=True).post(
        "/api/echo", {}, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    assert response.json() == {"user": "leader"}


def test_user_without_roles_gets_403_for_trainees(world):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    response = ApiClient(nobody).get("/api/v1/trainees")
    assert_error(response, 403)
    # reference data is for every signed-in user
    assert ApiClient(nobody).get("/api/v1/specialties").status_code == 200
