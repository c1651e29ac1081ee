from collections import Counter

from lisplan.allocation.baseline import queue_baseline
from lisplan.allocation.generate import REGIONS, SPECIALTIES, default_regions, generate
from lisplan.allocation.parse import parse_instance
from lisplan.allocation.validate import violations


def test_there_are_44_specialties_and_about_30_trusts_of_three_sizes():
    assert len(set(SPECIALTIES)) == 44
    trusts = [size for region in REGIONS.values() for _, size in region]
    assert 28 <= len(trusts) <= 32 and set(trusts) == {"U", "M", "S"}


def test_generation_is_deterministic_and_valid():
    one, two = generate(400, seed=7), generate(400, seed=7)
    assert one == two and one != generate(400, seed=8)
    inst = parse_instance(one)
    assert len(inst.trainees) == 400
    base = queue_baseline(inst)
    assert violations(inst, base, base) == []


def test_instances_have_the_realistic_features():
    inst = parse_instance(generate(3000, seed=1, regions=4))
    homes = {t.home for t in inst.trainees.values()}
    assert {"UNN", "HB", "STO", "OUS"} <= homes  # all four regions
    requests = list(inst.requests.values())
    assert any(r.after for r in requests) and any(r.latest_end for r in requests)
    assert any(len(r.agreements) > 1 for r in requests)
    agreements = list(inst.agreements.values())
    assert any(a.start_months for a in agreements) and any(a.prerequisites for a in agreements)
    assert any(a.capacity > 1 for a in agreements) and inst.occupied
    trainees = list(inst.trainees.values())
    assert any(t.unavailable for t in trainees) and any(t.sending_rank for t in trainees)
    assert any(t.expected_goals for t in trainees) and not all(t.permanent for t in trainees)
    arena_load = Counter(a.arena for a in agreements)
    assert max(arena_load.values()) > 1  # several trusts send to the same arena


def test_scale_picks_regions():
    assert [default_regions(n) for n in (2500, 4000, 7000, 14000)] == [1, 2, 4, 4]
