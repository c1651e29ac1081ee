"""A deterministic demo region: Helse Nord with its trusts, municipalities, staff and trainees.

`load_demo(trainees=N, seed=S)` first plans every row in Python from `random.Random(seed)`
(no database ids involved, so the same seed and N give the same names, HPR numbers and dates
relative to today), then writes the plan with `bulk_create` in one transaction.

What counts as demo data, and what a rerun replaces:

* users and trainees carry `demo=True`; learning arenas are demo arenas when their leader is a
  demo user (every demo arena has one). A rerun deletes those rows first (trainees with their
  implementation plans, employments, leave and supervisors; users with their roles and API
  tokens). Every demo trainee has a user account (unusable password except `trainee`), since
  trainees sign their plans; the plans in every state come from `lisplan.demo.plans`;
* regions, institutions and approvals are matched on their natural keys (code; institution +
  specialty + start) and reused, never deleted — they are reference data that real rows may use.

The database must hold no data that is not demo data — no trainee with `demo=False` and no user
with `demo=False` except superusers (so `createsuperuser` first is fine) — unless `force=True`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from lisplan.accounts.models import Role, RoleAssignment, User
from lisplan.catalogue.models import Specialty
from lisplan.demo.bulk import insert_objects
from lisplan.demo.plans import plan_plans, write_plans
from lisplan.organisations.models import Approval, Institution, LearningArena, Region
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee

DEFAULT_SEED = 20190301
DEFAULT_TRAINEES = 2500
DEMO_PASSWORD = "demo"
NEW_SCHEME_START = dt.date(2019, 3, 1)


class DemoRefused(Exception):
    """The demo cannot be loaded into this database; the message is for the user (bokmål)."""


# --- the organisations ------------------------------------------------------------------

REGIONS = [
    ("NORD", "Helse Nord RHF"),
    ("SOR-OST", "Helse Sør-Øst RHF"),
    ("VEST", "Helse Vest RHF"),
    ("MIDT", "Helse Midt-Norge RHF"),
]

# Approved specialties of the smaller trusts; UNN (university hospital) trains in all hospital
# specialties the catalogue holds. Codes missing from the catalogue are skipped.
_SMALL = ["ANE", "AMM", "MED", "GER", "HJS", "GKI", "ORT", "GYN", "RAD", "VOP", "BUP", "RUS"]
_MEDIUM = _SMALL + [
    "FOR",
    "LUN",
    "INF",
    "END",
    "NYR",
    "BLS",
    "PED",
    "NEV",
    "ONC",
    "PAT",
    "MMB",
    "MBK",
    "ITR",
    "GAK",
    "URO",
    "KAR",
    "ØNH",
    "ØYE",
    "REV",
    "FMR",
    "HUD",
]


@dataclass(frozen=True)
class Trust:
    code: str
    name: str
    domain: str
    weight: float  # share of the region's trainees
    specialties: tuple[str, ...] | None  # None: every hospital specialty
    sites: tuple[str, ...] = ()
    sections: bool = False  # clinic → department → section (larger trusts)


NORD_TRUSTS = [
    Trust(
        "UNN",
        "Universitetssykehuset Nord-Norge HF",
        "unn.no",
        0.43,
        None,
        ("Tromsø", "Harstad", "Narvik"),
        sections=True,
    ),
    Trust(
        "NLSH",
        "Nordlandssykehuset HF",
        "nordlandssykehuset.no",
        0.24,
        tuple(_MEDIUM),
        ("Bodø", "Lofoten", "Vesterålen"),
        sections=True,
    ),
    Trust(
        "FIN",
        "Finnmarkssykehuset HF",
        "finnmarkssykehuset.no",
        0.10,
        tuple(_SMALL + ["FOR", "PED"]),
        ("Hammerfest", "Kirkenes"),
    ),
    Trust(
        "HSYK",
        "Helgelandssykehuset HF",
        "helgelandssykehuset.no",
        0.08,
        tuple(_SMALL),
        ("Mo i Rana", "Mosjøen", "Sandnessjøen"),
    ),
]


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    domain: str
    weight: float
    offices: tuple[str, ...]  # legekontor where the ALIS work
    community_medicine: bool = False  # also approved for Samfunnsmedisin


NORD_MUNICIPALITIES = [
    Municipality(
        "KOM-TROMSO",
        "Tromsø kommune",
        "tromso.kommune.no",
        0.045,
        (
            "Sentrum legesenter",
            "Kvaløysletta legesenter",
            "Tromsdalen legekontor",
            "Tromsø legevakt",
        ),
        community_medicine=True,
    ),
    Municipality(
        "KOM-BODO",
        "Bodø kommune",
        "bodo.kommune.no",
        0.035,
        ("Stormyra legesenter", "Rønvik legekontor", "Bodø legevakt"),
        community_medicine=True,
    ),
    Municipality(
        "KOM-ALTA",
        "Alta kommune",
        "alta.kommune.no",
        0.015,
        ("Alta helsesenter", "Bossekop legekontor"),
    ),
    Municipality(
        "KOM-HARSTAD",
        "Harstad kommune",
        "harstad.kommune.no",
        0.015,
        ("Harstad legesenter", "Kanebogen legekontor"),
    ),
    Municipality(
        "KOM-RANA",
        "Rana kommune",
        "rana.kommune.no",
        0.013,
        ("Mo legesenter", "Selfors legekontor"),
    ),
    Municipality(
        "KOM-NARVIK",
        "Narvik kommune",
        "narvik.kommune.no",
        0.012,
        ("Narvik legesenter", "Ballangen legekontor"),
    ),
    Municipality(
        "KOM-HAMMERFEST",
        "Hammerfest kommune",
        "hammerfest.kommune.no",
        0.008,
        ("Hammerfest legekontor",),
    ),
    Municipality(
        "KOM-VESTVAGOY", "Vestvågøy kommune", "vestvagoy.kommune.no", 0.007, ("Leknes legekontor",)
    ),
]

# The other regions: institutions (and approvals) without trainees.
OTHER_INSTITUTIONS = {
    "SOR-OST": [
        ("AHUS", "Akershus universitetssykehus HF", "health_trust", _MEDIUM),
        ("OUS", "Oslo universitetssykehus HF", "health_trust", None),
        ("SUNNAAS", "Sunnaas sykehus HF", "health_trust", ["FMR"]),
        ("SIV", "Sykehuset i Vestfold HF", "health_trust", _MEDIUM),
        ("SI", "Sykehuset Innlandet HF", "health_trust", _MEDIUM),
        ("STHF", "Sykehuset Telemark HF", "health_trust", _SMALL),
        ("SOHF", "Sykehuset Østfold HF", "health_trust", _MEDIUM),
        ("SSHF", "Sørlandet sykehus HF", "health_trust", _MEDIUM),
        ("VVHF", "Vestre Viken HF", "health_trust", _MEDIUM),
        (
            "LDS",
            "Lovisenberg Diakonale Sykehus",
            "private_hospital",
            ["MED", "GER", "GKI", "VOP", "ANE"],
        ),
        (
            "DIAKON",
            "Diakonhjemmet Sykehus",
            "private_hospital",
            ["MED", "GER", "REV", "ORT", "VOP", "ANE"],
        ),
        ("REVMA", "Revmatismesykehuset", "private_hospital", ["REV"]),
        ("MHH", "Martina Hansens Hospital", "private_hospital", ["ORT", "REV"]),
        ("BETANIEN", "Betanien sykehus", "private_hospital", ["ORT"]),
    ],
    "VEST": [
        ("HST", "Helse Stavanger HF", "health_trust", _MEDIUM),
        ("HFO", "Helse Fonna HF", "health_trust", _SMALL),
        ("HB", "Helse Bergen HF", "health_trust", None),
        ("HFD", "Helse Førde HF", "health_trust", _SMALL),
        ("HDS", "Haraldsplass Diakonale Sykehus", "private_hospital", ["MED", "GER", "GKI", "ANE"]),
    ],
    "MIDT": [
        ("HMR", "Helse Møre og Romsdal HF", "health_trust", _MEDIUM),
        ("STO", "St. Olavs hospital HF", "health_trust", None),
        ("HNT", "Helse Nord-Trøndelag HF", "health_trust", _SMALL),
    ],
}

# Clinics grouping the departments of a trust (codes not listed go to «Fagklinikken»).
CLINICS = [
    ("Medisinsk klinikk", ["MED", "BLS", "END", "FOR", "GER", "INF", "NYR"]),
    ("Hjerte- og lungeklinikken", ["HJS", "LUN", "THK"]),
    ("Akuttmedisinsk klinikk", ["ANE", "AMM"]),
    (
        "Kirurgi-, kreft- og kvinnehelseklinikken",
        ["GKI", "GAK", "KAR", "URO", "PLA", "BEK", "ONC", "GYN", "MAX"],
    ),
    ("Nevro-, ortopedi- og rehabiliteringsklinikken", ["ORT", "NEV", "NKI", "FMR", "REV"]),
    ("Barne- og ungdomsklinikken", ["PED", "BKI"]),
    ("Psykisk helse- og rusklinikken", ["VOP", "BUP", "RUS"]),
    ("Diagnostisk klinikk", ["RAD", "PAT", "MMB", "MBK", "NUK", "ITR", "GEN", "KLF", "KNF"]),
    ("Hode- og halsklinikken", ["ØNH", "ØYE", "HUD"]),
]
OTHER_CLINIC = "Fagklinikken"

DEPARTMENTS = {
    "MED": "Indremedisinsk avdeling",
    "BLS": "Hematologisk avdeling",
    "END": "Endokrinologisk avdeling",
    "FOR": "Gastromedisinsk avdeling",
    "GER": "Geriatrisk avdeling",
    "INF": "Infeksjonsmedisinsk avdeling",
    "NYR": "Nyremedisinsk avdeling",
    "HJS": "Hjertemedisinsk avdeling",
    "LUN": "Lungemedisinsk avdeling",
    "THK": "Thoraxkirurgisk avdeling",
    "ANE": "Anestesi- og intensivavdelingen",
    "AMM": "Akuttmottaket",
    "GKI": "Kirurgisk avdeling",
    "GAK": "Gastrokirurgisk avdeling",
    "KAR": "Karkirurgisk avdeling",
    "URO": "Urologisk avdeling",
    "PLA": "Plastikkirurgisk avdeling",
    "BEK": "Bryst- og endokrinkirurgisk avdeling",
    "ONC": "Kreftavdelingen",
    "GYN": "Kvinne- og fødeavdelingen",
    "MAX": "Kjevekirurgisk avdeling",
    "ORT": "Ortopedisk avdeling",
    "NEV": "Nevrologisk avdeling",
    "NKI": "Nevrokirurgisk avdeling",
    "FMR": "Rehabiliteringsavdelingen",
    "REV": "Revmatologisk avdeling",
    "PED": "Barneavdelingen",
    "BKI": "Barnekirurgisk avdeling",
    "VOP": "Psykiatrisk avdeling",
    "BUP": "Barne- og ungdomspsykiatrisk avdeling",
    "RUS": "Avdeling for rus og avhengighet",
    "RAD": "Radiologisk avdeling",
    "PAT": "Avdeling for klinisk patologi",
    "MMB": "Mikrobiologisk avdeling",
    "MBK": "Avdeling for medisinsk biokjemi",
    "NUK": "Nukleærmedisinsk avdeling",
    "ITR": "Avdeling for immunologi og transfusjonsmedisin",
    "GEN": "Avdeling for medisinsk genetikk",
    "KLF": "Avdeling for klinisk farmakologi",
    "KNF": "Klinisk nevrofysiologisk avdeling",
    "ØNH": "Øre-nese-hals-avdelingen",
    "ØYE": "Øyeavdelingen",
    "HUD": "Hudavdelingen",
    "ARB": "Arbeidsmedisinsk avdeling",
}

SECTIONS = {
    "ORT": ["Seksjon for traume", "Seksjon for protese", "Seksjon for rygg"],
    "VOP": [
        "Akuttpsykiatrisk seksjon",
        "Seksjon for psykosebehandling",
        "Distriktspsykiatrisk senter",
    ],
    "ANE": ["Seksjon for intensivmedisin", "Seksjon for operasjon og anestesi"],
    "MED": ["Seksjon for generell indremedisin", "Medisinsk poliklinikk"],
    "RAD": ["Seksjon for intervensjonsradiologi", "Seksjon for nevroradiologi"],
    "GYN": ["Fødeseksjonen", "Gynekologisk seksjon"],
    "GKI": ["Seksjon for akuttkirurgi", "Kirurgisk poliklinikk"],
    "HJS": ["Hjerteovervåkningen", "Seksjon for invasiv kardiologi"],
    "PED": ["Nyfødtintensiv", "Barnemedisinsk seksjon"],
    "BUP": ["BUP poliklinikk", "Ungdomsseksjonen"],
}

# Relative number of trainees per approved specialty (unlisted: 1).
SPECIALTY_WEIGHTS = {
    "VOP": 9,
    "MED": 8,
    "ANE": 7,
    "ORT": 6,
    "RAD": 6,
    "GKI": 5,
    "GYN": 4,
    "PED": 4,
    "HJS": 4,
    "BUP": 3,
    "AMM": 3,
    "NEV": 3,
    "ONC": 3,
    "GAK": 3,
    "GER": 2,
    "FOR": 2,
    "LUN": 2,
    "PAT": 2,
    "URO": 2,
    "RUS": 2,
    "INF": 2,
    "ØNH": 2,
}
PSYCHIATRY = {"VOP", "BUP"}

# --- names ------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anne Inger Kari Marit Ingrid Liv Eva Berit Astrid Hilde Anna Solveig Marianne Randi Ida "
    "Nina Maria Elisabeth Kristin Silje Ingvild Thea Nora Emma Sara Maja Hanna Julie Ane Marte "
    "Tone Camilla Kjersti Guro Sigrid Ragnhild Siri Heidi Lene Mari Line Karoline Vilde Helene "
    "Tuva Elin Synnøve Åse Fatima Amina Aisha Sofie Linnea Malin Oda Frida Ingeborg Aurora "
    "Jan Per Bjørn Ole Lars Kjell Knut Arne Svein Thomas Hans Geir Tor Morten Terje Erik Martin "
    "Andreas Jonas Magnus Sindre Even Henrik Eirik Kristian Sondre Håkon Mathias Emil Tobias "
    "Sander Øyvind Espen Trond Anders Marius Fredrik Petter Vegard Stian Steinar Aleksander "
    "Johannes Sigurd Ola Jørgen Ådne Mohammad Ali Ahmed Omar Daniel Adrian Ivar Einar Gunnar"
)
LAST_NAMES = _words(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen "
    "Pettersen Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen "
    "Halvorsen Henriksen Lund Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen "
    "Eide Knutsen Martinsen Paulsen Bakken Kristoffersen Mathisen Lie Amundsen Nguyen Rasmussen "
    "Lunde Solheim Berge Moe Nygård Bakke Fredriksen Holm Lien Hauge Christensen Andresen "
    "Nielsen Knudsen Evensen Sæther Aas Myhre Hanssen Ahmed Haugland Thomassen Simonsen "
    "Sivertsen Berntsen Danielsen Ellingsen Mikalsen Isaksen Mortensen Edvardsen Benjaminsen "
    "Arntzen Steinsvik Nordvik Kvalvik Bjørnstad Hætta Somby Eira Gaup Balto Khan Hussain "
    "Kowalski Nowak Ali Tran Jenssen Hermansen Ødegård Åsheim Kvernmo Bergland"
)


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.-]+", "", text.replace(" ", "-"))


# --- the plan -----------------------------------------------------------------------------


@dataclass
class PUser:
    key: str
    username: str
    first_name: str
    last_name: str
    email: str
    login: bool = False  # one of the demo logins, password «demo»
    superuser: bool = False
    roles: list[tuple[str, dict]] = field(default_factory=list)  # (role, scope keys)


@dataclass
class PArena:
    key: str
    institution: str
    parent: str | None
    name: str
    level: str
    specialty: str | None
    leader: str = ""


@dataclass
class PEmployment:
    institution: str
    arena: str | None
    specialty: str
    permanent: bool
    percent: int
    start: dt.date
    end: dt.date | None
    scheme: str
    employee_number: str


@dataclass
class PTrainee:
    first_name: str
    last_name: str
    hpr: str
    email: str
    phone: str
    user: str | None = None
    employments: list[PEmployment] = field(default_factory=list)
    leave: list[tuple[str, dt.date, dt.date, int]] = field(default_factory=list)
    supervisions: list[tuple[str, str, dt.date]] = field(default_factory=list)  # user, kind


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    name: str
    where: str


# The eight demo logins: username = role code, fixed names so the help text can name them.
LOGINS = {
    "trainee": ("Sara", "Nilsen"),
    "supervisor": ("Ole", "Mikalsen"),
    "leader": ("Kari", "Berg"),
    "education_lead": ("Anders", "Lie"),
    "local_coordinator": ("Marit", "Olsen"),
    "regional_coordinator": ("Jon", "Eriksen"),
    "planner": ("Silje", "Larsen"),
    "admin": ("Per", "Administrator"),
}
DEMO_HOME = ("UNN", "ORT")  # where `trainee` works


class Planner:
    """Builds the whole demo as plain Python objects from one seeded random generator."""

    def __init__(
        self,
        *,
        trainees: int,
        seed: int,
        today: dt.date,
        specialties: dict[str, str],
        hospital_codes: list[str],
        taken_usernames: set[str],
        taken_hprs: set[str],
    ):
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = trainees
        self.today = today
        self.specialties = specialties  # code -> name
        self.hospital_codes = hospital_codes
        self.usernames = set(taken_usernames)
        self.hprs = set(taken_hprs)
        self.emails: set[str] = set()
        self.users: dict[str, PUser] = {}
        self.arenas: dict[str, PArena] = {}
        self.approvals: list[tuple[str, str]] = []  # (institution code, specialty code)
        # (trainee, institution code, specialty code, arena key) per trainee
        self.trainees: list[tuple[PTrainee, str, str, str]] = []
        self.domains: dict[str, str] = {}
        self._leaves: dict[tuple[str, str], list[str]] = {}

    # -- people --
    def name(self) -> tuple[str, str]:
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        if self.rng.random() < 0.04:
            last = f"{self.rng.choice(LAST_NAMES)}-{last}"
        return first, last

    def email(self, first: str, last: str, domain: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"
        address, n = f"{base}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{base}{n}@{domain}"
        self.emails.add(address)
        return address

    def username(self, first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"[:140]
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name

    def hpr(self) -> str:
        while True:
            if self.rng.random() < 0.06:  # a leading zero, kept as text
                number = "0" + str(self.rng.randint(1_000_000, 99_999_999)).zfill(8)
            else:
                digits = self.rng.choices([7, 8, 9], weights=[20, 65, 15])[0]
                number = str(self.rng.randint(10 ** (digits - 1), 10**digits - 1))
            if number not in self.hprs:
                self.hprs.add(number)
                return number

    def phone(self) -> str:
        first = self.rng.choice("49")
        n = f"{first}{self.rng.randint(0, 9_999_999):07d}"
        return f"{n[:3]} {n[3:5]} {n[5:]}"

    def staff(
        self, key: str, institution: str | None, role: str, scope: dict, login: str | None = None
    ) -> PUser:
        if key in self.users:
            user = self.users[key]
        else:
            domain = self.domains.get(institution or "", "helse-nord.no")
            if login:
                first, last = LOGINS[login]
                username = login
                self.usernames.add(login)
            else:
                first, last = self.name()
                username = self.username(first, last)
            user = PUser(
                key, username, first, last, self.email(first, last, domain), login=bool(login)
            )
            self.users[key] = user
        user.roles.append((role, scope))
        return user

    # -- organisations --
    def plan_organisations(self) -> None:
        for t in NORD_TRUSTS:
            self.domains[t.code] = t.domain
            codes = [c for c in (t.specialties or self.hospital_codes) if c in self.specialties]
            self.approvals += [(t.code, c) for c in codes]
            self.plan_trust_arenas(t, codes)
        for m in NORD_MUNICIPALITIES:
            self.domains[m.code] = m.domain
            self.approvals.append((m.code, "ALM"))
            for office in m.offices:
                self.arena(
                    f"{m.code}/{office}",
                    m.code,
                    None,
                    office,
                    LearningArena.Level.DEPARTMENT,
                    "ALM",
                )
            if m.community_medicine and "SAM" in self.specialties:
                self.approvals.append((m.code, "SAM"))
                self.arena(
                    f"{m.code}/SAM",
                    m.code,
                    None,
                    "Kommuneoverlegens kontor",
                    LearningArena.Level.DEPARTMENT,
                    "SAM",
                )
        for institutions in OTHER_INSTITUTIONS.values():
            for code, _name, _kind, specs in institutions:
                specs = specs or self.hospital_codes
                self.approvals += [(code, c) for c in specs if c in self.specialties]

    def arena(self, key, institution, parent, name, level, specialty) -> PArena:
        a = PArena(key, institution, parent, name, level, specialty)
        self.arenas[key] = a
        a.leader = self.staff(f"leader:{key}", institution, Role.LEADER, {"arena": key}).key
        return a

    def plan_trust_arenas(self, t: Trust, codes: list[str]) -> None:
        by_clinic: dict[str, list[str]] = {}
        for code in codes:
            clinic = next((c for c, members in CLINICS if code in members), OTHER_CLINIC)
            by_clinic.setdefault(clinic, []).append(code)
        for clinic, members in sorted(by_clinic.items()):
            ckey = f"{t.code}/{clinic}"
            self.arena(ckey, t.code, None, clinic, LearningArena.Level.CLINIC, None)
            for code in members:
                dname = DEPARTMENTS.get(code, f"Avdeling for {self.specialties[code].lower()}")
                dkey = f"{t.code}/{code}"
                self.arena(dkey, t.code, ckey, dname, LearningArena.Level.DEPARTMENT, code)
                if not t.sections or SPECIALTY_WEIGHTS.get(code, 1) < 3:
                    continue
                sections = SECTIONS.get(code) or [f"Seksjon {site}" for site in t.sites[:2]]
                for s in sections:
                    self.arena(f"{dkey}/{s}", t.code, dkey, s, LearningArena.Level.SECTION, code)

    def leaves(self, institution: str, specialty: str) -> list[str]:
        """The arenas trainees of the specialty work in: sections, else the department(s)."""
        if not self._leaves:
            parents = {a.parent for a in self.arenas.values()}
            for k, a in self.arenas.items():
                if k not in parents and a.specialty:
                    self._leaves.setdefault((a.institution, a.specialty), []).append(k)
        return self._leaves[(institution, specialty)]

    # -- trainees --
    def quotas(self) -> list[tuple[str, int]]:
        places = [(t.code, t.weight) for t in NORD_TRUSTS]
        places += [(m.code, m.weight) for m in NORD_MUNICIPALITIES]
        total = sum(w for _, w in places)
        raw = [(code, self.n * w / total) for code, w in places]
        counts = {code: math.floor(x) for code, x in raw}
        rest = self.n - sum(counts.values())
        for code, _x in sorted(raw, key=lambda cx: cx[1] - math.floor(cx[1]), reverse=True)[:rest]:
            counts[code] += 1
        return [(code, counts[code]) for code, _ in places]

    def plan_trainees(self) -> None:
        approved: dict[str, list[str]] = {}
        for inst, spec in self.approvals:
            approved.setdefault(inst, []).append(spec)
        municipalities = {m.code for m in NORD_MUNICIPALITIES}
        nord_trusts = [t.code for t in NORD_TRUSTS]
        quotas = dict(self.quotas())
        quotas[DEMO_HOME[0]] -= 1
        plans: list[tuple[str, str]] = [DEMO_HOME]
        for inst, count in quotas.items():
            if inst in municipalities:
                specs = approved[inst]
                weights = [1 if s == "ALM" else 0.04 for s in specs]
            else:
                specs = approved[inst]
                weights = [SPECIALTY_WEIGHTS.get(s, 1) for s in specs]
            plans += [(inst, s) for s in self.rng.choices(specs, weights=weights, k=max(count, 0))]

        for i, (inst, spec) in enumerate(plans):
            demo = i == 0
            first, last = LOGINS["trainee"] if demo else self.name()
            t = PTrainee(
                first,
                last,
                self.hpr(),
                self.email(first, last, self.domains[inst]),
                self.phone(),
                user="login:trainee" if demo else None,
            )
            leaves = self.leaves(inst, spec)
            arena = leaves[0] if demo else self.rng.choice(leaves)
            start, permanent, end, scheme = self.employment_dates(demo)
            percent = 100
            if not demo and self.rng.random() < 0.10:
                percent = self.rng.choice([50, 60, 70, 75, 80])
            if not demo and self.rng.random() < 0.06:  # a previous, ended employment
                prev_inst = inst
                if inst not in municipalities and self.rng.random() < 0.5:
                    others = [c for c in nord_trusts if c != inst and spec in approved[c]]
                    prev_inst = self.rng.choice(others) if others else inst
                prev_start = start - dt.timedelta(days=self.rng.randint(180, 1100))
                t.employments.append(
                    PEmployment(
                        prev_inst,
                        self.rng.choice(self.leaves(prev_inst, spec)),
                        spec,
                        False,
                        100,
                        prev_start,
                        start - dt.timedelta(days=1),
                        "old" if prev_start < NEW_SCHEME_START else scheme,
                        self.employee_number(),
                    )
                )
            t.employments.append(
                PEmployment(
                    inst,
                    arena,
                    spec,
                    permanent,
                    percent,
                    start,
                    end,
                    scheme,
                    self.employee_number(),
                )
            )
            if not demo and self.rng.random() < 0.08:
                t.leave.append(self.leave(start))
            self.trainees.append((t, inst, spec, arena))

    def employment_dates(self, demo: bool):
        today = self.today
        if demo:
            return today - dt.timedelta(days=2 * 365), True, None, "new"
        if self.rng.random() < 0.04:  # old scheme: started before 1 March 2019
            start = NEW_SCHEME_START - dt.timedelta(days=self.rng.randint(30, 900))
            return start, True, None, "old"
        if self.rng.random() < 0.15:  # temporary: ends 6–24 months from now
            start = today - dt.timedelta(days=self.rng.randint(0, 540))
            end = today + dt.timedelta(days=self.rng.randint(183, 730))
            return start, False, end, "new"
        start = today - dt.timedelta(days=self.rng.randint(0, 6 * 365))
        return start, True, None, "new"

    def employee_number(self) -> str:
        return str(self.rng.randint(100000, 999999))

    def leave(self, not_before: dt.date) -> tuple[str, dt.date, dt.date, int]:
        kind = self.rng.choices(["parental", "sick", "education"], weights=[55, 30, 15])[0]
        start = max(not_before, self.today - dt.timedelta(days=self.rng.randint(0, 240)))
        days, percent = {
            "parental": (self.rng.randint(150, 330), self.rng.choice([100, 100, 100, 80, 50])),
            "sick": (self.rng.randint(14, 120), self.rng.choice([100, 100, 50, 40])),
            "education": (self.rng.randint(30, 180), self.rng.choice([100, 50, 20])),
        }[kind]
        return kind, start, start + dt.timedelta(days=days), percent

    def plan_supervisors(self) -> None:
        groups: dict[tuple[str, str], list] = {}
        for t, inst, spec, _arena in self.trainees:
            groups.setdefault((inst, spec), []).append(t)
        for (inst, spec), trainees in groups.items():
            size = max(2 if spec in PSYCHIATRY else 1, math.ceil(len(trainees) / 3))
            pool = []
            for i in range(size):
                login = "supervisor" if (inst, spec) == DEMO_HOME and i == 0 else None
                key = "login:supervisor" if login else f"supervisor:{inst}:{spec}:{i}"
                pool.append(
                    self.staff(key, inst, Role.SUPERVISOR, {"institution": inst}, login=login).key
                )
            for t in trainees:
                start = t.employments[-1].start
                main = pool[0] if t.user == "login:trainee" else self.rng.choice(pool)
                t.supervisions.append((main, Supervision.Kind.MAIN, start))
                if spec in PSYCHIATRY:
                    other = self.rng.choice([k for k in pool if k != main])
                    t.supervisions.append((other, Supervision.Kind.PSYCHOTHERAPY, start))

    def plan_staff(self) -> None:
        home_inst, home_spec = DEMO_HOME
        for t in NORD_TRUSTS:
            login = "local_coordinator" if t.code == home_inst else None
            self.staff(
                f"login:{login}" if login else f"lk:{t.code}",
                t.code,
                Role.LOCAL_COORDINATOR,
                {"institution": t.code},
                login=login,
            )
            self.staff(
                f"uko:{t.code}",
                t.code,
                Role.EDUCATION_COORDINATOR_PHYSICIAN,
                {"institution": t.code},
            )
        for m in NORD_MUNICIPALITIES:  # the ALIS coordinator
            self.staff(f"lk:{m.code}", m.code, Role.LOCAL_COORDINATOR, {"institution": m.code})
        for inst, spec in self.approvals:
            if inst not in self.domains or inst.startswith("KOM-"):
                continue
            login = "education_lead" if (inst, spec) == DEMO_HOME else None
            self.staff(
                f"login:{login}" if login else f"uao:{inst}:{spec}",
                inst,
                Role.EDUCATION_LEAD,
                {"institution": inst, "specialty": spec},
                login=login,
            )
        for login in ("regional_coordinator", "planner"):
            self.staff(f"login:{login}", None, login, {"region": "NORD"}, login=login)
        admin = self.staff("login:admin", None, Role.ADMIN, {}, login="admin")
        admin.superuser = True
        self.staff("login:trainee", home_inst, Role.TRAINEE, {}, login="trainee")
        # `leader` leads the department the demo trainee works in.
        dept = self.arenas[f"{home_inst}/{home_spec}"]
        old = self.users.pop(dept.leader)
        self.usernames.discard(old.username)
        self.staff("login:leader", home_inst, Role.LEADER, {"arena": dept.key}, login="leader")
        dept.leader = "login:leader"

    def plan(self) -> Planner:
        self.plan_organisations()
        self.plan_staff()
        self.plan_trainees()
        self.plan_supervisors()
        return self


# --- writing the plan --------------------------------------------------------------------


def non_demo_counts() -> tuple[int, int]:
    """Trainees and users (other than superusers) that are not demo data."""
    return (
        Trainee.objects.filter(demo=False).count(),
        User.objects.filter(demo=False, is_superuser=False).count(),
    )


@contextmanager
def _without_delete_signals():
    """Deleting the old demo sends no per-row delete signals (issue #18: replacing a national
    demo took minutes, one UPDATE or log line per employment, leave period and role). What
    they would do is done in bulk instead: the deleted trainees' progress and deadline rows go
    with them (cascade), and the revoked demo roles are logged as one security event. Without
    listeners Django also deletes the related tables with one statement each."""
    from django.db.models import signals

    hushed = (signals.pre_delete, signals.post_delete)
    saved = []
    for signal in hushed:
        with signal.lock:
            saved.append((signal.receivers, signal.sender_receivers_cache))
            signal.receivers = []
            signal.sender_receivers_cache = {}
    try:
        yield
    finally:
        for signal, (receivers, _cache) in zip(hushed, saved, strict=True):
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache = {}


def clear_demo() -> None:
    """Delete the demo users, trainees (with their implementation plans) and arenas (see the
    module docstring), without per-row signals (`_without_delete_signals`)."""
    from lisplan.demo.plans import clear_plans
    from lisplan.jsonlog import security_event
    from lisplan.programmes.demo import clear_programmes
    from lisplan.rotations.demo import clear_rotations

    roles = RoleAssignment.objects.filter(user__demo=True)
    revoked = roles.count()
    with _without_delete_signals():
        clear_programmes()  # programme plans point to demo arenas and agreements
        clear_rotations()  # requests and vacancies point to demo trainees and arenas
        clear_plans()
        Supervision.objects.filter(Q(trainee__demo=True) | Q(supervisor__demo=True)).delete()
        for model in (LeavePeriod, Employment):  # children first: one statement each
            model.objects.filter(trainee__demo=True).delete()
        Trainee.objects.filter(demo=True).delete()
        arenas = LearningArena.objects.filter(leader__demo=True)
        for level in (
            LearningArena.Level.SECTION,
            LearningArena.Level.DEPARTMENT,
            LearningArena.Level.CLINIC,
        ):
            arenas.filter(level=level).delete()
        roles.delete()
        User.objects.filter(demo=True).delete()
    if revoked:
        security_event("role.revoked", demo=True, count=revoked)


def _unapplied_migrations() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _analyze() -> None:
    """Refresh the query planner's statistics after the bulk load.

    Without them SQLite answers an employment filter on the trainee list (institution +
    specialty, 7,000 trainees) through the (institution, specialty) index inside the correlated
    subquery: 1.7 s instead of 50 ms. See docs/performance.md.
    """
    from lisplan.plans.models import ImplementationPlan, Period, Revision, Signature

    models = [
        Trainee,
        Employment,
        LeavePeriod,
        Supervision,
        User,
        RoleAssignment,
        LearningArena,
        Institution,
        Approval,
        Specialty,
        ImplementationPlan,
        Revision,
        Period,
        Signature,
    ]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class DemoResult:
    trainees: int
    users: int
    institutions: int
    arenas: int
    seconds: float
    logins: list[Login]
    plans: dict[str, int] = field(default_factory=dict)  # demo plans per state (demo.plans)


def load_demo(
    *,
    trainees: int = DEFAULT_TRAINEES,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    today: dt.date | None = None,
) -> DemoResult:
    """Load the demo region (replacing earlier demo data); see the module docstring."""
    from lisplan.catalogue.loader import load_catalogue

    if trainees < 1:
        raise DemoRefused("Antall leger må være minst 1.")
    if _unapplied_migrations():
        raise DemoRefused("Databasen er ikke oppdatert. Kjør «lisplan migrate» først.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        load_catalogue()
        if not force:
            n_trainees, n_users = non_demo_counts()
            if n_trainees or n_users:
                raise DemoRefused(
                    "Databasen inneholder allerede data som ikke er demodata "
                    f"({n_trainees} leger og {n_users} brukere som ikke er superbrukere). "
                    "Demodata lastes bare inn i en database uten slike data. Bruk --force for å "
                    "laste demodata likevel; tidligere demodata erstattes, andre data beholdes."
                )
        taken = set(
            User.objects.filter(username__in=LOGINS, demo=False).values_list("username", flat=True)
        )
        if taken:
            raise DemoRefused(
                "Brukernavnet «{}» er allerede i bruk av en bruker som ikke er demobruker. "
                "Gi brukeren et annet brukernavn eller bruk en annen database.".format(
                    "», «".join(sorted(taken))
                )
            )
        try:
            clear_demo()
        except ProtectedError as exc:
            raise DemoRefused(
                "Tidligere demodata kan ikke erstattes fordi andre data viser til dem "
                f"({len(exc.protected_objects)} rader, f.eks. «{next(iter(exc.protected_objects))}»)."
            ) from exc
        specialties = dict(Specialty.objects.values_list("code", "name"))
        hospital = sorted(
            Specialty.objects.filter(kind=Specialty.Kind.HOSPITAL).values_list("code", flat=True)
        )
        missing = {"ALM", DEMO_HOME[1]} - set(specialties)
        if missing:
            raise DemoRefused("Katalogen mangler spesialitetene " + ", ".join(sorted(missing)))
        plan = Planner(
            trainees=trainees,
            seed=seed,
            today=today,
            specialties=specialties,
            hospital_codes=hospital,
            taken_usernames=set(User.objects.values_list("username", flat=True)),
            taken_hprs=set(
                Trainee.objects.exclude(hpr_number=None).values_list("hpr_number", flat=True)
            ),
        ).plan()
        # One story per trainee (issue #12 item 8): the agreements first, then each plan picks
        # its period at a partner among them, and the requests follow the plans.
        from lisplan.rotations.demo import load_rotation_demo, plan_agreements

        agreements = plan_agreements(plan, seed)
        implementation_plans, story = plan_plans(plan, seed, agreements)
        logins, plan_counts, trainee_rows = _write(plan, today, implementation_plans, agreements)
        load_rotation_demo(  # register, requests from the plans' periods, vacancy
            seed=seed, today=today, story={trainee_rows[i].pk: day for i, day in story.items()}
        )
    _analyze()
    return DemoResult(
        trainees=len(plan.trainees),
        users=len(plan.users),
        institutions=len(plan.domains),
        arenas=len(plan.arenas),
        seconds=time.perf_counter() - started,
        logins=logins,
        plans=dict(plan_counts),
    )


def _write(
    plan: Planner, today: dt.date, implementation_plans, agreements
) -> tuple[list[Login], Counter, list[Trainee]]:
    regions = {}
    for code, name in REGIONS:
        regions[code], _ = Region.objects.get_or_create(code=code, defaults={"name": name})
    wanted = [(t.code, t.name, Institution.Kind.HEALTH_TRUST, "NORD") for t in NORD_TRUSTS]
    wanted += [(m.code, m.name, Institution.Kind.MUNICIPALITY, "NORD") for m in NORD_MUNICIPALITIES]
    wanted += [
        (code, name, kind, region)
        for region, rows in OTHER_INSTITUTIONS.items()
        for code, name, kind, _specs in rows
    ]
    existing = {i.code: i for i in Institution.objects.filter(code__in=[w[0] for w in wanted])}
    new = [
        Institution(code=c, name=n, kind=k, region=regions[r])
        for c, n, k, r in wanted
        if c not in existing
    ]
    Institution.objects.bulk_create(new)
    institutions = existing | {i.code: i for i in new}

    specialties = dict(Specialty.objects.values_list("code", "id"))
    have = set(
        Approval.objects.filter(valid_from=NEW_SCHEME_START).values_list(
            "institution_id", "specialty_id"
        )
    )
    Approval.objects.bulk_create(
        [
            Approval(
                institution=institutions[i],
                specialty_id=specialties[s],
                valid_from=NEW_SCHEME_START,
            )
            for i, s in dict.fromkeys(plan.approvals)
            if (institutions[i].id, specialties[s]) not in have
        ]
    )

    # Users: the logins get «demo» (one hash for all eight), the rest an unusable password
    # (also one value: making one per user took a second for the 3,700 users of 2,500 trainees).
    # The demo hash is deliberately cheap (`accounts.hashers`, demo accounts only): a demo or a
    # load test logs in often; real accounts keep Django's hasher.
    from lisplan.accounts.hashers import DemoPasswordHasher

    demo_hash = make_password(DEMO_PASSWORD, hasher=DemoPasswordHasher())
    unusable = make_password(None)
    users = {}
    for p in plan.users.values():
        users[p.key] = User(
            username=p.username,
            first_name=p.first_name,
            last_name=p.last_name,
            email=p.email,
            password=demo_hash if p.login else unusable,
            demo=True,
            is_staff=p.superuser,
            is_superuser=p.superuser,
        )
    insert_objects(list(users.values()))

    arenas: dict[str, LearningArena] = {}
    pending = list(plan.arenas.values())
    while pending:  # one level at a time: parents exist before their children
        level = [a for a in pending if a.parent is None or a.parent in arenas]
        pending = [a for a in pending if a not in level]
        objs = [
            LearningArena(
                institution=institutions[a.institution],
                parent=arenas.get(a.parent),
                name=a.name,
                level=a.level,
                specialty_id=specialties.get(a.specialty),
                leader=users[a.leader],
            )
            for a in level
        ]
        LearningArena.objects.bulk_create(objs, batch_size=500)
        for a, obj in zip(level, objs, strict=True):
            obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
            arenas[a.key] = obj
        LearningArena.objects.bulk_update(objs, ["path"], batch_size=500)

    insert_objects(
        [
            RoleAssignment(
                user=users[p.key],
                role=role,
                arena=arenas.get(scope.get("arena")),
                institution=institutions.get(scope.get("institution")),
                region=regions.get(scope.get("region")),
                specialty_id=specialties.get(scope.get("specialty")),
                valid_from=today - dt.timedelta(days=3 * 365),
            )
            for p in plan.users.values()
            for role, scope in p.roles
        ]
    )

    trainees = [
        Trainee(
            first_name=t.first_name,
            last_name=t.last_name,
            hpr_number=t.hpr,
            email=t.email,
            phone=t.phone,
            user=users.get(t.user),
            demo=True,
        )
        for t, *_ in plan.trainees
    ]
    insert_objects(trainees)
    employments, leave, supervisions = [], [], []
    employment_rows: dict[int, Employment] = {}  # id(PEmployment) -> row
    for (t, *_), obj in zip(plan.trainees, trainees, strict=True):
        for e in t.employments:
            employment_rows[id(e)] = Employment(
                trainee=obj,
                institution=institutions[e.institution],
                arena=arenas[e.arena],
                specialty_id=specialties[e.specialty],
                permanent=e.permanent,
                position_percent=e.percent,
                start=e.start,
                end=e.end,
                scheme=e.scheme,
                employee_number=e.employee_number,
            )
            employments.append(employment_rows[id(e)])
        leave += [
            LeavePeriod(trainee=obj, kind=k, start=s, end=e, percent=p) for k, s, e, p in t.leave
        ]
        supervisions += [
            Supervision(trainee=obj, supervisor=users[u], kind=k, start=s)
            for u, k, s in t.supervisions
        ]
    insert_objects(employments)
    insert_objects(leave)
    insert_objects(supervisions)
    from lisplan.rotations.demo import write_agreements

    agreement_rows = write_agreements(
        agreements,
        institutions=institutions,
        specialties=specialties,
        arenas=arenas,
        seed=plan.seed,
    )
    plan_counts = write_plans(
        implementation_plans,
        plan,
        trainees=trainees,
        employments=employment_rows,
        users=users,
        arenas=arenas,
        institutions=institutions,
        specialties=specialties,
        agreements=agreement_rows,
    )
    return _logins(plan, arenas, institutions), plan_counts, trainees


def _logins(plan: Planner, arenas, institutions) -> list[Login]:
    home_inst, home_spec = DEMO_HOME
    unn = institutions[home_inst].name
    dept = arenas[f"{home_inst}/{home_spec}"].name
    t, _inst, spec, arena = plan.trainees[0]
    spec_name = plan.specialties[spec]
    where = {
        "trainee": f"{spec_name}, {plan.arenas[arena].name}, {unn}",
        "supervisor": f"hovedveileder for {t.first_name} {t.last_name}, {unn}",
        "leader": f"leder for {dept}, {unn}",
        "education_lead": f"UAO for {spec_name}, {unn}",
        "local_coordinator": f"LIS-koordinator, {unn}",
        "regional_coordinator": "Helse Nord RHF",
        "planner": "Helse Nord RHF",
        "admin": "systemadministrator (også Django-admin)",
    }
    out = []
    for username in LOGINS:
        p = plan.users[f"login:{username}"]
        out.append(
            Login(
                username,
                str(Role(username).label),
                f"{p.first_name} {p.last_name}",
                where[username],
            )
        )
    return out
