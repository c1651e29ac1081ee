"""A plausible synthetic input document (benchmarks, tests; not real data). Pure Python."""

from __future__ import annotations

import random

REGIONS = ["Nord", "Midt", "Vest", "Sør-Øst"]
REGION_SHARE = {"Nord": 0.11, "Midt": 0.14, "Vest": 0.20, "Sør-Øst": 0.55}


def generate_input(
    specialties: int = 46,
    regions: list[str] | None = None,
    seed: int = 1,
    base_year: int = 2026,
    target_year: int = 2044,
) -> dict:
    rnd = random.Random(seed)
    regions = regions or REGIONS
    specs = []
    specialists, trainees, starts, demand = [], [], [], []
    for i in range(specialties):
        code = f"S{i + 1:02d}"
        years = rnd.choice([5, 5, 5, 6, 6])
        specs.append(
            {
                "code": code,
                "training_years": years,
                "completion_rate": round(rnd.uniform(0.85, 0.95), 2),
                "age_at_completion": rnd.choice([36, 37, 38]),
                "fte_new_specialist": round(rnd.uniform(0.88, 0.96), 2),
            }
        )
        national = rnd.randint(60, 1600)
        for reg in regions:
            share = REGION_SHARE.get(reg, 1 / len(regions))
            total = 0.0
            for age in range(35, 76):
                weight = 1.0 if age < 62 else 0.6 if age < 67 else 0.25
                for sex in ("K", "M"):
                    heads = round(national * share * weight / 60 / 2 * rnd.uniform(0.7, 1.3), 2)
                    if heads:
                        specialists.append(
                            {
                                "specialty": code,
                                "region": reg,
                                "age": age,
                                "sex": sex,
                                "heads": heads,
                                "fte_per_head": round(rnd.uniform(0.85, 0.97), 2),
                            }
                        )
                        total += heads
            per_year = round(total / 25, 1)
            starts.append({"specialty": code, "region": reg, "per_year": per_year})
            for back in range(years):
                trainees.append(
                    {
                        "specialty": code,
                        "region": reg,
                        "start_year": base_year - back - 1,
                        "heads": per_year,
                    }
                )
            demand.append(
                {
                    "specialty": code,
                    "region": reg,
                    "fte": round(total * 0.93, 1),
                    "unmet_share": round(rnd.uniform(0, 0.06), 3),
                }
            )
    return {
        "format": "lisplan-dimensioning/1",
        "base_year": base_year,
        "target_year": target_year,
        "max_age": 75,
        "regions": regions,
        "specialties": specs,
        "specialists": specialists,
        "trainees": trainees,
        "starts": starts,
        "exit_rates": [
            {"specialty": "*", "sex": "*", "age_from": 25, "age_to": 61, "rate": 0.012},
            {"specialty": "*", "sex": "*", "age_from": 62, "age_to": 66, "rate": 0.07},
            {"specialty": "*", "sex": "*", "age_from": 67, "age_to": 75, "rate": 0.30},
        ],
        "imports": [{"specialty": "*", "region": "*", "per_year": 0.5}],
        "demand": demand,
        "demand_growth": [{"specialty": "*", "region": "*", "per_year": 0.01}],
        "uncertainty": [
            {"param": "demand_growth", "specialty": "*", "lo": 0.0, "hi": 0.02},
            {"param": "exit_rate_factor", "specialty": "*", "lo": 0.8, "hi": 1.2},
            {"param": "completion_rate", "specialty": "*", "lo": 0.8, "hi": 0.95},
            {"param": "imports", "specialty": "*", "lo": 0.0, "hi": 1.0},
        ],
    }
