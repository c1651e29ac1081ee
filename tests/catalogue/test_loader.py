"""The shipped catalogue: 46 specialties, FKM topic areas, demo goals; idempotent loading."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from django.core.management import call_command

from lisplan.catalogue.loader import DATA_DIR, load_catalogue
from lisplan.catalogue.models import LearningGoal, Specialty, TopicArea
from lisplan.catalogue.validation import CatalogueDataError

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> dict[str, int]:
    return load_catalogue()


def test_all_46_specialties_with_unique_codes(loaded):
    assert loaded["specialties_created"] == 46
    codes = list(Specialty.objects.values_list("code", flat=True))
    assert len(codes) == 46 == len(set(codes))
    assert all(re.fullmatch(r"[A-ZÆØÅ]{3}", c) for c in codes)
    assert Specialty.objects.exclude(source="").count() == 46


def test_part2_groups_and_kinds(loaded):
    by_group = {
        g: set(Specialty.objects.filter(part2_group=g).values_list("code", flat=True))
        for g in ("FIM", "FKI", "")
    }
    assert len(by_group["FIM"]) == 10 and {"MED", "AMM", "NYR", "HJS"} <= by_group["FIM"]
    assert len(by_group["FKI"]) == 8 and "GKI" in by_group["FKI"]
    assert len(by_group[""]) == 28  # 26 without part 2 + ALM + SAM
    community = set(Specialty.objects.filter(kind="community").values_list("code", flat=True))
    assert community == {"ALM", "SAM"}
    assert Specialty.objects.get(code="VOP").name == "Psykiatri"
    assert Specialty.objects.get(code="ØNH").part2_group == ""


def test_unverified_codes_are_flagged(loaded):
    unverified = set(Specialty.objects.filter(verified=False).values_list("code", flat=True))
    fki = set(Specialty.objects.filter(part2_group="FKI").values_list("code", flat=True))
    assert unverified == fki | {"NYR"}


def test_eleven_fkm_topic_areas(loaded):
    assert TopicArea.objects.count() == 11
    assert TopicArea.objects.filter(name="Kvalitet og pasientsikkerhet").exists()


def test_goals_have_real_code_format_and_are_demo(loaded):
    goals = LearningGoal.objects.all()
    assert loaded["goals_created"] == goals.count() > 300
    assert all(re.fullmatch(r"[A-ZÆØÅ]{3}-\d{3}", g.code) for g in goals)
    assert not goals.filter(demo=False).exists()
    assert all(g.text.startswith("[Demo]") for g in goals)


def test_every_specialty_has_a_sample_and_codes_match_it(loaded):
    for spec in Specialty.objects.all():
        own = spec.learning_goals.filter(part="part3")
        assert 6 <= own.values("code").distinct().count() <= 10, spec.code
        assert all(g.code.startswith(spec.code + "-") for g in own)


def test_part2_goals_are_shared_by_the_group(loaded):
    hjs = Specialty.objects.get(code="HJS")
    part2 = LearningGoal.objects.filter(part="part2", specialty__part2_group=hjs.part2_group)
    assert part2.exists() and all(g.code.startswith("FIM-") for g in part2)
    assert set(part2.values_list("specialty__code", flat=True)) == {"MED"}
    uro = LearningGoal.objects.filter(part="part2", specialty__part2_group="FKI")
    assert uro.exists() and all(g.code.startswith("FKI-") for g in uro)


def test_lis1_and_fkm_goals(loaded):
    lis1 = LearningGoal.objects.filter(part="lis1")
    assert {g.code[:3] for g in lis1} == {"KLS", "KLP", "KLK"}
    assert not lis1.filter(specialty__isnull=False).exists()
    fkm = LearningGoal.objects.filter(common=True)
    assert fkm.exists() and not fkm.filter(topic_area__isnull=True).exists()
    assert set(fkm.values_list("part", flat=True)) == {"common"}
    assert {g.code[:3] for g in fkm} == {"FKM"}
    assert fkm.values("topic_area").distinct().count() == 11


def test_versions_from_1_march_2026(loaded):
    new = LearningGoal.objects.filter(valid_from=dt.date(2026, 3, 1))
    assert new.count() >= 10
    for goal in new:
        old = LearningGoal.objects.filter(code=goal.code, valid_from__lt=goal.valid_from)
        if old.exists():  # a tightened goal: the old version ends the day before
            assert old.get().valid_to == dt.date(2026, 2, 28)
            assert old.get().text != goal.text
    # Some FKM goals end with the 2026 revision without a successor.
    assert LearningGoal.objects.filter(common=True, valid_to=dt.date(2026, 2, 28)).count() > 3


def test_load_is_idempotent(loaded):
    before = LearningGoal.objects.count(), Specialty.objects.count(), TopicArea.objects.count()
    again = load_catalogue()
    after = LearningGoal.objects.count(), Specialty.objects.count(), TopicArea.objects.count()
    assert before == after
    assert {k: v for k, v in again.items() if v and not k.endswith("unchanged")} == {}


def test_reload_repairs_edits_but_keeps_official_goals(loaded):
    Specialty.objects.filter(code="ORT").update(name_en="changed")
    official = LearningGoal.objects.get(code="ANE-001")
    LearningGoal.objects.filter(pk=official.pk).update(demo=False, text="Offisiell tekst")
    counts = load_catalogue()
    assert counts["specialties_updated"] == 1
    assert counts["goals_kept"] == 1
    assert Specialty.objects.get(code="ORT").name_en == "Orthopaedic surgery"
    assert LearningGoal.objects.get(pk=official.pk).text == "Offisiell tekst"


def test_command_prints_counts(capsys):
    call_command("load_catalogue")
    out = capsys.readouterr().out
    assert "specialties_created: 46" in out


def test_bad_data_file_is_rejected_before_writing(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "data")
    sample = tmp_path / "data" / "learning_goals_sample.csv"
    with open(sample, "a", encoding="utf-8") as fh:
        fh.write("ORT-1;ORT;3;;[Demo] x;2019-03-01;;ja\n")
    with pytest.raises(CatalogueDataError) as exc:
        load_catalogue(tmp_path / "data")
    assert "ORT-1" in str(exc.value)
    assert Specialty.objects.count() == 0
