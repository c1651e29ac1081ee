import json

import pytest

from lisplan.allocation.instance import month_index
from lisplan.allocation.parse import InvalidFile, load_instance, parse_instance

from .builders import agreement, instance, request, trainee

SPEC_EXAMPLE = {
    "format": "lisplan-allocation/1",
    "start_month": "2027-01",
    "horizon_months": 60,
    "policy": {"max_delay_months": 3},
    "arenas": [{"id": "UNN-ORT", "institution": "UNN", "capacity": 3}],
    "agreements": [
        {
            "id": "A-017",
            "sending": "HELG",
            "receiving": "UNN",
            "arena": "UNN-ORT",
            "specialty": "ORT",
            "duration_months": 6,
            "capacity": 2,
            "start_months": [2, 8],
            "prerequisites": ["ORT-012"],
            "valid_from": "2025-01",
            "valid_to": None,
        }
    ],
    "trainees": [
        {
            "id": "T-000123",
            "home": "HELG",
            "specialty": "ORT",
            "permanent": True,
            "sending_rank": 4,
            "approved_goals": ["ORT-012"],
            "expected_goals": {"ORT-013": "2027-05"},
            "unavailable": [{"from": "2027-03", "to": "2027-08"}],
            "requests": [
                {
                    "id": "R-88",
                    "agreements": ["A-017"],
                    "registered": "2025-03-14",
                    "desired_start": "2027-08",
                    "latest_end": "2030-12",
                    "after": None,
                }
            ],
        }
    ],
    "occupied": [{"agreement": "A-017", "trainee": "T-000009", "from": "2026-09", "to": "2027-02"}],
}


def errors_of(document) -> dict[str, str]:
    with pytest.raises(InvalidFile) as caught:
        parse_instance(document)
    return {e.path: e.message for e in caught.value.errors}


def test_the_spec_example_parses():
    inst = parse_instance(SPEC_EXAMPLE)
    assert inst.max_delay_months == 3
    assert inst.agreements["A-017"].start_months == {2, 8}
    assert inst.agreements["A-017"].valid_to is None
    assert inst.trainees["T-000123"].expected_goals == {"ORT-013": month_index("2027-05")}
    assert inst.requests["R-88"].latest_end == month_index("2030-12")
    assert inst.occupied[0].span.first == month_index("2026-09")


def test_policy_defaults_to_no_delay():
    document = dict(SPEC_EXAMPLE)
    del document["policy"]
    assert parse_instance(document).max_delay_months == 0


def test_every_error_is_reported_with_its_path():
    document = json.loads(json.dumps(SPEC_EXAMPLE))
    document["horizon_months"] = 0
    document["agreements"][0]["capacity"] = -1
    document["agreements"][0]["start_months"] = [2, 13]
    document["agreements"][0]["arena"] = "NOWHERE"
    document["trainees"][0]["unavailable"][0]["to"] = "2027-02"
    document["trainees"][0]["requests"][0]["registered"] = "14.03.2025"
    document["trainees"][0]["requests"][0]["desired_start"] = "2027-13"
    document["occupied"][0]["agreement"] = "A-999"
    errors = errors_of(document)
    assert set(errors) == {
        "$.horizon_months",
        "$.agreements[0].capacity",
        "$.agreements[0].start_months[1]",
        "$.agreements[0].arena",
        "$.trainees[0].unavailable[0].to",
        "$.trainees[0].requests[0].registered",
        "$.trainees[0].requests[0].desired_start",
        "$.occupied[0].agreement",
    }
    assert "unknown arena" in errors["$.agreements[0].arena"]


def test_missing_fields_and_wrong_types():
    errors = errors_of({"format": "other", "trainees": [{"id": 3, "requests": "R-1"}]})
    assert errors["$.format"].startswith("expected 'lisplan-allocation/1'")
    for path in [
        "$.start_month",
        "$.horizon_months",
        "$.arenas",
        "$.agreements",
        "$.trainees[0].home",
        "$.trainees[0].permanent",
    ]:
        assert errors[path] == "required field is missing"
    assert "non-empty string" in errors["$.trainees[0].id"]
    assert "expected a list" in errors["$.trainees[0].requests"]


def test_references_duplicates_and_chains():
    document = instance(
        [agreement("A"), agreement("A")],
        [
            trainee(
                "T1",
                [
                    request("R1", ["A"], after="R2"),
                    request("R2", ["A"], after="R1"),
                    request("R4", ["A", "B"]),
                ],
            ),
            trainee("T2", [request("R1", ["A"]), request("R3", ["A"], after="R2")]),
        ],
    )
    errors = errors_of(document)
    assert errors["$.agreements[1].id"] == "duplicate id 'A'"
    assert "unknown agreement 'B'" in errors["$.trainees[0].requests[2].agreements[1]"]
    assert "cycle" in errors["$.trainees[0].requests[0].after"]
    assert "duplicate request id" in errors["$.trainees[1].requests[0].id"]
    assert "same trainee" in errors["$.trainees[1].requests[1].after"]


def test_non_object_root_and_booleans_are_not_integers():
    assert errors_of([1, 2]) == {"$": "expected an object, got a list"}
    document = instance([agreement("A", capacity=True)], [])
    assert "$.agreements[0].capacity" in errors_of(document)


def test_bad_files_give_errors_not_tracebacks(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(InvalidFile) as caught:
        load_instance(broken)
    assert caught.value.errors[0].path == "$"
    assert "not valid JSON" in caught.value.errors[0].message
    with pytest.raises(InvalidFile, match="cannot read"):
        load_instance(tmp_path / "missing.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidFile):
        load_instance(binary)
