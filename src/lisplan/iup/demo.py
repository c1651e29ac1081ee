"""Individual education plans (IUP) for the demo trainees, in every state, hospital and ALIS,
plus table-3 templates for a few specialties per institution. Deterministic
(`random.Random(seed)`), written with `bulk_create` (no per-row services, like `demo.plans`), but
every row is one the services could have produced, and every revision's history has the audit
events of its steps — created or revised, submitted, each signature, completed — with the
steps' own past times (`write_audit`; `demo.audit`):

* a signed revision has the three signatures (the trainee's user, an active supervisor, the
  leader of the trainee's arena) and its status table frozen from the progress engine;
* only the newest revision of a plan is open (draft / awaiting signatures); an older signed one
  is superseded only when a newer one is signed;
* hospital plans get table 3 from the course's template where there is one.

States (per demo trainee with a current employment): signed and in order, signed but overdue
(last signature more than six months ago), in revision (signed + a newer draft or a newer one
awaiting signatures), first draft, awaiting signatures, and missing. The demo persona `trainee`
has a signed revision 1 and revision 2 awaiting the supervisor's and leader's signatures.

Called by `lisplan demo` after the progress demo (the status tables read the ledger):

    from lisplan.iup.demo import load_iup_demo
    load_iup_demo(seed=seed, today=today)
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from lisplan.accounts.models import Role, RoleAssignment, User
from lisplan.demo.audit import clear_events, event, insert_events
from lisplan.demo.bulk import insert_objects
from lisplan.demo.plans import _own_timestamps
from lisplan.iup import rules
from lisplan.iup.models import (
    TEMPLATE_FIELDS,
    CoursePeriod,
    EducationPlan,
    Kind,
    Meeting,
    RequirementsTemplate,
    Revision,
    Signature,
    Status,
    SupervisorRow,
)
from lisplan.trainees.models import Employment, Supervision, Trainee

SIGNED = "signed"
OVERDUE = "overdue"
REVISION_DRAFT = "revision_draft"
REVISION_SIGNING = "revision_signing"
DRAFT = "draft"
SIGNING = "signing"
MISSING = "missing"
STATE_WEIGHTS = {
    SIGNED: 46,
    OVERDUE: 10,
    REVISION_DRAFT: 8,
    REVISION_SIGNING: 5,
    DRAFT: 9,
    SIGNING: 9,
    MISSING: 13,
}
TEMPLATES_PER_INSTITUTION = 3
BATCH = 500
AUDIT_TYPE = Revision._meta.label_lower  # «iup.revision»

HOSPITAL_TEXT = {
    "degree": [
        "Universitetet i Tromsø, 2017",
        "NTNU, 2018",
        "Universitetet i Oslo, 2016",
        "Universitetet i Bergen, 2019",
        "Jagiellonian University, Kraków, 2018",
    ],
    "lis1_comment": [
        "UNN Harstad og Tromsø kommune, 2019–2020",
        "Nordlandssykehuset Vesterålen og Sortland kommune, 2020–2021",
        "Helgelandssykehuset Mo i Rana og Rana kommune, 2018–2019",
    ],
    "procedure_requirements": ["", "Prosedyreliste i kompetanseportalen følges opp månedlig."],
    "fkm_in_clinical": [
        "Pasientinformasjon og samvalg i poliklinikken; meldinger i avvikssystemet.",
        "Deltar i pasientsikkerhetsgruppen og i tverrfaglige møter.",
    ],
    "priority_goals": [
        "Læringsmål knyttet til akuttfunksjonen og vurdering av innlagte pasienter.",
        "Poliklinisk utredning og oppfølging; selvstendig bakvakt.",
        "Prosedyrer som gjenstår på prosedyrelisten.",
    ],
    "courses_national": [
        "Nasjonalt anbefalt kurs i spesialiteten til høsten.",
        "To nasjonale kurs våren; søknad sendt.",
    ],
    "courses_local": ["Lokalt akuttkurs", "Simuleringstrening en gang i måneden"],
    "fkm_project": [
        "Kvalitetsforbedringsprosjekt om ventetid i poliklinikken, start i vår.",
        "Prosjektoppgave «Kunnskap og forbedring» om legemiddelsamstemming.",
    ],
    "literature": ["Oppdatert lærebok i faget, ett kapittel per uke.", "Nasjonale retningslinjer."],
    "teaching_topics": [
        "Internundervisning om nye retningslinjer.",
        "Kasuistikk på fredagsmøtet hver sjette uke.",
    ],
    "own_supervision_tasks": ["Veileder for LIS1 i avdelingen.", "Veileder for medisinstudenter."],
    "personal_goal": [
        "Trygg i bakvaktsrollen innen neste vurderingskollegium.",
        "Bli selvstendig i poliklinisk utredning.",
        "Fullføre prosjektoppgaven og holde to internundervisninger.",
    ],
    "planned_leave": ["", "", "Foreldrepermisjon planlagt til høsten."],
    "other_competence": [
        "",
        "Instruktør i avansert hjerte-lungeredning.",
        "Erfaring fra legevakt i Nord-Norge.",
    ],
}
ALIS_TEXT = {
    "plan_open_practice": [
        "Fastlegeliste med 1 000 pasienter, fire dager i uka.",
        "Egen liste fra august; halv liste fram til da.",
    ],
    "plan_other_gp": ["Sykehjemslege én dag i uka.", "Helsestasjon annenhver uke.", ""],
    "plan_institution": ["Institusjonstjeneste er gjennomført.", ""],
    "plan_courses": ["Grunnkurs B og C, ett emnekurs.", "Emnekurs i geriatri og akuttkurs."],
    "plan_group_supervision": ["Fortsetter i veiledningsgruppen (to timer annenhver uke)."],
    "plan_out_of_hours": ["Legevakt to ganger i måneden.", "Legevakt hver tredje uke."],
    "plan_other_activities": [
        "Praksisbesøk av veileder i vår.",
        "Felleskonsultasjon med veileder.",
    ],
    "plan_in_depth": ["Fordypning i geriatri.", "Fordypning i barn og unges helse."],
    "planned_leave": ["", "Foreldrepermisjon planlagt neste år."],
    "plan_overall": [
        "Åpen uselektert praksis i kommunen gjennom hele løpet, "
        "institusjonstjeneste i år tre, søknad om spesialistgodkjenning om fem år.",
        "Sykehjem og legevakt i tillegg til fastlegepraksis; institusjonstjeneste "
        "etter gjennomføringsplanen.",
    ],
}
# Clinical work in the trainee's own unit (table 6), by kind of specialty: no operating
# programme for a psychiatrist (issue #12 item 8).
SURGICAL = {
    "GKI",
    "GAK",
    "KAR",
    "URO",
    "ORT",
    "GYN",
    "ØNH",
    "ØYE",
    "PLA",
    "NKI",
    "BKI",
    "THK",
    "MAX",
    "BEK",
}
PSYCHIATRIC = {"VOP", "BUP", "RUS"}
CLINICAL_OWN_UNIT = {
    "surgical": [
        "Operasjonsprogram to dager i uka, bakvaktsopplæring fra våren.",
        "Poliklinikk og operasjonsstue; forvakt i akuttkirurgisk team.",
    ],
    "psychiatric": [
        "Poliklinikk og døgnenhet; terapiveiledning hver uke.",
        "Akuttpsykiatrisk mottak og sengepost; vaktordning i tredelt turnus.",
    ],
    "other": [
        "Dagarbeid i poliklinikk og sengepost, forvakt annenhver uke.",
        "Mottak og sengepost; ansvar for tverrfaglig morgenmøte en uke i måneden.",
    ],
}


def _clinical_own_unit(rng: random.Random, specialty: str) -> str:
    group = (
        "surgical"
        if specialty in SURGICAL
        else "psychiatric"
        if specialty in PSYCHIATRIC
        else "other"
    )
    return rng.choice(CLINICAL_OWN_UNIT[group])


# A rotation to another unit of the same trust that belongs to the specialty's programme
# (table 3 «andre enheter», table 5 tentative period): only for these specialties, and never
# overlapping the trainee's period at another trust (issue #12 item 8).
OTHER_UNIT = {
    "GKI": ("Anestesi- og intensivavdelingen", 3),
    "GAK": ("Anestesi- og intensivavdelingen", 3),
    "KAR": ("Anestesi- og intensivavdelingen", 3),
    "URO": ("Kirurgisk avdeling", 6),
    "ORT": ("Anestesi- og intensivavdelingen", 3),
    "ANE": ("Akuttmottaket", 3),
    "MED": ("Hjertemedisinsk avdeling", 6),
    "GER": ("Indremedisinsk avdeling", 6),
    "HJS": ("Indremedisinsk avdeling", 6),
    "LUN": ("Indremedisinsk avdeling", 6),
    "VOP": ("Avdeling for rus og avhengighet", 6),
    "BUP": ("Psykiatrisk avdeling", 6),
    "PED": ("Nyfødtintensiv", 3),
    "NEV": ("Indremedisinsk avdeling", 6),
    "GYN": ("Kirurgisk avdeling", 3),
}

TEMPLATE_TEXT = {
    "programme_plan_url": "https://helse-nord.no/utdanningsplaner/{code}",
    "requirements_notes": "Se utdanningsplanen for {name}. Prosedyrelisten i kompetanseportalen "
    "skal være gjennomgått før hvert vurderingskollegium.",
    "goals_own_unit": "De fleste læringsmålene i {name} oppnås i egen avdeling; se "
    "kompetanseportalen for læringsmål som gjenstår.",
    "goals_other_unit": "",
    "goals_other_trust": "Læringsmål som krever regionsfunksjon oppnås i en "
    "spesialiseringsperiode etter foretakets fagavtale; tid og sted står i "
    "den godkjente gjennomføringsplanen.",
    "goals_adjacent": "",
    "internal_teaching": "LIS holder internundervisning minst to ganger i halvåret.",
}


@dataclass
class IupDemoResult:
    plans: int = 0
    revisions: int = 0
    templates: int = 0
    states: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def clear_iup_demo() -> None:
    """Delete the IUPs of demo trainees and the templates written by demo users (so the demo
    trainees and users can be deleted: `EducationPlan.trainee` and `Signature.user` protect)."""
    from django.db import DatabaseError

    try:
        _delete_demo_plans()
        clear_events(AUDIT_TYPE)
        Signature.objects.filter(user__demo=True).delete()
        RequirementsTemplate.objects.filter(updated_by__demo=True).delete()
    except DatabaseError:  # not migrated yet: the demo loader reports that itself
        return


def _delete_demo_plans() -> None:
    """Children first, so each delete is one query (no cascade collection in Python)."""
    demo = Q(revision__plan__trainee__demo=True)
    for model in (Signature, Meeting, SupervisorRow, CoursePeriod):
        model.objects.filter(demo).delete()
    Revision.objects.filter(plan__trainee__demo=True).delete()
    EducationPlan.objects.filter(trainee__demo=True).delete()


def _pick(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


def _partner_periods() -> dict[int, list[tuple[str, dt.date, dt.date]]]:
    """{trainee: [(institution, start, end)]}: the periods at another institution than the
    employer in each demo trainee's newest approved implementation plan (what table 5 shows)."""
    from django.db.models import F

    from lisplan.plans.models import Period
    from lisplan.plans.models import Status as PlanStatus

    newest: dict[int, int] = {}
    out: dict[int, list[tuple[str, dt.date, dt.date]]] = defaultdict(list)
    for tid, rev, name, start, end in (
        Period.objects.filter(
            revision__plan__trainee__demo=True, revision__status=PlanStatus.APPROVED
        )
        .exclude(institution_id=F("revision__employer_id"))
        .order_by("revision__plan__trainee_id", "-revision__approved_at", "start")
        .values_list(
            "revision__plan__trainee_id", "revision_id", "institution__name", "start", "end"
        )
    ):
        if newest.setdefault(tid, rev) == rev:
            out[tid].append((name, start, end))
    return out


