"""Bad input is a 400 in the one error format, never a 422 or 500."""

from __future__ import annotations

import pytest
from django.test import Client

from lisplan.accounts.models import ApiToken
from lisplan.api.errors import field_path

LIST = "/api/v1/trainees"


def only_error(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    [error] = body["errors"]
    assert set(error) == {"field", "code", "message"}
    return error


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"page_size": "0"}, "page_size", "min_value"),
        ({"page_size": "201"}, "page_size", "max_value"),
        ({"page_size": "ti"}, "page_size", "invalid"),
        ({"page": "-1"}, "page", "min_value"),
        ({"page": "1.5"}, "page", "invalid"),
        ({"page": "9" * 30}, "page", "max_value"),
        ({"institution": "UNN"}, "institution", "invalid"),
        ({"permanent": "kanskje"}, "permanent", "invalid"),
        ({"q": "a\x00b"}, "q", "invalid"),
        ({"q": "x" * 201}, "q", "max_length"),
    ],
)
def test_bad_list_parameters(world, api_as, params, field, code):
    error = only_error(api_as("admin").get(LIST, **params))
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]


def test_messages_are_norwegian(world, api_as):
    error = only_error(api_as("admin").get(LIST, page_size="500"))
    assert error["message"] == "Verdien kan ikke være større enn 200."


@pytest.mark.parametrize("bad", ["abc", "0", "-3", "1.5", "9" * 40])
def test_bad_trainee_id(world, api_as, bad):
    error = only_error(api_as("admin").get(f"{LIST}/{bad}"))
    assert error["field"] == "id"


def test_bad_dates(world, api_as):
    error = only_error(api_as("admin").get("/api/v1/learning-goals", valid_on="2024-13-01"))
    assert (error["field"], error["code"]) == ("valid_on", "invalid")
    error = only_error(api_as("admin").get("/api/v1/learning-goals", valid_on="01.02.2024"))
    assert error["field"] == "valid_on"


def test_nul_in_codes(world, api_as):
    error = only_error(api_as("admin").get("/api/v1/learning-goals", specialty="O\x00T"))
    assert error["field"] == "specialty"


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("query", "page_size"), "page_size"),
        (("path", "id"), "id"),
        (("body", "payload", "periods", 1, "end"), "periods[1].end"),
        (("body", "payload", "remarks"), "remarks"),
        (("body", "payload"), "payload"),
        (("body",), "body"),
    ],
)
def test_field_path(loc, expected):
    assert field_path(loc) == expected


def test_unknown_path_is_json_404(db):
    from django.test import Client

    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ukjent adresse i API-et.", "errors": []}


def test_a_method_the_path_does_not_have_is_a_json_405(world):
    """ninja's own 405 is plain text; ours keeps the error format and the Allow header."""
    _, token = ApiToken.issue(world.users["admin"], name="test")
    response = Client().delete("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "detail": "Metoden er ikke tillatt for denne adressen.",
        "errors": [],
    }
