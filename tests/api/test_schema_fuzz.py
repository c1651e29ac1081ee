"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis).

The schema is loaded from `/api/v1/openapi.json` through the Django WSGI app in-process (no
server). Every operation is called with generated input — valid (positive) and invalid
(negative) — as the administrator, who holds every permission everywhere, and each response is
checked:

* no 5xx;
* the status code is one the operation documents;
* the content type and the body conform to the documented schema for that status;
* every 4xx body has the API's one error shape (`{"detail": str, "errors": [{field, code,
  message}]}`, docs api.md «Errors»).

Deterministic and bounded: Hypothesis is derandomized (the same examples every run) and each
operation gets `MAX_EXAMPLES` examples, no shrinking, no example database. No operation is
excluded. Random ids mostly give 404s; the `world` fixture's objects make some of them hit.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lisplan.accounts.models import ApiToken

pytestmark = [pytest.mark.fuzz]

MAX_EXAMPLES = 12

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_db_connection():
    """Schemathesis calls the WSGI handler directly, which closes the database connection when a
    request finishes — the test's transaction with it (on PostgreSQL). Django's test client
    disconnects the same handler for the same reason."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def admin_token(world, keep_db_connection) -> str:
    _, raw = ApiToken.issue(world.users["admin"], name="fuzz")
    return raw


def assert_error_shape(response) -> None:
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert isinstance(body.get("errors"), list), body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}, item
        assert all(isinstance(item[key], str) for key in item), item
        assert item["message"], item


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_operation_conforms_to_its_schema(case, admin_token):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS
    )
    if 400 <= response.status_code < 500:
        assert_error_shape(response)