def _months(start: dt.date, end: dt.date) -> int:
    return max(1, round(((end - start).days + 1) / 30.4375))


def _story(
    specialty: str, partners: list[tuple[str, dt.date, dt.date]], start: dt.date, open_ended: bool
) -> tuple[dict, tuple[str, dt.date, dt.date] | None]:
    """Table 3 and 6 texts and the tentative table-5 period of one hospital trainee, from the
    trainee's own programme: the period at another trust in the approved implementation plan
    (named with its dates, as table 5 shows it) and a rotation to another unit only where the
    specialty has one, placed so that it overlaps nothing (issue #12 item 8)."""
    content: dict = {}
    if partners:
        content["goals_other_trust"] = " ".join(
            f"Spesialiseringsperiode ved {name} {a:%m.%Y}–{b:%m.%Y} ({_months(a, b)} måneder), "
            "jf. godkjent gjennomføringsplan."
            for name, a, b in partners
        )
    unit = OTHER_UNIT.get(specialty)
    if unit is None or not open_ended:
        content["clinical_other_unit"] = ""
        return content, None
    name, months = unit
    begin = rules.add_months(start, 12)
    for _name, a, b in sorted(partners, key=lambda p: p[1]):
        end = rules.add_months(begin, months) - dt.timedelta(days=1)
        if begin <= b and a <= end:  # overlaps the period at another trust: go after it
            begin = b + dt.timedelta(days=1)
    end = rules.add_months(begin, months) - dt.timedelta(days=1)
    content["goals_other_unit"] = (
        f"Læringsmål som krever tjeneste ved {name.lower()}: rotasjon dit ({months} måneder)."
    )
    content["clinical_other_unit"] = f"{months} måneder ved {name.lower()}, se tabell 5."
    return content, (name, begin, end)


