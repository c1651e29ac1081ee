"""Realistic random instances: Norwegian regions, trusts of three sizes, 44 specialties."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from .instance import month_index, month_text

REGIONS: dict[str, list[tuple[str, str]]] = {  # trust, size: U(niversity), M(edium), S(mall)
    "SOR-OST": [
        ("OUS", "U"),
        ("AHUS", "U"),
        ("VV", "M"),
        ("SI", "M"),
        ("SOHF", "M"),
        ("STHF", "M"),
        ("SIV", "M"),
        ("SSHF", "M"),
        ("DIAK", "S"),
        ("LDS", "S"),
        ("MHH", "S"),
        ("SUNNAAS", "S"),
        ("BETANIEN", "S"),
        ("REVMA", "S"),
    ],
    "VEST": [("HB", "U"), ("SUS", "M"), ("HFO", "S"), ("HFD", "S"), ("HDS", "S")],
    "MIDT": [("STO", "U"), ("HMR", "M"), ("HNT", "S"), ("KRS", "S")],
    "NORD": [("UNN", "U"), ("NLSH", "M"), ("HELG", "S"), ("FIN", "S"), ("VESTR", "S")],
}
REGION_ORDER = ["VEST", "MIDT", "NORD", "SOR-OST"]
SIZE_WEIGHT = {"U": 10.0, "M": 4.0, "S": 1.2}
SPECIALTIES = [
    "AKU",
    "ANE",
    "BAR",
    "BKI",
    "BRY",
    "DER",
    "END",
    "FOD",
    "FYS",
    "GAS",
    "GER",
    "GKI",
    "HEM",
    "HJE",
    "IMM",
    "INF",
    "IND",
    "KAR",
    "KFA",
    "KGE",
    "KKI",
    "KNE",
    "LUN",
    "MBI",
    "NEF",
    "NEV",
    "NKI",
    "NUK",
    "ONK",
    "ORT",
    "PAT",
    "PED",
    "PLA",
    "PSY",
    "RAD",
    "REV",
    "RUS",
    "THO",
    "URO",
    "ONH",
    "OYE",
    "RMA",
    "MFY",
    "KIM",
]  # 44 hospital specialties
COMMON = {"IND": 8, "ANE": 5, "PSY": 8, "GKI": 5, "RAD": 4, "ORT": 4, "PED": 3, "FOD": 3}
START_RULES = [[], [], [2, 8], [3, 9], [1, 7], [1, 4, 7, 10]]


@dataclass
class Draft:
    rng: random.Random
    start: int
    horizon: int
    arenas: dict[str, dict] = field(default_factory=dict)
    agreements: dict[tuple[str, str, int], dict] = field(default_factory=dict)
    trainees: list[dict] = field(default_factory=list)
    occupied: list[dict] = field(default_factory=list)
    demand: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def default_regions(trainees: int) -> int:
    """A region has about 2,500 trainees, the country about 7,000 (domain.md)."""
    return min(4, max(1, round(trainees / 1750)))


def generate(
    trainees: int,
    seed: int = 0,
    regions: int | None = None,
    max_delay_months: int = 0,
    start_month: str = "2027-01",
    horizon_months: int = 60,
    capacity_scale: float = 1.0,
) -> dict:
    """An instance document (lisplan-allocation/1) with about `trainees` trainees (7,000 for
    the country give about 3,000 requests). `capacity_scale` multiplies every agreement's and
    arena's capacity (at least 1 position each) without changing anything else, so that the
    same trainees and requests can be solved at several load levels."""
    draft = Draft(random.Random(seed), month_index(start_month), horizon_months)
    chosen = REGION_ORDER[: regions or default_regions(trainees)]
    trusts = [(region, trust, size) for region in chosen for trust, size in REGIONS[region]]
    weights = [SIZE_WEIGHT[size] for _, _, size in trusts]
    spec_weights = [COMMON.get(s, 1) for s in SPECIALTIES]
    for i in range(trainees):
        region, home, size = draft.rng.choices(trusts, weights)[0]
        specialty = draft.rng.choices(SPECIALTIES, spec_weights)[0]
        draft.trainees.append(_trainee(draft, i, region, home, size, specialty))
    _rank(draft)
    _capacities(draft, capacity_scale)
    return {
        "format": "lisplan-allocation/1",
        "start_month": start_month,
        "horizon_months": horizon_months,
        "policy": {"max_delay_months": max_delay_months},
        "arenas": sorted(draft.arenas.values(), key=lambda a: a["id"]),
        "agreements": sorted(draft.agreements.values(), key=lambda a: a["id"]),
        "trainees": draft.trainees,
        "occupied": draft.occupied,
    }


def _receivers(region: str, home: str, size: str, specialty: str) -> list[str]:
    """Where a trainee of `home` goes for a period: the region's university hospital(s); a
    university hospital's trainees go to another university hospital (national functions)."""
    universities = [t for t, s in REGIONS[region] if s == "U" and t != home]
    if size == "U" or not universities:
        universities = [t for r in REGIONS for t, s in REGIONS[r] if s == "U" and t != home][:1]
    return universities


