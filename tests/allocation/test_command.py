import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .builders import agreement, instance, request, trainee


@pytest.fixture
def instance_file(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(
        json.dumps(
            instance(
                [agreement("A"), agreement("B", arena="B")],
                [
                    trainee("T1", [request("R1", ["A", "B"], registered="2025-01-01")]),
                    trainee("T2", [request("R2", ["A"], registered="2025-02-01")]),
                ],
            )
        ),
        encoding="utf-8",
    )
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("allocate", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_allocate_writes_a_result_with_progress_and_summary(instance_file, tmp_path):
    result = tmp_path / "result.json"
    out, err = run(instance_file, "--output", result, "--time-limit", 5)
    document = json.loads(result.read_text(encoding="utf-8"))
    assert document["format"] == "lisplan-allocation-result/1"
    assert {a["request"]: a["agreement"] for a in document["assignments"]} == {"R1": "B", "R2": "A"}
    assert document["metrics"]["total_wait_months"] == 0
    assert document["baseline_metrics"]["total_wait_months"] == 6
    assert "queue baseline" in err and "LP relaxation" in err
    assert "total wait (months)" in out and "LP relaxation bound" in out

    out, _ = run("--validate", result, "--instance", instance_file)
    assert out.startswith("valid: 2 assigned")


def test_validate_lists_violations(instance_file, tmp_path):
    result = tmp_path / "result.json"
    result.write_text(
        json.dumps(
            {
                "format": "lisplan-allocation-result/1",
                "assignments": [
                    {"request": "R1", "trainee": "T1", "agreement": "A", "start": "2027-01"},
                    {"request": "R2", "trainee": "T2", "agreement": "A", "start": "2027-03"},
                ],
                "unassigned": [],
            }
        ),
        encoding="utf-8",
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 violation"):
        call_command(
            "allocate", "--validate", str(result), "--instance", str(instance_file), stdout=out
        )
    assert "[6] A: agreement capacity 1 exceeded in 2027-03 (2)" in out.getvalue()


def test_bad_files_become_command_errors(tmp_path, instance_file):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "lisplan-allocation/1", "arenas": 3}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"\$\.arenas: expected a list"):
        run(bad, "--output", tmp_path / "out.json")
    with pytest.raises(CommandError, match=r"\$\.assignments\[0\]\.start"):
        bad.write_text(
            json.dumps(
                {
                    "format": "lisplan-allocation-result/1",
                    "unassigned": [],
                    "assignments": [
                        {"request": "R1", "trainee": "T1", "agreement": "A", "start": "soon"}
                    ],
                }
            )
        )
        run("--validate", bad, "--instance", instance_file)


def test_generate_writes_an_instance(capsys):
    call_command("allocate", "--generate", "--trainees", "50", "--seed", "2")
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "lisplan-allocation/1"
    assert len(document["trainees"]) == 50


def test_queue_weight_is_passed_through_and_checked(instance_file, tmp_path):
    result = tmp_path / "result.json"
    out, _ = run(instance_file, "--output", result, "--time-limit", 5, "--queue-weight", 0.5)
    assert json.loads(result.read_text(encoding="utf-8"))["queue_weight"] == 0.5
    assert "strengthened LP bound" in out and "root node bound" in out
    with pytest.raises(CommandError, match="--queue-weight: queue weight must be between"):
        run(instance_file, "--output", result, "--queue-weight", 2)
