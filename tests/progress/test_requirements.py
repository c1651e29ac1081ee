"""The shipped requirement data and its loader."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from lisplan.progress import requirements as rq

D = dt.date

# The field names at the end of the ALIS form (seed 002).
_FIELDS = """
lis_navn hpr kommune leder alis_koord mail referat_hvem annen_alm_tjeneste inst_tjeneste
tilpass_tjeneste alm_tj_fremtid inst_tj_fremtid kurs_fremtid andre_akt_fremtid
fordypning_fremtid plan_perm plan_overordnet sted alis_sign kommune_sign veil_sign neste_mote
sak_kurs regutdvirk_ja regutdvirk_nei l_arena iv_navn iv_mail lis1 usel_praks gr_b gr_c gr_d
g_veil_fremtid lv_fremtid lis1_rest usel_praks_rest annen_alm_tjeneste_rest inst_tjeneste_rest
tilpass_tjeneste_rest gr_a gr_a_rest gr_b_rest gr_c_rest gr_d_rest emnekurs emnekurs_rest
akutt_kurs akutt_kurs_rest sak_kurs_rest fkm_kurs fkm_kurs_rest g_veil g_veil_rest lv_40
lv_40_rest prak_pros prak_pros_rest andre_akt andre_akt_rest
"""
ALIS_FORM_FIELDS = _FIELDS.split()


def raw(name):
    with open(rq.DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_shipped_files_load():
    book = rq.rule_book()
    assert book.on(D(2024, 1, 1)).leave_rule("course").counts
    assert not book.on(D(2024, 1, 1)).leave_rule("parental").counts
    caps = {c.code: c.months for c in book.on(D(2024, 1, 1)).caps}
    assert caps == {"other_specialty": 39, "old_scheme": 78}
    assert {s.code for s in rq.requirement_sets()} == {"hospital", "alm", "sam", "old_scheme"}
    assert book.month_minimum == "calendar"


def test_every_fact_has_source_and_verified_flag():
    for version in rq.rule_book().versions:
        for item in (*version.leave, *version.caps):
            assert item.source
    for s in rq.requirement_sets():
        for r in s.requirements:
            assert r.source and isinstance(r.verified, bool)
    unverified = {r.code for s in rq.requirement_sets() for r in s.requirements if not r.verified}
    assert {"sak_kurs", "fkm_kurs", "out_of_hours", "procedures"} <= unverified


def test_alm_minimums_from_seed_002():
    alm = rq.requirement_set_for("ALM", "community", D(2024, 1, 1))
    r = {x.code: x for x in alm.requirements}
    assert (r["open_practice"].minimum, r["open_practice"].maximum) == (24, 54)
    assert r["other_gp"].maximum == 30 and r["institution"].minimum == 6
    assert r["group_supervision"].minimum == 24
    assert r["group_supervision_open"].minimum == 12
    assert r["group_supervision_open"].categories == ("open_practice",)
    assert (r["emnekurs"].minimum, r["emnekurs"].min_hours, r["emnekurs"].distinct) == (6, 15, True)
    assert r["out_of_hours"].minimum == 40


def test_alis_form_fields_are_all_mapped_once():
    alm = rq.requirement_set_for("ALM", "community", D(2024, 1, 1))
    mapped = set(alm.form_fields) | set(alm.other_form_fields)
    assert mapped == set(ALIS_FORM_FIELDS)
    assert alm.form_fields["usel_praks"] == "open_practice.done"
    assert alm.form_fields["usel_praks_rest"] == "open_practice.remaining"
    assert alm.form_fields["lv_40"] == "out_of_hours.done"
    codes = {r.code for r in alm.requirements}
    assert {v.split(".")[0] for v in alm.form_fields.values()} <= codes


def test_pick_by_specialty_kind_and_date():
    sets = rq.requirement_sets()
    assert rq.pick_requirement_set(sets, "ALM", "community", D(2024, 1, 1)).code == "alm"
    assert rq.pick_requirement_set(sets, "ORT", "hospital", D(2024, 1, 1)).code == "hospital"
    assert rq.pick_requirement_set(sets, "SAM", "community", D(2024, 1, 1)).code == "sam"
    assert rq.pick_requirement_set(sets, "XYZ", "community", D(2024, 1, 1)) is None
    # before the new scheme: the old scheme's set (issue 12, item 4)
    assert rq.pick_requirement_set(sets, "ORT", "hospital", D(2018, 1, 1)).code == "old_scheme"
    assert rq.pick_requirement_set(sets, "ALM", "community", D(2018, 1, 1)).code == "old_scheme"
    assert rq.pick_requirement_set(sets, "ORT", "hospital", D(1980, 1, 1)) is None


def test_a_new_version_is_picked_by_date():
    data = raw("requirements.yaml")
    new = copy.deepcopy(data["sets"][1])
    data["sets"][1]["valid_to"] = D(2026, 2, 28)
    new["valid_from"] = D(2026, 3, 1)
    new["requirements"][2]["minimum"] = 30
    data["sets"].append(new)
    sets = rq.parse_requirement_sets(data)
    old = rq.pick_requirement_set(sets, "ALM", "community", D(2026, 2, 28))
    later = rq.pick_requirement_set(sets, "ALM", "community", D(2026, 3, 1))
    assert old.requirements[2].minimum == 24 and later.requirements[2].minimum == 30


def test_overlapping_sets_are_rejected():
    data = raw("requirements.yaml")
    data["sets"].append(copy.deepcopy(data["sets"][1]))
    with pytest.raises(rq.RequirementDataError) as err:
        rq.parse_requirement_sets(data)
    assert any("overlapper" in p.message for p in err.value.problems)


def test_all_problems_reported_at_once():
    data = raw("requirements.yaml")
    req = data["sets"][1]["requirements"][2]
    req["kind"] = "nonsense"
    req["minimum"] = "mange"
    del req["source"]
    req["colour"] = "blue"
    with pytest.raises(rq.RequirementDataError) as err:
        rq.parse_requirement_sets(data)
    where = {p.where for p in err.value.problems}
    base = "sets[1].requirements[2]"
    assert {f"{base}.kind", f"{base}.minimum", f"{base}.source", f"{base}.colour"} <= where


def test_rule_book_validation():
    data = raw("service_rules.yaml")
    data["versions"][0]["leave"][0]["counts"] = "ja"
    data["versions"][0]["caps"][0]["months"] = -1
    with pytest.raises(rq.RequirementDataError) as err:
        rq.parse_rule_book(data)
    where = {p.where for p in err.value.problems}
    assert {"versions[0].leave[0].counts", "versions[0].caps[0].months"} <= where


def test_rule_versions_cannot_overlap():
    data = raw("service_rules.yaml")
    data["versions"].append(copy.deepcopy(data["versions"][0]))
    with pytest.raises(rq.RequirementDataError):
        rq.parse_rule_book(data)