def _leaders() -> list[tuple[str, int]]:
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.LEADER)
        .exclude(arena=None)
        .values_list("arena__path", "user_id")
    )


def _leader_for(path: str | None, leaders: list[tuple[str, int]]) -> int | None:
    """The leader of the nearest arena above (or at) `path`."""
    if not path:
        return None
    best = None
    for prefix, uid in leaders:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, uid)
    return best[1] if best else None


def _templates(
    rng: random.Random, users: dict[int, User]
) -> dict[tuple[int, int], RequirementsTemplate]:
    """Templates for the most common specialties at each institution, and for every demo
    education lead's course."""
    courses = defaultdict(list)
    for inst, spec, _n in (
        Employment.objects.not_ended()
        .filter(trainee__demo=True)
        .exclude(specialty__code="ALM")
        .values_list("institution_id", "specialty_id")
        .annotate(n=Count("pk"))
        .order_by("institution_id", "-n", "specialty_id")
    ):
        courses[inst].append(spec)
    wanted = {(i, s) for i, specs in courses.items() for s in specs[:TEMPLATES_PER_INSTITUTION]}
    leads = list(
        RoleAssignment.objects.active()
        .filter(role=Role.EDUCATION_LEAD)
        .exclude(specialty=None)
        .values_list("institution_id", "specialty_id", "user_id")
    )
    author = {}
    for inst, spec, uid in leads:
        wanted.add((inst, spec))
        author[(inst, spec)] = uid
    from lisplan.catalogue.models import Specialty

    specialties = Specialty.objects.in_bulk({s for _i, s in wanted})
    existing = set(RequirementsTemplate.objects.values_list("institution_id", "specialty_id"))
    rows = []
    for inst, spec in sorted(wanted - existing):
        s = specialties[spec]
        text = {k: v.format(code=s.code.lower(), name=s.name) for k, v in TEMPLATE_TEXT.items()}
        uid = author.get((inst, spec)) or next(iter(users), None)
        rows.append(
            RequirementsTemplate(institution_id=inst, specialty_id=spec, updated_by_id=uid, **text)
        )
    RequirementsTemplate.objects.bulk_create(rows, batch_size=BATCH)
    return {(t.institution_id, t.specialty_id): t for t in RequirementsTemplate.objects.all()}


