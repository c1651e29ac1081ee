"""Writes to programme plans: a draft from the national template (or from the published
version), changes to a draft, publishing. Each checks the permission on the course with the one
access policy, runs in one transaction, writes one audit event, and sanitises rich text.

A published version never changes (`StateError`); every write carries the `version` the user
started from (`StaleVersion` → 409 in the API, a message on the page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import can, course_in_scope
from lisplan.audit.services import record
from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.documents import signing
from lisplan.errors import Invalid, Problem
from lisplan.organisations.models import Institution, LearningArena
from lisplan.programmes import richtext
from lisplan.programmes.models import (
    Approver,
    NationalTemplate,
    PartnerPeriod,
    Phase,
    PlanArena,
    ProgrammePlan,
    Status,
)
from lisplan.rotations.models import CollaborationAgreement

RICH_FIELDS = ("introduction", "supervision", "assessment", "courses")
TEXT_FIELDS = (*RICH_FIELDS, "contact")
StateError = signing.StateError


class StaleVersion(signing.StaleVersion):
    message = gettext_lazy(
        "Utdanningsplanen er endret av noen andre siden du åpnet den. Last inn på nytt."
    )


class PlanInvalid(Invalid):
    """The content breaks rules; `problems` name each field, code and message."""

    detail = gettext_lazy("Utdanningsplanen har feil som må rettes.")  # type: ignore[assignment]

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems), problems=problems)


@dataclass
class PhaseData:
    name: str
    months: int
    description: str = ""


@dataclass
class ArenaData:
    arena_id: int
    goals: Sequence[str] = ()  # goal codes
    prerequisites: Sequence[str] = ()
    activities: str = ""
    months: int | None = None
    phase: int | None = None  # index into the phases (0-based)


@dataclass
class PeriodData:
    agreement_id: int
    description: str = ""
    approver: str = Approver.RECEIVING
    prerequisites: Sequence[str] = ()
    phase: int | None = None


@dataclass
class Content:
    """Everything a draft holds; `None` children are left as they are."""

    fields: dict = field(default_factory=dict)
    phases: list[PhaseData] | None = None
    arenas: list[ArenaData] | None = None
    periods: list[PeriodData] | None = None


# --- the national template -------------------------------------------------------------------

HOSPITAL_PHASES = [
    (gettext_lazy("Del 2: felles kompetansemål for gruppen av spesialiteter"), 24),
    (gettext_lazy("Del 3: spesialitetens læringsmål"), 36),
]
ALM_PHASES = [
    (gettext_lazy("Allmennmedisin: åpen, uselektert allmennpraksis"), 48),
    (gettext_lazy("Tjeneste i sykehus"), 12),
]
TEMPLATE_TEXT = {
    "introduction": gettext_lazy(
        "Beskriv oppbygging og rekkefølge for hele utdanningsløpet, og hvilke læringsarenaer "
        "som brukes."
    ),
    "supervision": gettext_lazy(
        "Beskriv hvordan individuell veiledning, gruppeveiledning og supervisjon organiseres "
        "og gjennomføres."
    ),
    "assessment": gettext_lazy(
        "Beskriv vurderingskollegiet: hvem som deltar, hvor ofte det møtes, og hvordan "
        "læringsmål godkjennes."
    ),
    "courses": gettext_lazy(
        "Beskriv obligatoriske og anbefalte kurs, internundervisning og hospitering."
    ),
}


def template_for(specialty: Specialty) -> NationalTemplate:
    """The specialty's national template; the default skeleton is stored the first time."""
    tpl = NationalTemplate.objects.filter(specialty=specialty).first()
    if tpl is not None:
        return tpl
    phases: Sequence[tuple[object, int]] = (
        ALM_PHASES if specialty.code == "ALM" else HOSPITAL_PHASES
    )
    if specialty.code != "ALM" and not specialty.part2_group:
        phases = [(_("Del 2 og del 3: spesialitetens læringsmål"), 60)]
    tpl, _created = NationalTemplate.objects.get_or_create(
        specialty=specialty,
        defaults={
            "phases": [{"name": str(n), "months": m, "description": ""} for n, m in phases],
            **{k: richtext.sanitise(str(v)) for k, v in TEMPLATE_TEXT.items()},
        },
    )
    return tpl


# --- checks ----------------------------------------------------------------------------------


def _check_course(actor, permission: str, institution: Institution, specialty_id: int) -> None:
    if not course_in_scope(actor, permission, institution, specialty_id):
        raise PermissionDenied


def _check(actor, permission: str, plan: ProgrammePlan) -> None:
    if not can(actor, permission, plan):
        raise PermissionDenied


