"""`/me`, specialties, learning goals, institutions and arenas."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.catalogue.models import LearningGoal, Specialty
from tests import factories as f


def test_me(world, api_as):
    user = world.users["education_lead"]
    user.first_name, user.last_name = "Ulla", "Uao"
    user.save()
    body = api_as("education_lead").get("/api/v1/me").json()
    assert body["username"] == "education_lead"
    assert body["name"] == "Ulla Uao"
    assert body["roles"] == [
        {
            "role": "education_lead",
            "role_label": "Utdanningsansvarlig overlege (UAO)",
            "scope_type": "institution",
            "scope_id": world.unn.pk,
            "scope_name": world.unn.name,
            "specialty": "ORT",
            "valid_from": "2020-01-01",
            "valid_to": None,
        }
    ]
    assert "trainee.view" in body["permissions"]
    assert "trainee.change" not in body["permissions"]


def test_me_for_each_persona(world, api_as):
    for persona in world.users:
        body = api_as(persona).get("/api/v1/me").json()
        assert body["username"] == persona
        assert len(body["roles"]) == 1
    leader = api_as("leader").get("/api/v1/me").json()["roles"][0]
    assert (leader["scope_type"], leader["scope_id"]) == ("arena", world.department.pk)
    trainee = api_as("trainee").get("/api/v1/me").json()["roles"][0]
    assert (trainee["scope_type"], trainee["scope_id"], trainee["scope_name"]) == (None, None, None)


def test_specialties(world, api_as):
    Specialty.objects.filter(code="MED").update(part2_group="FIM")
    body = api_as("trainee").get("/api/v1/specialties").json()
    assert body["count"] == 2
    by_code = {row["code"]: row for row in body["results"]}
    assert by_code["MED"]["part2_group"] == "FIM"
    assert by_code["ORT"]["part2_group"] is None
    assert by_code["ORT"]["name"] == "Ortopedisk kirurgi"


@pytest.fixture
def goals(world):
    med = Specialty.objects.get(code="MED")

    def goal(code, specialty, common=False, valid_from=dt.date(2019, 3, 1), valid_to=None):
        return LearningGoal.objects.create(
            code=code,
            specialty=specialty,
            common=common,
            part=LearningGoal.Part.COMMON if common else LearningGoal.Part.PART3,
            text=f"Tekst for {code}",
            valid_from=valid_from,
            valid_to=valid_to,
        )

    return {
        "ort": goal("ORT-001", world.specialty),
        "ort_old": goal("ORT-002", world.specialty, valid_to=dt.date(2023, 12, 31)),
        "med": goal("MED-001", med),
        "fkm": goal("FKM-001", None, common=True),
    }


def test_learning_goals(goals, api_as):
    client = api_as("outsider")
    body = client.get("/api/v1/learning-goals", specialty="ORT").json()
    assert [r["code"] for r in body["results"]] == ["ORT-001", "ORT-002"]
    assert body["results"][0] == {
        "id": goals["ort"].pk,
        "code": "ORT-001",
        "specialty": "ORT",
        "common": False,
        "part": "part3",
        "text": "Tekst for ORT-001",
        "valid_from": "2019-03-01",
        "valid_to": None,
    }
    common = client.get("/api/v1/learning-goals", common="true").json()["results"]
    assert [(r["code"], r["specialty"], r["common"]) for r in common] == [("FKM-001", None, True)]
    current = client.get("/api/v1/learning-goals", specialty="ORT", valid_on="2024-06-01").json()
    assert [r["code"] for r in current["results"]] == ["ORT-001"]
    assert client.get("/api/v1/learning-goals").json()["count"] == 4


def test_unknown_specialty_is_400_naming_the_field(goals, api_as):
    for path in ("/api/v1/learning-goals", "/api/v1/trainees"):
        response = api_as("admin").get(path, specialty="XYZ")
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert (error["field"], error["code"]) == ("specialty", "unknown")
        assert "XYZ" in error["message"]


def test_institutions(world, api_as):
    body = api_as("trainee").get("/api/v1/institutions").json()
    assert body["count"] == 3
    unn = next(r for r in body["results"] if r["code"] == "UNN")
    assert unn == {
        "id": world.unn.pk,
        "code": "UNN",
        "name": world.unn.name,
        "kind": "health_trust",
        "region": "NORD",
        "region_name": "Helse Nord RHF",
    }
    vest = api_as("trainee").get("/api/v1/institutions", region="VEST").json()
    assert [r["code"] for r in vest["results"]] == ["HB"]
    response = api_as("trainee").get("/api/v1/institutions", region="MARS")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"


def test_arenas(world, api_as):
    f.ArenaFactory(institution=world.bergen, name="Bergen-arena")
    world.users["leader"].first_name, world.users["leader"].last_name = "Lise", "Leder"
    world.users["leader"].save()
    body = api_as("trainee").get("/api/v1/arenas", institution=world.unn.pk).json()
    assert body["count"] == 5
    department = next(r for r in body["results"] if r["id"] == world.department.pk)
    assert department == {
        "id": world.department.pk,
        "name": "Ortopedisk avdeling",
        "level": "department",
        "institution": world.unn.pk,
        "institution_name": world.unn.name,
        "parent": world.department.parent_id,
        "specialty": "ORT",
        "leader_name": "Lise Leder",
    }
    assert api_as("trainee").get("/api/v1/arenas").json()["count"] == 6
    response = api_as("trainee").get("/api/v1/arenas", institution=999999)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "institution",
        "code": "unknown",
        "message": response.json()["errors"][0]["message"],
    }