def _content(
    rng: random.Random,
    kind: str,
    trainee: Trainee,
    employment: Employment,
    sup_name: str,
    sup_email: str,
    coordinator: str,
    leader: str,
    template: RequirementsTemplate | None,
    start: dt.date,
) -> dict:
    content = {
        "valid_from": start,
        "valid_to": rules.add_months(start, 6),
        "made_by": f"{trainee.full_name} og {sup_name}".strip(),
        "place": str(employment.institution.name).split(" ")[0],
        "workplace": str(
            employment.arena.name if employment.arena_id else employment.institution.name
        ),
    }
    if kind == Kind.ALIS:
        content.update({k: _pick(rng, v) for k, v in ALIS_TEXT.items()})
        content.update(
            municipality_registered=rng.random() < 0.9,
            municipality_leader=leader,
            alis_coordinator=coordinator,
            contact=" / ".join(x for x in (trainee.email, trainee.phone) if x),
            supervisor_name=sup_name,
            supervisor_contact=sup_email,
            minutes_by=rng.choice(["trainee", "supervisor"]),
            next_meeting=start + dt.timedelta(days=rng.randint(20, 40)),
        )
    else:
        content.update({k: _pick(rng, v) for k, v in HOSPITAL_TEXT.items()})
        content["clinical_own_unit"] = _clinical_own_unit(rng, employment.specialty.code)
        content.update(
            scheme=employment.scheme,
            next_panel=start + dt.timedelta(days=rng.randint(120, 175)),
            next_meeting=start + dt.timedelta(days=rng.randint(20, 40)),
        )
        if template is not None:
            content.update({f: getattr(template, f) for f in TEMPLATE_FIELDS})
            content["template_applied"] = template
    return content


