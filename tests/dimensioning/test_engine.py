"""The dimensioning engine (pure; no database): worked examples by hand, the closure check, the
balance-year property, Monte Carlo and the smooth path."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisplan.dimensioning.engine import InvalidInput, parse, run
from lisplan.dimensioning.engine.generate import generate_input
from lisplan.dimensioning.engine.montecarlo import point_values, simulate
from lisplan.dimensioning.engine.project import project, required_intake


def doc(**changes) -> dict:
    base = {
        "format": "lisplan-dimensioning/1",
        "base_year": 2026,
        "target_year": 2028,
        "max_age": 75,
        "regions": ["Nord"],
        "specialties": [
            {
                "code": "ORT",
                "training_years": 1,
                "completion_rate": 1.0,
                "age_at_completion": 40,
                "fte_new_specialist": 1.0,
            }
        ],
        "specialists": [
            {
                "specialty": "ORT",
                "region": "Nord",
                "age": 50,
                "sex": "K",
                "heads": 100,
                "fte_per_head": 1.0,
            }
        ],
        "trainees": [],
        "starts": [],
        "exit_rates": [{"specialty": "*", "sex": "*", "age_from": 0, "age_to": 75, "rate": 0.1}],
        "imports": [],
        "demand": [{"specialty": "ORT", "region": "Nord", "fte": 90, "unmet_share": 0}],
        "demand_growth": [],
    }
    base.update(changes)
    return base


def rows(result, key="projection"):
    return {r["year"]: r for r in result[key]}


def test_one_specialty_one_region_constant_exit_rate():
    """100 specialists aged 50, 1 FTE each, exit rate 10 % a year, demand 90 FTE flat:

        2026: supply 100          gap +10
        2027: 100 · 0.9 = 90       gap   0
        2028:  90 · 0.9 = 81       gap  −9

    One start a year (training 1 year, completion 100 %, 1 FTE, joining at 40): the start of
    2026 joins at the start of 2027 and is still there with 0.9 in 2028; the start of 2027
    joins in 2028 with 1. Effect on the 2028 supply: 0.9 + 1 = 1.9 FTE per start a year, so
    C* = 9 / 1.9 = 4.7368… (rounded up: 5)."""
    result = run(doc())
    p = rows(result)
    assert [p[y]["supply_fte"] for y in (2026, 2027, 2028)] == [100, 90, 81]
    assert [p[y]["gap_fte"] for y in (2026, 2027, 2028)] == [10, 0, -9]
    assert [p[y]["exits"] for y in (2026, 2027, 2028)] == [0, 10, 9]
    intake = result["required_intake"][0]
    assert intake["per_year"] == pytest.approx(9 / 1.9, abs=1e-4)
    assert intake["per_year_rounded"] == 5
    assert intake["current_per_year"] == 0
    assert "p10" not in intake  # no uncertainty rows
    assert result["checks"]["closed"]


def test_demand_with_unmet_share_and_growth():
    """Demand 100 FTE, unmet 5 %, growth 2 %: 105, 107.1, 109.242."""
    result = run(
        doc(
            demand=[{"specialty": "ORT", "region": "Nord", "fte": 100, "unmet_share": 0.05}],
            demand_growth=[{"specialty": "*", "region": "*", "per_year": 0.02}],
        )
    )
    assert [r["demand_fte"] for r in result["projection"]] == [105, 107.1, 109.242]


def test_cohort_crossing_max_age():
    """max_age 67, 10 specialists aged 66, no exit rate: 2026 aged 66 (10), 2027 aged 67 —
    not above max_age, still 10 — and in 2028 their new age 68 exceeds max_age: all 10 leave."""
    result = run(
        doc(
            max_age=67,
            specialists=[
                {
                    "specialty": "ORT",
                    "region": "Nord",
                    "age": 66,
                    "sex": "M",
                    "heads": 10,
                    "fte_per_head": 0.8,
                }
            ],
            exit_rates=[{"specialty": "*", "sex": "*", "age_from": 0, "age_to": 67, "rate": 0}],
            specialties=[
                {
                    "code": "ORT",
                    "training_years": 5,
                    "completion_rate": 1.0,
                    "age_at_completion": 40,
                    "fte_new_specialist": 1.0,
                }
            ],
        )
    )
    p = rows(result)
    assert [p[y]["specialists"] for y in (2026, 2027, 2028)] == [10, 10, 0]
    assert [p[y]["supply_fte"] for y in (2026, 2027, 2028)] == [8, 8, 0]
    assert p[2028]["exits"] == 10
    assert result["checks"]["closed"]
    # Training takes 5 years, the target is 2 years away: no start can close the gap.
    assert result["required_intake"][0]["per_year"] is None
    assert any(w["code"] == "training_beyond_target" for w in result["warnings"])


def test_pipeline_with_expected_completions():
    """Completion rate 0.8, 0.9 FTE per new specialist, no exits, no specialists today:

    10 trainees expected to complete in 2027  → 8 heads join at the start of 2027
     5 trainees who started in 2024 (4 years) → 4 heads join at the start of 2028
     7 trainees expected in 2026 (= base_year) → ignored, with a warning

    supply 2026: 0;  2027: 8 · 0.9 = 7.2;  2028: 7.2 + 4 · 0.9 = 10.8
    in training 2026: 10 + 5 = 15 (the ignored 7 have finished);  2027: 5;  2028: 0"""
    result = run(
        doc(
            specialists=[],
            specialties=[
                {
                    "code": "ORT",
                    "training_years": 4,
                    "completion_rate": 0.8,
                    "age_at_completion": 37,
                    "fte_new_specialist": 0.9,
                }
            ],
            exit_rates=[{"specialty": "*", "sex": "*", "age_from": 0, "age_to": 75, "rate": 0}],
            trainees=[
                {
                    "specialty": "ORT",
                    "region": "Nord",
                    "expected_completion_year": 2027,
                    "heads": 10,
                },
                {"specialty": "ORT", "region": "Nord", "start_year": 2024, "heads": 5},
                {
                    "specialty": "ORT",
                    "region": "Nord",
                    "expected_completion_year": 2026,
                    "heads": 7,
                },
            ],
        )
    )
    p = rows(result)
    assert [p[y]["supply_fte"] for y in (2026, 2027, 2028)] == [0, 7.2, 10.8]
    assert [p[y]["completions"] for y in (2026, 2027, 2028)] == [0, 8, 4]
    assert [p[y]["trainees"] for y in (2026, 2027, 2028)] == [15, 5, 0]
    assert any(w["code"] == "trainees_already_done" for w in result["warnings"])


def test_new_specialists_split_evenly_by_sex_and_join_after_exits():
    """Imports of 2 a year (1 FTE each) join at 40, one woman and one man, from 2027, and do
    not exit in the year they join: 2027 has 2; 2028 has 2 · 0.9 + 2 = 3.8."""
    result = run(doc(specialists=[], imports=[{"specialty": "*", "region": "*", "per_year": 2}]))
    p = rows(result)
    assert [p[y]["specialists"] for y in (2026, 2027, 2028)] == [0, 2, 3.8]
    pyramid = run(
        doc(specialists=[{"specialty": "ORT", "region": "Nord", "age": 41, "sex": "K", "heads": 3}])
    )["age_pyramid"]
    assert pyramid == [
        {"specialty": "ORT", "region": "Nord", "age_from": 40, "age_to": 44, "sex": "K", "heads": 3}
    ]


def test_closure_check_every_year_on_a_national_input():
    p = parse(generate_input(specialties=6))
    proj = project(p)
    stock = proj.heads
    flows = proj.completions + proj.imports - proj.exits
    assert np.allclose(stock[:, 1:] - stock[:, :-1], flows[:, 1:], atol=1e-8)
    assert proj.closure_error < 1e-8
    supply = proj.supply
    flows_fte = proj.completions_fte + proj.imports_fte - proj.exits_fte
    assert np.allclose(supply[:, 1:] - supply[:, :-1], flows_fte[:, 1:], atol=1e-8)


def test_waterfall_adds_up():
    result = run(generate_input(specialties=3), draws=0)
    for w in result["waterfall"]:
        total = w["gap_base"] + w["completions"] + w["imports"] + w["exits"] + w["demand_growth"]
        assert total == pytest.approx(w["gap_target"], abs=1e-3)


def test_montecarlo_formulation_equals_projection_at_point_values():
    p = parse(generate_input(specialties=5, seed=3))
    sim = simulate(p, {k: v[None] for k, v in point_values(p).items()})
    assert np.allclose(sim.supply[0], project(p).supply, atol=1e-9)
    c, _ = required_intake(p)
    assert np.allclose(sim.intake[0], c, atol=1e-9, equal_nan=True)


def test_montecarlo_percentiles():
    d = generate_input(specialties=3)
    result = run(d, draws=1000, seed=7)
    assert result["draws"] == 1000
    for row in result["required_intake"]:
        assert row["p10"] <= row["p50"] <= row["p90"]
    for row in result["projection"]:
        assert row["gap_p10"] <= row["gap_p50"] <= row["gap_p90"]
    # Same seed, same numbers; a fixed range (lo = hi) gives the point value in every draw.
    assert run(d, draws=1000, seed=7)["required_intake"] == result["required_intake"]
    fixed = copy.deepcopy(d)
    fixed["uncertainty"] = [{"param": "demand_growth", "specialty": "*", "lo": 0.01, "hi": 0.01}]
    out = run(fixed, draws=200, seed=1)
    for row in out["required_intake"]:
        assert row["p10"] == row["p50"] == row["p90"] == row["per_year"]


def test_tornado_orders_demand_growth_the_right_way():
    result = run(
        doc(uncertainty=[{"param": "demand_growth", "specialty": "*", "lo": 0.0, "hi": 0.05}]),
        draws=100,
    )
    (row,) = [t for t in result["tornado"] if t["param"] == "demand_growth"]
    assert row["intake_lo"] < row["intake_hi"]


def test_smooth_path_keeps_capacity_and_beats_todays_intake():
    d = doc(
        target_year=2040,
        starts=[{"specialty": "*", "region": "*", "per_year": 1}],
        capacity=[{"specialty": "*", "region": "*", "per_year": 6}],
    )
    result = run(d, draws=0)
    path = [r["starts"] for r in result["intake_path"]]
    assert all(0 <= x <= 6 + 1e-6 for x in path)
    p = parse(d)
    gap_path = project(p, np.array([path])).gap
    gap_today = project(p).gap
    assert (gap_path**2).sum() < (gap_today**2).sum()
    # A very large penalty on change holds the path at today's intake.
    still = run({**d, "smoothing": {"penalty": 1e6}}, draws=0)
    assert all(abs(r["starts"] - 1) < 0.05 for r in still["intake_path"])


def test_user_defined_intake_path_by_year():
    d = doc(
        starts=[
            {"specialty": "*", "region": "*", "per_year": 2},
            {"specialty": "ORT", "region": "Nord", "year": 2026, "per_year": 10},
        ]
    )
    p = parse(d)
    assert p.starts.tolist() == [[10, 2, 2]]
    assert p.current_starts.tolist() == [2]
    # The 10 starts of 2026 join in 2027: supply 90 + 10 = 100.
    assert rows(run(d, draws=0))[2027]["supply_fte"] == 100


def test_inconsistent_input_warns():
    result = run(
        doc(
            regions=["Nord", "Midt"],
            demand=[{"specialty": "ORT", "region": "Nord", "fte": 2000, "unmet_share": 0}],
        ),
        draws=0,
    )
    codes = {w["code"] for w in result["warnings"]}
    assert {"demand_missing", "supply_demand_mismatch"} <= codes


def test_invalid_input_lists_every_error():
    bad = doc(
        format="x",
        specialists=[{"specialty": "XX", "region": "Nord", "age": 50, "sex": "Q", "heads": -1}],
    )
    with pytest.raises(InvalidInput) as err:
        parse(bad)
    fields = {e["field"] for e in err.value.errors}
    assert {
        "format",
        "specialists[0].specialty",
        "specialists[0].sex",
        "specialists[0].heads",
    } <= fields
    with pytest.raises(InvalidInput):
        parse({**doc(), "uncertainty": [{"param": "weather", "lo": 0, "hi": 1}]})
    with pytest.raises(InvalidInput):
        parse({**doc(), "target_year": 2020})


def test_most_specific_wildcard_row_wins():
    d = doc(
        regions=["Nord", "Midt"],
        imports=[
            {"specialty": "ORT", "region": "Midt", "per_year": 3},
            {"specialty": "*", "region": "*", "per_year": 1},
        ],
    )
    assert parse(d).imports.tolist() == [1, 3]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    heads=st.lists(st.floats(0, 200), min_size=3, max_size=3),
    rate=st.floats(0, 0.3),
    growth=st.floats(-0.02, 0.05),
    demand=st.floats(10, 800),
    training=st.integers(1, 8),
    horizon=st.integers(1, 20),
    cr=st.floats(0.3, 1.0),
    fte=st.floats(0.5, 1.0),
    imports=st.floats(0, 5),
    pipeline=st.floats(0, 30),
)
def test_starting_the_required_intake_closes_the_target_year_gap(
    heads, rate, growth, demand, training, horizon, cr, fte, imports, pipeline
):
    d = doc(
        target_year=2026 + horizon,
        specialties=[
            {
                "code": "ORT",
                "training_years": training,
                "completion_rate": cr,
                "age_at_completion": 37,
                "fte_new_specialist": fte,
            }
        ],
        specialists=[
            {
                "specialty": "ORT",
                "region": "Nord",
                "age": age,
                "sex": sex,
                "heads": h,
                "fte_per_head": 0.9,
            }
            for age, sex, h in zip((40, 55, 70), ("K", "M", "K"), heads, strict=True)
        ],
        exit_rates=[{"specialty": "*", "sex": "*", "age_from": 0, "age_to": 75, "rate": rate}],
        imports=[{"specialty": "*", "region": "*", "per_year": imports}],
        trainees=[{"specialty": "ORT", "region": "Nord", "start_year": 2024, "heads": pipeline}],
        demand=[{"specialty": "ORT", "region": "Nord", "fte": demand, "unmet_share": 0.02}],
        demand_growth=[{"specialty": "*", "region": "*", "per_year": growth}],
    )
    result = run(d, draws=0)
    c = result["required_intake"][0]["per_year"]
    if training > horizon:
        assert c is None
        return
    p = parse(d)
    c_exact, _ = required_intake(p)
    if c_exact[0] <= 0:
        assert c == 0  # already in balance or above without any starts
        return
    d2 = {**d, "starts": [{"specialty": "ORT", "region": "Nord", "per_year": float(c_exact[0])}]}
    gap_t = run(d2, draws=0)["projection"][-1]["gap_fte"]
    assert math.isclose(gap_t, 0, abs_tol=1e-3)


def test_too_many_draws_for_the_input_is_refused():
    with pytest.raises(InvalidInput) as err:
        run(generate_input(specialties=46), draws=5000)
    assert err.value.errors[0]["field"] == "draws"
