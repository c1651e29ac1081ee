"""`/trainees`: each persona sees exactly its scope, in pages, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.accounts.test_access import EXPECTED, KEYS

LIST = "/api/v1/trainees"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_list_is_scoped_like_the_policy(world, api_as, persona):
    response = api_as(persona).get(LIST)
    expected = {getattr(world, key).pk for key in EXPECTED[persona]}
    assert ids(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("key", KEYS)
def test_detail_is_404_outside_scope(world, api_as, persona, key):
    trainee = getattr(world, key)
    response = api_as(persona).get(f"{LIST}/{trainee.pk}")
    if key in EXPECTED[persona]:
        assert response.status_code == 200
        assert response.json()["id"] == trainee.pk
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": response.json()["detail"], "errors": []}


def test_trainee_sees_only_themself(world, api_as):
    body = api_as("trainee").get(LIST).json()
    assert [row["id"] for row in body["results"]] == [world.trainee.pk]


def test_missing_trainee_is_404(world, api_as):
    assert api_as("admin").get(f"{LIST}/999999").status_code == 404
    assert api_as("admin").get(f"{LIST}/{2**63 - 1}").status_code == 404


def test_list_fields(world, api_as):
    world.trainee.hpr_number = "001234567"
    world.trainee.save()
    row = next(
        r for r in api_as("leader").get(LIST).json()["results"] if r["id"] == world.trainee.pk
    )
    assert row["hpr_number"] == "001234567"  # text: leading zeros kept
    assert row["name"] == "Tora Trainee"
    [employment] = row["employments"]
    assert employment["institution"] == world.unn.pk
    assert employment["institution_name"] == world.unn.name
    assert employment["specialty"] == "ORT"
    assert employment["arena"] == world.section.pk
    assert employment["permanent"] is True
    assert employment["position_percent"] == 100
    assert employment["start"] == "2024-01-01"
    assert employment["end"] is None


def test_detail_fields(world, api_as):
    f.LeaveFactory(trainee=world.trainee, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    f.EmploymentFactory(
        trainee=world.trainee,
        institution=world.nlsh,
        specialty=world.specialty,
        permanent=False,
        position_percent=80,
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
    )
    body = api_as("local_coordinator").get(f"{LIST}/{world.trainee.pk}").json()
    assert [e["start"] for e in body["employments"]] == ["2024-01-01", "2022-01-01"]
    old = body["employments"][1]
    assert (old["permanent"], old["position_percent"], old["end"]) == (False, 80, "2022-12-31")
    assert old["institution"] == world.nlsh.pk
    assert body["leave_periods"] == [
        {
            "id": body["leave_periods"][0]["id"],
            "kind": "parental",
            "kind_label": "Foreldrepermisjon",
            "start": "2025-01-01",
            "end": "2025-06-30",
            "percent": 100,
        }
    ]
    [supervisor] = body["supervisors"]
    assert supervisor["user"] == world.users["supervisor"].pk
    assert supervisor["kind"] == "main"


def test_filters(world, api_as):
    client = api_as("regional_coordinator")
    assert ids(client.get(LIST, institution=world.nlsh.pk)) == {world.same_region.pk}
    assert ids(client.get(LIST, q="Kollega")) == {world.colleague.pk}
    assert ids(client.get(LIST, specialty="ort")) == {
        world.trainee.pk,
        world.colleague.pk,
        world.same_institution.pk,
        world.same_region.pk,
    }
    assert ids(client.get(LIST, permanent="false")) == set()
    # a filter never widens the scope
    assert ids(api_as("leader").get(LIST, institution=world.bergen.pk)) == set()


def test_pagination(world, api_as):
    client = api_as("admin")
    first = client.get(LIST, page=1, page_size=2).json()
    second = client.get(LIST, page=2, page_size=2).json()
    third = client.get(LIST, page=3, page_size=2).json()
    assert first["count"] == second["count"] == third["count"] == 5
    assert [len(p["results"]) for p in (first, second, third)] == [2, 2, 1]
    seen = [r["id"] for p in (first, second, third) for r in p["results"]]
    assert len(set(seen)) == 5
    past_end = client.get(LIST, page=99, page_size=2).json()
    assert past_end == {"count": 5, "results": []}


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, page_size=200)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queries_per_page_do_not_grow_with_rows(world, api_as):
    client = api_as("local_coordinator")

    def add(n: int) -> None:
        for _ in range(n):
            t = f.TraineeFactory()
            f.EmploymentFactory(
                trainee=t, institution=world.unn, arena=world.section, specialty=world.specialty
            )
            f.EmploymentFactory(
                trainee=t,
                institution=world.unn,
                specialty=world.specialty,
                start=dt.date(2025, 1, 1),
            )

    add(2)
    few = _queries_for_list(client)
    add(25)
    many = _queries_for_list(client)
    assert client.get(LIST).json()["count"] == 30
    assert few == many


def test_detail_queries_are_constant(world, api_as):
    client = api_as("admin")
    path = f"{LIST}/{world.trainee.pk}"
    client.get(path)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    before = len(ctx.captured_queries)
    for month in range(1, 8):
        f.LeaveFactory(
            trainee=world.trainee, start=dt.date(2023, month, 1), end=dt.date(2023, month, 10)
        )
        f.SupervisionFactory(trainee=world.trainee)
        f.EmploymentFactory(
            trainee=world.trainee,
            institution=world.unn,
            specialty=world.specialty,
            start=dt.date(2020, month, 1),
            end=dt.date(2020, month, 20),
        )
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    assert len(ctx.captured_queries) == before
