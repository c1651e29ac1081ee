"""The pure ranking: the published order, eligibility first, and agreement with the
allocation engine's priority order."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lisplan.allocation.instance import Instance, Request, Trainee
from lisplan.allocation.priority import priority_order
from lisplan.rotations import ranking
from lisplan.rotations.ranking import AgreementRules, Candidate, Period

D = dt.date


def test_between_trusts_longest_waiting_within_trust_own_priority():
    cands = [
        Candidate(1, "UNN", D(2025, 3, 1), sending_rank=2),
        Candidate(2, "UNN", D(2025, 6, 1), sending_rank=1),
        Candidate(3, "NLSH", D(2025, 4, 1)),
    ]
    rows = ranking.rank(cands)
    # UNN holds the first place (01.03) and gives it to its own rank 1; NLSH the second.
    assert [r.candidate.id for r in rows] == [2, 3, 1]
    assert "UNNs prioritet nr. 1" in rows[0].explanation
    assert "01.03.2025" in rows[0].explanation


def test_ineligible_after_eligible_with_reason():
    cands = [
        Candidate(1, "UNN", D(2024, 1, 1), eligible=False, reasons=("ikke fast ansatt",)),
        Candidate(2, "NLSH", D(2025, 1, 1)),
    ]
    rows = ranking.rank(cands)
    assert [r.candidate.id for r in rows] == [2, 1]
    assert rows[1].explanation.startswith("Etter de kvalifiserte (ikke fast ansatt)")
    assert rows[1].queue_place == 1


candidates = st.lists(
    st.builds(
        Candidate,
        id=st.integers(1, 10_000),
        home=st.sampled_from(["A", "B", "C"]),
        registered=st.dates(D(2020, 1, 1), D(2026, 12, 31)),
        sending_rank=st.none() | st.integers(1, 5),
        eligible=st.booleans(),
    ),
    max_size=25,
    unique_by=lambda c: c.id,
)


def _engine_order(cands):
    """The allocation engine's order over the same requests, one trainee per request."""
    inst = Instance(
        0,
        1,
        0,
        {},
        {},
        trainees={
            f"t{c.id}": Trainee(f"t{c.id}", c.home, "X", True, c.sending_rank) for c in cands
        },
        requests={
            f"r{c.id:06d}": Request(f"r{c.id:06d}", f"t{c.id}", (), c.registered.isoformat())
            for c in cands
        },
    )
    return [int(k[1:]) for k in priority_order(inst)]


@given(candidates)
def test_agrees_with_the_allocation_engine(cands):
    ranked = [r.candidate.id for r in ranking.rank(cands)]
    engine = _engine_order(cands)
    eligible = {c.id for c in cands if c.eligible}
    assert ranked == [i for i in engine if i in eligible] + [i for i in engine if i not in eligible]


@given(candidates)
def test_ranking_properties(cands):
    rows = ranking.rank(cands)
    assert sorted(r.candidate.id for r in rows) == sorted(c.id for c in cands)
    assert [r.place for r in rows] == list(range(1, len(cands) + 1))
    # Within one trust, its own priority decides (ranked before unranked).
    for home in "ABC":
        own = [r.candidate for r in rows if r.candidate.home == home and r.candidate.eligible]
        keys = [(c.sending_rank is None, c.sending_rank or 0) for c in own]
        assert keys == sorted(keys)
    # The trust that registered first holds the first place.
    if cands:
        first = min(cands, key=lambda c: (c.registered, c.id))
        assert ranking.queue_order(cands)[0].home == first.home


def test_start_rules():
    rules = AgreementRules(
        capacity=1,
        start_months=(2, 8),
        valid_from=D(2025, 1, 1),
        valid_to=D(2028, 12, 31),
        semester_quota=1,
        quota_semester="spring",
    )
    assert ranking.start_problem(rules, D(2027, 2, 1), 6, []) is None
    assert "måned 2, 8" in ranking.start_problem(rules, D(2027, 3, 1), 6, [])
    assert "Vår 2027" in ranking.start_problem(rules, D(2027, 8, 1), 3, [])
    assert "Kvoten" in ranking.start_problem(rules, D(2027, 2, 1), 3, [Period(D(2027, 2, 1), 1)])
    assert "bare til" in ranking.start_problem(rules, D(2028, 8, 1), 6, [])
    open_rules = AgreementRules(capacity=1)
    assert "Kapasiteten" in ranking.start_problem(
        open_rules, D(2027, 5, 1), 3, [Period(D(2027, 2, 1), 4)]
    )


def test_conflict_needs_two_trusts_and_too_few_places():
    demands = [
        ranking.Demand(1, "UNN", D(2027, 2, 1)),
        ranking.Demand(2, "NLSH", D(2027, 3, 1)),
        ranking.Demand(3, "UNN", D(2027, 9, 1)),
    ]
    found = ranking.conflicts(demands, {(2027, "spring"): 1, (2027, "autumn"): 0})
    assert len(found) == 1 and found[0].requests == (1, 2)
    assert "Vår 2027" in found[0].explanation
    assert ranking.conflicts(demands, {(2027, "spring"): 2}) == []