def _trainee(draft: Draft, i: int, region: str, home: str, size: str, specialty: str) -> dict:
    rng = draft.rng
    trainee = {
        "id": f"T-{i:06d}",
        "home": home,
        "specialty": specialty,
        "permanent": rng.random() < 0.93,
        "approved_goals": [],
        "expected_goals": {},
        "unavailable": _leave(draft),
        "requests": [],
    }
    n_requests = {
        "U": rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),  # mean 0.1
        "M": rng.choice([0, 0, 1, 1, 1]),  # 0.6
        "S": rng.choice([0, 1, 1, 2]),
    }[size]  # 1.0
    receiver = rng.choice(_receivers(region, home, size, specialty))
    previous = None
    desired = draft.start + rng.randint(0, 30)
    registered = _date(rng)  # a trainee's plan is usually registered at once
    for k in range(n_requests):
        options = _agreements_for(draft, home, receiver, specialty)
        for agreement in options:
            _goals(draft, trainee, agreement, desired)
        request = {
            "id": f"R-{i:06d}-{k}",
            "agreements": [a["id"] for a in options],
            "registered": registered,
            "desired_start": month_text(desired),
            "latest_end": None,
            "after": previous if rng.random() < 0.7 else None,
        }
        duration = options[0]["duration_months"]
        if rng.random() < 0.3:
            request["latest_end"] = month_text(desired + duration + rng.randint(3, 24))
        for agreement in options:
            draft.demand[agreement["id"]] += duration / len(options)
        trainee["requests"].append(request)
        previous = request["id"] if request["after"] is not None or k == 0 else previous
        desired += duration + rng.randint(0, 12)
    return trainee


def _leave(draft: Draft) -> list[dict]:
    rng = draft.rng
    if rng.random() >= 0.15:
        return []
    first = draft.start + rng.randint(0, draft.horizon - 12)
    return [{"from": month_text(first), "to": month_text(first + rng.randint(3, 11))}]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _agreements_for(draft: Draft, home: str, receiver: str, specialty: str) -> list[dict]:
    """The agreements a request lists: one, or (at split departments) two arenas."""
    sections = 2 if hash_stable(receiver + specialty) % 3 == 0 else 1
    found = []
    for section in range(sections):
        key = (home, receiver + specialty, section)
        if key not in draft.agreements:
            draft.agreements[key] = _agreement(draft, home, receiver, specialty, section)
        found.append(draft.agreements[key])
    if len(found) > 1:
        draft.rng.shuffle(found)
    return found


def hash_stable(text: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(text))


def _agreement(draft: Draft, home: str, receiver: str, specialty: str, section: int) -> dict:
    rng = draft.rng
    arena_id = f"{receiver}-{specialty}" + (f"-{section + 1}" if section else "")
    draft.arenas.setdefault(arena_id, {"id": arena_id, "institution": receiver, "capacity": 0})
    prerequisites = [f"{specialty}-{rng.randint(1, 40):03d}"] if rng.random() < 0.3 else []
    return {
        "id": f"A-{home}-{arena_id}",
        "sending": home,
        "receiving": receiver,
        "arena": arena_id,
        "specialty": specialty,
        "duration_months": rng.choice([3, 6, 6, 6, 12]),
        "capacity": 1,
        "start_months": rng.choice(START_RULES),
        "prerequisites": prerequisites,
        "valid_from": month_text(draft.start - 24),
        "valid_to": None if rng.random() < 0.9 else month_text(draft.start + rng.randint(36, 59)),
    }


def _goals(draft: Draft, trainee: dict, agreement: dict, desired: int) -> None:
    rng = draft.rng
    for goal in agreement["prerequisites"]:
        if goal in trainee["approved_goals"] or goal in trainee["expected_goals"]:
            continue
        roll = rng.random()
        if roll < 0.6:
            trainee["approved_goals"].append(goal)
        elif roll < 0.95:
            trainee["expected_goals"][goal] = month_text(desired + rng.randint(-3, 9))


def _rank(draft: Draft) -> None:
    """Half of the trusts rank (some of) their own trainees."""
    by_home: dict[str, list[dict]] = defaultdict(list)
    for trainee in draft.trainees:
        if trainee["requests"]:
            by_home[trainee["home"]].append(trainee)
    for home in sorted(by_home):
        if hash_stable(home) % 2:
            ranked = draft.rng.sample(by_home[home], k=len(by_home[home]) // 3)
            for rank, trainee in enumerate(ranked, start=1):
                trainee["sending_rank"] = rank


def _capacities(draft: Draft, scale: float) -> None:
    """Capacity near the requested volume (times `scale`), tighter at some places, so that
    queues form; about half of the positions are taken by periods already running at the
    start. An agreement allows at least one trainee; an arena's capacity follows the demand on
    it (not the sum of its agreements', which the floor of one would inflate). The random
    draws do not depend on `scale`."""
    rng = draft.rng
    busy_months = draft.horizon * 0.6
    agreement_factor = {key: rng.uniform(0.7, 1.3) for key in draft.agreements}
    arena_factor = {key: rng.uniform(0.7, 1.0) for key in draft.arenas}
    running = random.Random(rng.getrandbits(64))
    wanted: dict[str, float] = defaultdict(float)
    for key, agreement in draft.agreements.items():
        per_month = draft.demand[agreement["id"]] / busy_months * agreement_factor[key] * scale
        agreement["capacity"] = max(1, round(per_month))
        wanted[agreement["arena"]] += per_month
    for key, arena in draft.arenas.items():
        arena["capacity"] = max(1, round(wanted[key] * arena_factor[key]))
    free = {key: arena["capacity"] for key, arena in draft.arenas.items()}
    for agreement in draft.agreements.values():
        _running(draft, running, agreement, free)


def _running(draft: Draft, rng: random.Random, agreement: dict, free: dict[str, int]) -> None:
    duration = agreement["duration_months"]
    for _ in range(agreement["capacity"]):
        if duration > 1 and rng.random() < 0.5 and free[agreement["arena"]] > 0:
            free[agreement["arena"]] -= 1
            first = draft.start - rng.randint(1, duration - 1)
            draft.occupied.append(
                {
                    "agreement": agreement["id"],
                    "trainee": f"T-RUN-{len(draft.occupied):05d}",
                    "from": month_text(first),
                    "to": month_text(first + duration - 1),
                }
            )
