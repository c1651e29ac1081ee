"""Clients for the API: by bearer token (the default) or by browser session."""

from __future__ import annotations

import pytest
from django.test import Client

from lisplan.accounts.models import ApiToken


class ApiClient:
    """A test client that sends `Authorization: Bearer <token>` for one user."""

    def __init__(self, user=None, token: str | None = None):
        self.client = Client()
        self.headers = {}
        if user is not None and token is None:
            _, token = ApiToken.issue(user, name="test")
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)


@pytest.fixture
def api_as(world):
    """`api_as("leader").get("/api/v1/trainees")`"""

    def make(persona: str) -> ApiClient:
        return ApiClient(world.users[persona])

    return make