def _lock(plan: ProgrammePlan) -> ProgrammePlan:
    return (
        ProgrammePlan.objects.select_for_update(of=("self",))
        .select_related("institution", "specialty")
        .get(pk=plan.pk)
    )


def _goal_ids(
    codes: Sequence[str], specialty: Specialty, field_name: str, problems: list[Problem]
) -> list[int]:
    """The current version of each goal code, which must be the specialty's or common (FKM)."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c and c.strip()))
    if not wanted:
        return []
    today = timezone.localdate()
    rows = (
        LearningGoal.objects.filter(code__in=wanted)
        .filter(Q(specialty=specialty) | Q(common=True))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
        .values_list("code", "pk")
    )
    found = dict(rows)
    for code in wanted:
        if code not in found:
            problems.append(
                Problem(
                    field_name,
                    "unknown_goal",
                    _("«%(code)s» er ikke et gjeldende læringsmål i %(s)s.")
                    % {"code": code, "s": specialty},
                )
            )
    return [found[c] for c in wanted if c in found]


def _validate(plan: ProgrammePlan, content: Content) -> list[Problem]:
    problems: list[Problem] = []
    phases = content.phases
    n_phases = len(phases) if phases is not None else plan.phases.count()
    if phases is not None:
        for i, p in enumerate(phases):
            if not (p.name or "").strip():
                problems.append(Problem(f"phases[{i}].name", "required", _("Fasen må ha et navn.")))
            if not isinstance(p.months, int) or not 1 <= p.months <= 120:
                problems.append(
                    Problem(
                        f"phases[{i}].months",
                        "invalid",
                        _("Normert varighet må være 1–120 måneder."),
                    )
                )
    if content.arenas is not None:
        own = set(
            LearningArena.objects.filter(institution=plan.institution_id).values_list(
                "pk", flat=True
            )
        )
        seen = set()
        for i, a in enumerate(content.arenas):
            if a.arena_id not in own:
                problems.append(
                    Problem(
                        f"arenas[{i}].arena",
                        "not_own",
                        _("Læringsarenaen hører ikke til %(i)s.") % {"i": plan.institution},
                    )
                )
            if a.arena_id in seen:
                problems.append(
                    Problem(
                        f"arenas[{i}].arena",
                        "duplicate",
                        _("Læringsarenaen står to ganger i planen."),
                    )
                )
            seen.add(a.arena_id)
            if a.months is not None and not 1 <= a.months <= 120:
                problems.append(
                    Problem(
                        f"arenas[{i}].months",
                        "invalid",
                        _("Normert varighet må være 1–120 måneder."),
                    )
                )
            if a.phase is not None and not 0 <= a.phase < n_phases:
                problems.append(
                    Problem(f"arenas[{i}].phase", "invalid", _("Planen har ingen slik fase."))
                )
    if content.periods is not None:
        agreements = set(
            CollaborationAgreement.objects.filter(
                sending=plan.institution_id, specialty=plan.specialty_id
            ).values_list("pk", flat=True)
        )
        seen = set()
        for i, period in enumerate(content.periods):
            if period.agreement_id not in agreements:
                problems.append(
                    Problem(
                        f"partner_periods[{i}].agreement",
                        "not_own",
                        _("Fagavtalen gjelder ikke %(i)s som avgivende virksomhet i %(s)s.")
                        % {"i": plan.institution, "s": plan.specialty},
                    )
                )
            if period.agreement_id in seen:
                problems.append(
                    Problem(
                        f"partner_periods[{i}].agreement",
                        "duplicate",
                        _("Fagavtalen står to ganger i planen."),
                    )
                )
            seen.add(period.agreement_id)
            if period.approver not in Approver.values:
                problems.append(
                    Problem(
                        f"partner_periods[{i}].approver",
                        "invalid",
                        _("Velg hvem som godkjenner læringsmålene."),
                    )
                )
            if period.phase is not None and not 0 <= period.phase < n_phases:
                problems.append(
                    Problem(
                        f"partner_periods[{i}].phase", "invalid", _("Planen har ingen slik fase.")
                    )
                )
    for name, value in content.fields.items():
        if name not in TEXT_FIELDS:
            problems.append(Problem(name, "unknown", _("Ukjent felt.")))
        elif name == "contact" and len(value or "") > 200:
            problems.append(Problem(name, "too_long", _("Høyst 200 tegn.")))
        elif len(value or "") > 50_000:
            problems.append(Problem(name, "too_long", _("Teksten er for lang.")))
    return problems


def _write_children(plan: ProgrammePlan, content: Content, problems: list[Problem]) -> None:
    """Replace the child tables given in `content` (bulk writes)."""
    if content.phases is not None:
        plan.phases.all().delete()
        Phase.objects.bulk_create(
            [
                Phase(
                    plan=plan,
                    order=i,
                    name=p.name.strip()[:200],
                    months=p.months,
                    description=richtext.sanitise(p.description),
                )
                for i, p in enumerate(content.phases)
            ]
        )
    phase_ids = list(plan.phases.order_by("order", "id").values_list("pk", flat=True))
    if content.arenas is not None:
        plan.arenas.all().delete()
        rows = PlanArena.objects.bulk_create(
            [
                PlanArena(
                    plan=plan,
                    order=i,
                    arena_id=a.arena_id,
                    months=a.months,
                    activities=richtext.sanitise(a.activities),
                    phase_id=phase_ids[a.phase] if a.phase is not None else None,
                )
                for i, a in enumerate(content.arenas)
            ]
        )
        goals, prereqs = [], []
        for i, (row, a) in enumerate(zip(rows, content.arenas, strict=True)):
            goals += [
                PlanArena.goals.through(planarena_id=row.pk, learninggoal_id=g)
                for g in _goal_ids(a.goals, plan.specialty, f"arenas[{i}].goals", problems)
            ]
            prereqs += [
                PlanArena.prerequisites.through(planarena_id=row.pk, learninggoal_id=g)
                for g in _goal_ids(
                    a.prerequisites, plan.specialty, f"arenas[{i}].prerequisites", problems
                )
            ]
        PlanArena.goals.through.objects.bulk_create(goals)
        PlanArena.prerequisites.through.objects.bulk_create(prereqs)
    if content.periods is not None:
        plan.partner_periods.all().delete()
        period_rows = PartnerPeriod.objects.bulk_create(
            [
                PartnerPeriod(
                    plan=plan,
                    order=i,
                    agreement_id=p.agreement_id,
                    description=richtext.sanitise(p.description),
                    approver=p.approver,
                    phase_id=phase_ids[p.phase] if p.phase is not None else None,
                )
                for i, p in enumerate(content.periods)
            ]
        )
        period_prereqs = []
        for i, (period_row, period) in enumerate(zip(period_rows, content.periods, strict=True)):
            period_prereqs += [
                PartnerPeriod.prerequisites.through(
                    partnerperiod_id=period_row.pk, learninggoal_id=g
                )
                for g in _goal_ids(
                    period.prerequisites,
                    plan.specialty,
                    f"partner_periods[{i}].prerequisites",
                    problems,
                )
            ]
        PartnerPeriod.prerequisites.through.objects.bulk_create(period_prereqs)


def _apply(plan: ProgrammePlan, content: Content) -> None:
    problems = _validate(plan, content)
    if problems:
        raise PlanInvalid(problems)
    for name, value in content.fields.items():
        setattr(
            plan, name, richtext.sanitise(value) if name in RICH_FIELDS else (value or "").strip()
        )
    plan.save()
    _write_children(plan, content, problems)
    if problems:  # unknown goal codes: roll back the whole write
        raise PlanInvalid(problems)


# --- writes ----------------------------------------------------------------------------------


def _content_of(plan: ProgrammePlan) -> Content:
    """A plan's content, to start the next version from."""
    phases = list(plan.phases.order_by("order", "id"))
    index: dict[int | None, int] = {p.pk: i for i, p in enumerate(phases)}
    return Content(
        fields={f: getattr(plan, f) for f in TEXT_FIELDS},
        phases=[PhaseData(p.name, p.months, p.description) for p in phases],
        arenas=[
            ArenaData(
                a.arena_id,
                [g.code for g in a.goals.all()],
                [g.code for g in a.prerequisites.all()],
                a.activities,
                a.months,
                index.get(a.phase_id),
            )
            for a in plan.arenas.prefetch_related("goals", "prerequisites")
        ],
        periods=[
            PeriodData(
                p.agreement_id,
                p.description,
                p.approver,
                [g.code for g in p.prerequisites.all()],
                index.get(p.phase_id),
            )
            for p in plan.partner_periods.prefetch_related("prerequisites")
        ],
    )


