"""Property tests on small random instances."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lisplan.allocation.instance import Plan, month_text
from lisplan.allocation.optimise import optimise
from lisplan.allocation.result import parse_result, result_document
from lisplan.allocation.rules import own_rule_failure, own_starts
from lisplan.allocation.validate import inversions, violations

from .builders import baseline_of

SMALL = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = 2027 * 12
HORIZON = 12


def months(offset_low: int, offset_high: int):
    return st.integers(offset_low, offset_high).map(lambda k: month_text(START + k))


@st.composite
def documents(draw, max_trainees: int = 7, max_requests: int = 14, horizon: int = HORIZON):
    arenas = [
        {"id": f"AR{i}", "institution": "R", "capacity": draw(st.integers(0, 2))}
        for i in range(draw(st.integers(1, 2)))
    ]
    agreements = []
    for i in range(draw(st.integers(1, 4))):
        agreement = {
            "id": f"A{i}",
            "sending": draw(st.sampled_from(["S1", "S2"])),
            "receiving": "R",
            "arena": draw(st.sampled_from([a["id"] for a in arenas])),
            "specialty": "X",
            "duration_months": draw(st.integers(1, 4)),
            "capacity": draw(st.integers(0, 2)),
            "start_months": draw(st.lists(st.integers(1, 12), max_size=4, unique=True)),
            "prerequisites": draw(st.sampled_from([[], [], ["G"]])),
        }
        if draw(st.booleans()):
            agreement["valid_to"] = draw(months(4, 14))
        agreements.append(agreement)
    ids = [a["id"] for a in agreements]
    trainees = []
    budget = max_requests
    for t in range(draw(st.integers(1, max_trainees))):
        if budget <= 0:
            break
        requests = []
        for k in range(min(budget, draw(st.integers(1, 2)))):
            budget -= 1
            requests.append(
                {
                    "id": f"R{t}{k}",
                    "agreements": draw(
                        st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)
                    ),
                    "registered": draw(st.sampled_from(["2025-01-01", "2025-02-01", "2025-03-01"])),
                    "desired_start": draw(months(-2, 6)),
                    "latest_end": draw(st.one_of(st.none(), months(2, 12))),
                    "after": f"R{t}0" if k and draw(st.booleans()) else None,
                }
            )
        trainee = {
            "id": f"T{t}",
            "home": draw(st.sampled_from(["S1", "S2"])),
            "specialty": "X",
            "permanent": draw(st.sampled_from([True, True, False])),
            "approved_goals": draw(st.sampled_from([[], ["G"]])),
            "expected_goals": draw(st.sampled_from([{}, {"G": month_text(START + 3)}])),
            "unavailable": draw(
                st.lists(months(0, 10).map(lambda m: {"from": m, "to": m}), max_size=1)
            ),
            "requests": requests,
        }
        if draw(st.booleans()):
            trainee["sending_rank"] = draw(st.integers(1, 3))
        trainees.append(trainee)
    occupied = [
        {
            "agreement": draw(st.sampled_from(ids)),
            "trainee": "T-run",
            "from": month_text(START - 2),
            "to": draw(months(0, 3)),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    return {
        "format": "lisplan-allocation/1",
        "start_month": month_text(START),
        "horizon_months": horizon,
        "policy": {"max_delay_months": draw(st.integers(0, 3))},
        "arenas": arenas,
        "agreements": agreements,
        "trainees": trainees,
        "occupied": occupied,
    }


@SMALL
@given(documents())
def test_baseline_keeps_every_rule(document):
    inst, order, base = baseline_of(document)
    assert violations(inst, base, base) == []
    assert len(base.assignments) + len(base.unassigned) == len(inst.requests)


@SMALL
@given(documents())
def test_baseline_inverts_only_for_requests_that_waited_for_their_after(document):
    inst, order, base = baseline_of(document)
    position = {r: i for i, r in enumerate(order)}

    def waited(request_id):
        after = inst.requests[request_id].after
        while after is not None:
            if position[after] > position[request_id]:
                return True
            after = inst.requests[after].after
        return False

    assert all(waited(inv.before) for inv in inversions(inst, base, order))


@SMALL
@given(documents())
def test_optimised_plan_keeps_rules_guard_and_is_no_worse(document):
    inst, order, base = baseline_of(document)
    outcome = optimise(inst, base, 5.0, order=order)
    assert violations(inst, outcome.plan, base) == []
    assert outcome.objective <= outcome.baseline_objective + 1e-6
    if outcome.lp_bound is not None:
        assert outcome.lp_bound <= outcome.objective + 1e-6
    found = inversions(inst, outcome.plan, order)
    for inv in found:  # each inversion is within Δ, by the guard
        placed = base.assignments.get(inv.before)
        if placed is not None:
            assert (
                outcome.plan.assignments[inv.before].start <= placed.start + inst.max_delay_months
            )
    document = result_document(inst, base, outcome, order, found)
    plan, reported = parse_result(document)
    assert plan.assignments == outcome.plan.assignments
    assert violations(inst, plan, base, reported, order) == []


@SMALL
@given(documents())
def test_own_starts_agrees_with_the_rule_check(document):
    inst, _, _ = baseline_of(document)
    for request in inst.requests.values():
        brute = [
            (s, a)
            for s in range(inst.start_month - 2, inst.end_month + 2)
            for a in request.agreements
            if own_rule_failure(inst, request, inst.agreements[a], s) is None
        ]
        rank = {a: i for i, a in enumerate(request.agreements)}
        assert own_starts(inst, request) == sorted(brute, key=lambda sa: (sa[0], rank[sa[1]]))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3000)
    | st.text(max_size=8)
    | st.sampled_from(["2027-01", "2027-13", "2025-01-01", "A0", "R00", "T0"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@SMALL
@given(documents(), st.data())
def test_a_damaged_file_gives_path_named_errors_never_a_traceback(document, data):
    from lisplan.allocation.parse import InvalidFile, parse_instance

    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from([p for p in _paths(document) if p]))
        target = document
        for step in path[:-1]:
            target = target[step]
        if data.draw(st.booleans()) and isinstance(target, dict):
            target.pop(path[-1], None)
        elif isinstance(target, dict) or path[-1] < len(target):
            target[path[-1]] = data.draw(JSON_VALUES)
    try:
        parse_instance(document)
    except InvalidFile as exc:
        assert exc.errors and all(e.path.startswith("$") for e in exc.errors)


@SMALL
@given(documents(), st.data())
def test_the_validator_survives_any_plan_and_flags_a_broken_one(document, data):
    from lisplan.allocation.instance import Assignment

    inst, order, base = baseline_of(document)
    plan = Plan(dict(base.assignments), dict(base.unassigned))
    for _ in range(data.draw(st.integers(1, 4))):
        request_id = data.draw(st.sampled_from([*inst.requests, "R-unknown"]))
        plan.unassigned.pop(request_id, None)
        plan.assignments[request_id] = Assignment(
            request_id,
            data.draw(st.sampled_from([*inst.trainees, "T-unknown"])),
            data.draw(st.sampled_from([*inst.agreements, "A-unknown"])),
            START + data.draw(st.integers(-3, HORIZON + 3)),
        )
    found = violations(inst, plan, base, set(), order)
    if any(
        a.request not in inst.requests or a.agreement not in inst.agreements
        for a in plan.assignments.values()
    ):
        assert found