def _state(rng: random.Random, employment: Employment, today: dt.date) -> str:
    age = (today - employment.start).days
    if age < 0:
        return MISSING
    if age < rules.NEW_POSITION_DAYS:
        return rng.choice([DRAFT, MISSING, SIGNING])
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    state = rng.choices(states, weights=weights)[0]
    if state == OVERDUE and age < 200:
        return SIGNED
    return state


def load_iup_demo(
    *,
    seed: int,
    today: dt.date | None = None,
    snapshots: bool = True,
    inputs: dict | None = None,
) -> IupDemoResult:
    """`inputs`: the trainees' progress-engine inputs as of today, when the caller has them
    (`progress.demo.load_progress_demo(...).inputs`); read here otherwise."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(seed * 7919 + 5)
    result = IupDemoResult()
    now = timezone.now()
    with transaction.atomic():
        _delete_demo_plans()
        clear_events(AUDIT_TYPE)  # a re-run on its own; `lisplan demo` clears them all first
        users = {
            u.pk: u
            for u in User.objects.filter(demo=True).only(
                "pk", "first_name", "last_name", "username", "email"
            )
        }
        templates = _templates(rng, users)
        result.templates = len(templates)
        trainees = {t.pk: t for t in Trainee.objects.filter(demo=True).order_by("pk")}
        main: dict[int, Employment] = {}
        for e in (
            Employment.objects.not_ended(today)
            .filter(trainee__demo=True)
            .select_related("institution", "specialty", "arena")
            .order_by("start", "pk")
        ):
            main[e.trainee_id] = e
        sups: dict[int, list[int]] = defaultdict(list)
        for tid, uid in (
            Supervision.objects.filter(Q(end__isnull=True) | Q(end__gte=today), trainee__demo=True)
            .order_by("kind", "start")
            .values_list("trainee_id", "supervisor_id")
        ):
            sups[tid].append(uid)
        all_users = {
            u.pk: u
            for u in User.objects.filter(pk__in={u for v in sups.values() for u in v}).only(
                "pk", "first_name", "last_name", "username", "email"
            )
        }
        coordinators = {}
        for inst, uid in (
            RoleAssignment.objects.active()
            .filter(role=Role.LOCAL_COORDINATOR)
            .exclude(institution=None)
            .values_list("institution_id", "user_id")
        ):
            coordinators.setdefault(inst, uid)
        coordinator_users = {u.pk: u for u in User.objects.filter(pk__in=coordinators.values())}
        leaders = _leaders()
        leader_users = {u.pk: u for u in User.objects.filter(pk__in={u for _p, u in leaders})}

        def name(u) -> str:
            return (u.get_full_name() or u.username) if u else ""

        persona = User.objects.filter(username="trainee", demo=True).first()
        partners = _partner_periods()
        tentative: dict[int, tuple[str, dt.date, dt.date]] = {}
        plans, revisions_spec = [], []
        for tid, trainee in trainees.items():
            emp = main.get(tid)
            if emp is None:
                continue
            state = _state(rng, emp, today)
            if persona is not None and trainee.user_id == persona.pk:
                state = REVISION_SIGNING
            if state == MISSING:
                result.states[state] += 1
                continue
            kind = (
                Kind.ALIS
                if (emp.specialty.code == "ALM" or emp.institution.kind == "municipality")
                else Kind.HOSPITAL
            )
            sup_ids = sups.get(tid, [])
            sup = all_users.get(sup_ids[0]) if sup_ids else None
            leader_id = _leader_for(emp.arena.path if emp.arena_id else None, leaders)
            signers = {
                "trainee": trainee.user_id,
                "supervisor": sup.pk if sup else None,
                "leader": leader_id,
            }
            # States that need all three signers fall back to drafts without them.
            if None in signers.values() and state not in (DRAFT,):
                state = DRAFT
            result.states[state] += 1
            coord = coordinator_users.get(coordinators.get(emp.institution_id))
            template = (
                templates.get((emp.institution_id, emp.specialty_id))
                if kind == Kind.HOSPITAL
                else None
            )
            first_start = max(emp.start, today - dt.timedelta(days=rng.randint(30, 170)))
            if state == OVERDUE:
                first_start = max(emp.start, today - dt.timedelta(days=rng.randint(200, 400)))
            content = _content(
                rng,
                kind,
                trainee,
                emp,
                name(sup),
                sup.email if sup else "",
                name(coord),
                name(leader_users.get(leader_id)),
                template,
                first_start,
            )
            if kind == Kind.ALIS and partners.get(tid):
                content["plan_institution"] = " ".join(
                    f"Institusjonstjeneste ved {n} {a:%m.%Y}–{b:%m.%Y} ({_months(a, b)} "
                    "måneder), jf. gjennomføringsplanen."
                    for n, a, b in partners[tid]
                )
            if kind == Kind.HOSPITAL:
                story, period = _story(
                    emp.specialty.code,
                    partners.get(tid, []),
                    content["valid_from"],
                    emp.end is None,
                )
                content.update(story)
                if period is not None:
                    tentative[tid] = period
            plan = EducationPlan(trainee_id=tid, employment=emp, kind=kind)
            plans.append(plan)
            sup_rows = [
                (
                    name(all_users.get(u)),
                    emp.specialty.name if i == 0 else "",
                    "Hovedveileder" if i == 0 else "Veileder",
                    u,
                )
                for i, u in enumerate(sup_ids[:2])
            ]
            specs = []
            signed_at = timezone.make_aware(
                dt.datetime.combine(
                    first_start + dt.timedelta(days=rng.randint(3, 20)), dt.time(10)
                )
            )
            if state in (SIGNED, OVERDUE, REVISION_DRAFT, REVISION_SIGNING):
                specs.append(
                    (1, Status.SIGNED, signed_at, content, ("trainee", "supervisor", "leader"))
                )
                second = dict(content, valid_from=today, valid_to=rules.add_months(today, 6))
                if "personal_goal" in second:
                    second["personal_goal"] = _pick(rng, HOSPITAL_TEXT["personal_goal"])
                if state == REVISION_DRAFT:
                    specs.append((2, Status.DRAFT, None, second, ()))
                elif state == REVISION_SIGNING:
                    specs.append((2, Status.AWAITING_SIGNATURES, None, second, ("trainee",)))
            elif state == DRAFT:
                specs.append((1, Status.DRAFT, None, content, ()))
            elif state == SIGNING:
                given = ("trainee",) if rng.random() < 0.6 else ("trainee", "supervisor")
                specs.append((1, Status.AWAITING_SIGNATURES, None, content, given))
            steps = [
                _steps(number, signed_at, given, first_start, today, now)
                for number, _status, signed_at, _content, given in specs
            ]
            plan.created_at = steps[0].created
            revisions_spec.append((plan, specs, steps, sup_rows, signers, kind, emp))

        with _own_timestamps(EducationPlan, Revision):  # the steps' own past times
            insert_objects(plans)
            result.plans = len(plans)
            revs, sup_objs, meetings, periods, signatures = [], [], [], [], []
            signed_by_trainee: dict[int, Revision] = {}
            for plan, specs, steps, sup_rows, signers, kind, emp in revisions_spec:
                for (number, status, signed_at, content, given), step in zip(
                    specs, steps, strict=True
                ):
                    rev = Revision(
                        plan=plan,
                        number=number,
                        status=status,
                        signed_at=signed_at,
                        submitted_at=step.submitted,
                        created_at=step.created,
                        updated_at=step.updated,
                        version=1 + len(given) + (1 if status != Status.DRAFT else 0),
                        **content,
                    )
                    revs.append((rev, sup_rows, signers, given, kind, emp, content, step))
                    if status == Status.SIGNED:
                        signed_by_trainee[plan.trainee_id] = rev
            if snapshots and signed_by_trainee:  # written with the revisions, not updated
                _snapshots(signed_by_trainee, today, inputs or {})
            insert_objects([r[0] for r in revs])
        result.revisions = len(revs)
        for rev, sup_rows, signers, given, kind, _emp, content, step in revs:
            for i, (sname, sspec, srole, uid) in enumerate(sup_rows):
                sup_objs.append(
                    SupervisorRow(
                        revision=rev,
                        position=i,
                        user_id=uid,
                        name=sname,
                        specialty=sspec,
                        role=srole,
                    )
                )
            start = content["valid_from"]
            for m in range(1, 6):
                meetings.append(
                    Meeting(
                        revision=rev,
                        kind=Meeting.Kind.SUPERVISION,
                        date=rules.add_months(start, m),
                        time=dt.time(14, 0),
                    )
                )
            if kind == Kind.HOSPITAL and content.get("next_panel"):
                meetings.append(
                    Meeting(
                        revision=rev,
                        kind=Meeting.Kind.ASSESSMENT_PANEL,
                        date=content["next_panel"],
                        time=dt.time(8, 30),
                    )
                )
                unit = tentative.get(rev.plan.trainee_id)
                if unit is not None:  # every revision carries the tentative row on
                    periods.append(
                        CoursePeriod(
                            revision=rev,
                            where=CoursePeriod.Where.OTHER_UNIT,
                            place=unit[0],
                            start=unit[1],
                            end=unit[2],
                        )
                    )
            for role in given:
                uid = signers[role]
                u = users.get(uid) or all_users.get(uid) or leader_users.get(uid)
                signatures.append(
                    Signature(
                        revision=rev,
                        role=role,
                        user_id=uid,
                        name=(u.get_full_name() or u.username) if u else "",
                        signed_at=step.signed[role],
                    )
                )
        for rows in (sup_objs, meetings, periods, signatures):
            insert_objects(rows)
        write_audit([(r[0], r[7]) for r in revs], trainees, signatures)
        from lisplan.iup.deadlines import refresh_all

        refresh_all(today)  # the stored deadlines behind the work list (bulk: seven queries)
    result.seconds = time.perf_counter() - started
    return result


def _as_of(inp, day: dt.date):
    """The engine's input as the ledger stood on `day`: goals approved later are not yet
    approved, later activities not yet registered; the engine itself counts service up to
    `inp.today`."""
    from dataclasses import replace

    goals = tuple(
        g
        if not g.approved or (g.approved_on is not None and g.approved_on <= day)
        else replace(g, approved=False, approved_on=None)
        for g in inp.goals
    )
    activities = tuple(a for a in inp.activities if a.on is None or a.on <= day)
    return replace(inp, today=day, goals=goals, activities=activities)


def _snapshots(signed: dict[int, Revision], today: dt.date, known: dict) -> None:
    """Freeze the status table of every signed revision as it stood on the day it was signed
    (issue #12 item 8: «locked at signing»), from the progress engine: the inputs are the
    `known` ones (read for the summaries) or read in batches, and each is cut at the signing
    day (`_as_of`) before the engine runs. Sets `status_snapshot` on the unsaved revisions
    (they are written with it: no UPDATE of thousands of JSON values afterwards)."""
    from lisplan.iup.status import alis_table, hospital_table
    from lisplan.progress.evaluation import _evaluator
    from lisplan.progress.ledger_input import GoalCatalogue, build_inputs

    goals = GoalCatalogue(today)
    run = _evaluator()
    ids = sorted(signed)
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        missing = [tid for tid in chunk if tid not in known]
        inputs = build_inputs(missing, today, goals) if missing else {}
        inputs.update((tid, known[tid]) for tid in chunk if tid in known)
        for tid in chunk:
            rev = signed[tid]
            day = timezone.localdate(rev.signed_at)
            inp, ctx = inputs[tid]
            inp = _as_of(inp, day)
            res = None
            if run is not None and inp.specialty:
                kind = ctx["specialty"].kind if ctx["specialty"] else ""
                res = run(inp, kind, ctx["specialty_start"])
            build = alis_table if rev.plan.kind == Kind.ALIS else hospital_table
            rev.status_snapshot = build(inp, ctx, res, day).as_json()


@dataclass
class Steps:
    """When a demo revision went through its steps (all before the demo was loaded)."""

    created: dt.datetime
    submitted: dt.datetime | None
    signed: dict[str, dt.datetime]  # role → when
    updated: dt.datetime


SIGN_ORDER = ("trainee", "supervisor", "leader")


def _steps(
    number: int,
    signed_at: dt.datetime | None,
    given: tuple[str, ...],
    first_start: dt.date,
    today: dt.date,
    now: dt.datetime,
) -> Steps:
    """A signed revision was drafted three days before it was signed, sent to signing two hours
    before, and signed by the trainee, the supervisor and last the leader (at `signed_at`); its
    plan was made with it. An open one was drafted on its first day (a new revision:
    yesterday), and sent to signing and signed within the next hours — all at least a few
    hours before now."""
    if signed_at is not None:
        signed = {
            role: signed_at - dt.timedelta(minutes=30 * (len(SIGN_ORDER) - 1 - i))
            for i, role in enumerate(SIGN_ORDER)
        }
        return Steps(
            signed_at - dt.timedelta(days=3), signed_at - dt.timedelta(hours=2), signed, signed_at
        )
    day = first_start if number == 1 else today - dt.timedelta(days=1)
    created = min(
        timezone.make_aware(dt.datetime.combine(day, dt.time(9))), now - dt.timedelta(hours=3)
    )
    if not given:
        return Steps(created, None, {}, created)
    submitted = created + dt.timedelta(hours=1)
    signed = {
        role: submitted + dt.timedelta(minutes=20 * (i + 1))
        for i, role in enumerate(r for r in SIGN_ORDER if r in given)
    }
    return Steps(created, submitted, signed, max(signed.values()))


def write_audit(
    revisions: list[tuple[Revision, Steps]],
    trainees: dict[int, Trainee],
    signatures: list[Signature],
) -> int:
    """The audit history of the demo revisions, as `iup.services` would have written it:
    created (or revised), submitted, each signature, completed — at the steps' times, in bulk
    (`demo.audit`: `request_id` «demo», the actor by name only). The trainee drafts and submits
    the plan; the leader's signature completes it. Returns the event count."""
    from django.utils.translation import gettext

    word = gettext("revisjon")  # as str(revision), without a lookup per event
    label = {role: str(Signature.Role(role).label) for role in SIGN_ORDER}
    by_revision: dict[int, list[Signature]] = defaultdict(list)
    for sig in signatures:
        by_revision[sig.revision_id].append(sig)
    events: list[dict] = []
    for rev, step in revisions:
        tid = rev.plan.trainee_id
        trainee = trainees[tid].full_name

        def add(at, actor, action, changes, rev=rev, tid=tid, trainee=trainee):
            events.append(
                event(
                    at=at,
                    actor=actor,
                    action=action,
                    object_type=AUDIT_TYPE,
                    object_id=rev.pk,
                    object_repr=f"{trainee} – {word} {rev.number}",
                    trainee_id=tid,
                    changes=changes,
                )
            )

        if rev.number == 1:
            add(
                step.created,
                trainee,
                "iup.created",
                {
                    "status": [None, Status.DRAFT],
                    "kind": [None, rev.plan.kind],
                    "valid_from": [None, rev.valid_from.isoformat()],
                    "valid_to": [None, rev.valid_to.isoformat()],
                    "made_by": [None, rev.made_by],
                },
            )
        else:
            add(step.created, trainee, "iup.revised", {"revision": [rev.number - 1, rev.number]})
        if step.submitted is None:
            continue
        add(
            step.submitted,
            trainee,
            "iup.submitted",
            {"status": [Status.DRAFT, Status.AWAITING_SIGNATURES]},
        )
        signed = sorted(by_revision[rev.pk], key=lambda x: x.signed_at)
        for sig in signed:
            add(sig.signed_at, sig.name, "iup.signed", {"signature": [None, label[sig.role]]})
        if rev.status == Status.SIGNED:
            add(
                rev.signed_at,
                signed[-1].name,
                "iup.completed",
                {"status": [Status.AWAITING_SIGNATURES, Status.SIGNED]},
            )
    insert_events(events)
    return len(events)