def _content_from_template(
    institution: Institution, specialty: Specialty, tpl: NationalTemplate
) -> Content:
    """The template's phases and texts; the institution's arenas in the specialty (without
    goals yet); a partner period for each valid agreement it sends trainees under."""
    today = timezone.localdate()
    arenas = (
        LearningArena.objects.filter(institution=institution, specialty=specialty)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    agreements = (
        CollaborationAgreement.objects.valid_on(today)
        .filter(sending=institution, specialty=specialty)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Content(
        fields={f: getattr(tpl, f) for f in RICH_FIELDS},
        phases=[
            PhaseData(p["name"], int(p["months"]), p.get("description", "")) for p in tpl.phases
        ],
        arenas=[ArenaData(pk) for pk in arenas],
        periods=[PeriodData(pk) for pk in agreements],
    )


@transaction.atomic
def draft_create(*, actor, institution: Institution, specialty: Specialty) -> ProgrammePlan:
    """The next version as a draft: a copy of the published version when there is one, else
    the national template's skeleton."""
    _check_course(actor, "programme.edit", institution, specialty.pk)
    existing = ProgrammePlan.objects.select_for_update().filter(
        institution=institution, specialty=specialty
    )
    if existing.filter(status=Status.DRAFT).exists():
        raise StateError(
            _("Det finnes allerede et utkast til utdanningsplan for %(s)s ved %(i)s.")
            % {"s": specialty, "i": institution},
            "draft_exists",
        )
    number = (existing.aggregate(n=Max("number"))["n"] or 0) + 1
    published = existing.filter(status=Status.PUBLISHED).first()
    tpl = template_for(specialty)
    plan = ProgrammePlan.objects.create(
        institution=institution, specialty=specialty, number=number, template=tpl, created_by=actor
    )
    content = (
        _content_of(published)
        if published is not None
        else _content_from_template(institution, specialty, tpl)
    )
    _apply(plan, content)
    record(
        actor=actor,
        action="programme.draft_created",
        obj=plan,
        changes={"number": number, "from": "published" if published else "template"},
    )
    return plan


@transaction.atomic
def draft_update(*, actor, plan: ProgrammePlan, version: int, content: Content) -> ProgrammePlan:
    _check(actor, "programme.edit", plan)
    plan = _lock(plan)
    signing.check_version(plan, version, StaleVersion)
    if not plan.editable:
        raise StateError(
            _("En publisert utdanningsplan endres ikke. Lag en ny versjon."), "not_draft"
        )
    plan.version += 1
    _apply(plan, content)
    changed = sorted(content.fields) + [
        n for n in ("phases", "arenas", "periods") if getattr(content, n) is not None
    ]
    record(actor=actor, action="programme.draft_changed", obj=plan, changes={"fields": changed})
    return plan


def publish_problems(plan: ProgrammePlan) -> list[Problem]:
    problems = []
    if not plan.phases.exists():
        problems.append(Problem("phases", "required", _("Planen må ha minst én fase.")))
    if not PlanArena.goals.through.objects.filter(planarena__plan=plan).exists():
        problems.append(
            Problem("arenas", "required", _("Planen må ha minst én læringsarena med læringsmål."))
        )
    return problems


@transaction.atomic
def publish(*, actor, plan: ProgrammePlan, version: int) -> ProgrammePlan:
    """Draft → published (immutable from now on); the previous published version is
    superseded."""
    _check(actor, "programme.publish", plan)
    plan = _lock(plan)
    signing.check_version(plan, version, StaleVersion)
    if plan.status != Status.DRAFT:
        raise StateError(_("Bare et utkast kan publiseres."), "not_draft")
    problems = publish_problems(plan)
    if problems:
        raise PlanInvalid(problems)
    today = timezone.localdate()
    previous = list(
        ProgrammePlan.objects.select_for_update().filter(
            institution=plan.institution_id, specialty=plan.specialty_id, status=Status.PUBLISHED
        )
    )
    for old in previous:
        old.status, old.superseded_on = Status.SUPERSEDED, today
        old.version += 1
        old.save(update_fields=["status", "superseded_on", "version", "updated_at"])
    plan.status, plan.published_on, plan.published_by = Status.PUBLISHED, today, actor
    plan.version += 1
    plan.save()
    record(
        actor=actor,
        action="programme.published",
        obj=plan,
        changes={
            "status": [Status.DRAFT, Status.PUBLISHED],
            "superseded": [o.pk for o in previous],
        },
    )
    return plan


@transaction.atomic
def draft_delete(*, actor, plan: ProgrammePlan, version: int) -> None:
    _check(actor, "programme.edit", plan)
    plan = _lock(plan)
    signing.check_version(plan, version, StaleVersion)
    if not plan.editable:
        raise StateError(_("Bare et utkast kan slettes."), "not_draft")
    record(actor=actor, action="programme.draft_deleted", obj=plan)
    plan.delete()
