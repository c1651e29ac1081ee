"""Every write to education plans (IUP): create (pre-filled), edit (optimistic lock), submit,
sign, withdraw, revise, and the education lead's table-3 template. Each runs in one
transaction, locks the revision, checks the state and writes one audit event; signers are
notified after the state changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import check
from lisplan.audit.services import diff, record, snapshot
from lisplan.documents import signing
from lisplan.documents.signing import StateError, trainee_id
from lisplan.errors import Invalid
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
from lisplan.notifications.services import notify

# The revision's typed content (everything a revise copies and a diff compares).
HOSPITAL_FIELDS = [
    "valid_from",
    "valid_to",
    "made_by",
    "place",
    "next_meeting",
    "workplace",
    "scheme",
    "last_panel",
    "next_panel",
    *TEMPLATE_FIELDS,
    "degree",
    "lis1_comment",
    "specialty_time_comment",
    "arenas_remaining",
    "other_specialties_comment",
    "courses_comment",
    "other_courses",
    "fkm_project_comment",
    "clinical_own_unit",
    "clinical_other_unit",
    "clinical_other_trust",
    "procedure_requirements",
    "fkm_in_clinical",
    "priority_goals",
    "courses_national",
    "courses_local",
    "courses_other",
    "observation_stays",
    "fkm_project",
    "fkm_research",
    "fkm_patient_education",
    "fkm_supervisor_course",
    "fkm_other_courses",
    "fkm_group_supervision",
    "fkm_self_study",
    "literature",
    "teaching_topics",
    "own_supervision_tasks",
    "personal_goal",
    "other_content",
    "planned_leave",
    "other_work",
    "other_competence",
]
ALIS_FIELDS = [
    "valid_from",
    "valid_to",
    "made_by",
    "place",
    "next_meeting",
    "municipality_registered",
    "municipality_leader",
    "alis_coordinator",
    "contact",
    "workplace",
    "supervisor_name",
    "supervisor_contact",
    "minutes_by",
    "status_comment",
    "plan_open_practice",
    "plan_other_gp",
    "plan_institution",
    "plan_courses",
    "plan_group_supervision",
    "plan_out_of_hours",
    "plan_other_activities",
    "plan_in_depth",
    "planned_leave",
    "plan_overall",
]
CONTENT_FIELDS = list(dict.fromkeys(HOSPITAL_FIELDS + ALIS_FIELDS))


def fields_for(kind: str) -> list[str]:
    return ALIS_FIELDS if kind == Kind.ALIS else HOSPITAL_FIELDS


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


class PlanInvalid(Invalid):
    """The content breaks rules; `problems` name each field, code and message."""

    detail = gettext_lazy("Utdanningsplanen har feil som må rettes.")  # type: ignore[assignment]

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems  # type: ignore[assignment]


class StaleVersion(signing.StaleVersion):
    message = gettext_lazy(
        "Utdanningsplanen er endret av noen andre siden du åpnet den. Last inn på nytt."
    )


@dataclass(frozen=True)
class SupervisorData:
    name: str
    specialty: str = ""
    role: str = ""
    user: Any = None


@dataclass(frozen=True)
class MeetingData:
    date: dt.date
    kind: str = Meeting.Kind.SUPERVISION
    time: dt.time | None = None
    note: str = ""


@dataclass(frozen=True)
class PeriodData:
    where: str
    place: str
    start: dt.date | None = None
    end: dt.date | None = None
    note: str = ""


# --- reading helpers ---------------------------------------------------------------------


def _lock(revision: Revision) -> Revision:
    return signing.lock(revision, "plan__trainee", "plan__employment")


def _children_snapshot(revision: Revision) -> dict[str, list[str]]:
    return {
        "supervisors": [
            " | ".join(x for x in (s.name, s.specialty, s.role) if x)
            for s in revision.supervisors.all()
        ],
        "meetings": [
            f"{m.get_kind_display()} {m.date:%d.%m.%Y}"
            f"{' ' + m.time.strftime('%H:%M') if m.time else ''}"
            f"{' – ' + m.note if m.note else ''}"
            for m in revision.meetings.all()
        ],
        "periods": [
            f"{p.get_where_display()}: {p.place}"
            f"{' ' + p.start.strftime('%d.%m.%Y') if p.start else ''}"
            f"{'–' + p.end.strftime('%d.%m.%Y') if p.end else ''}"
            f"{' – ' + p.note if p.note else ''}"
            for p in revision.periods.all()
        ],
    }


def content_snapshot(revision: Revision) -> dict[str, Any]:
    """The revision's typed content as plain values (for audit and diff)."""
    data = snapshot(revision, fields_for(revision.plan.kind))
    data.update(_children_snapshot(revision))
    return data


def completeness_values(revision: Revision) -> dict[str, Any]:
    values = {f: getattr(revision, f) for f in fields_for(revision.plan.kind)}
    values["supervisors"] = list(revision.supervisors.all())
    values["meetings"] = [m for m in revision.meetings.all() if m.kind == Meeting.Kind.SUPERVISION]
    return values


def missing(revision: Revision) -> list[rules.Missing]:
    return rules.missing_fields(revision.plan.kind, completeness_values(revision))


# --- pre-fill ------------------------------------------------------------------------------


def template_for(institution_id, specialty_id) -> RequirementsTemplate | None:
    if not institution_id or not specialty_id:
        return None
    return RequirementsTemplate.objects.filter(
        institution_id=institution_id, specialty_id=specialty_id
    ).first()


def table3_for(employment) -> tuple[dict, RequirementsTemplate | None]:
    """Table 3 for a course: the education lead's template, with the link, the goals at the
    own and other units and in other trusts read from the course's published programme plan
    where there is one (`lisplan.programmes.queries.table3_prefill`)."""
    from lisplan.programmes.queries import table3_prefill

    institution_id = getattr(employment, "institution_id", None)
    specialty_id = getattr(employment, "specialty_id", None)
    tpl = template_for(institution_id, specialty_id)
    content = {f: getattr(tpl, f) for f in TEMPLATE_FIELDS} if tpl is not None else {}
    from_plan = table3_prefill(institution_id, specialty_id) or {}
    content.update({k: v for k, v in from_plan.items() if v})
    return content, tpl


def _prefill(trainee, employment, kind: str) -> tuple[dict, list[SupervisorData]]:
    """Initial content of revision 1 from the records lisplan already holds."""
    from lisplan.accounts.models import Role, RoleAssignment
    from lisplan.progress.models import ActivityKind, ActivityRecord
    from lisplan.trainees.models import Supervision

    today = timezone.localdate()
    content: dict[str, Any] = {"valid_from": today, "valid_to": rules.add_months(today, 6)}
    sups = list(
        Supervision.objects.filter(Q(end__isnull=True) | Q(end__gte=today), trainee=trainee)
        .select_related("supervisor")
        .order_by("kind", "start")
    )
    supervisors = [
        SupervisorData(
            name=s.supervisor.get_full_name() or s.supervisor.username,
            role=str(s.get_kind_display()),
            user=s.supervisor,
        )
        for s in sups
    ]
    if employment is not None:
        content["workplace"] = str(employment.arena or employment.institution)
        content["scheme"] = employment.scheme
    last_panel = (
        ActivityRecord.objects.filter(
            trainee=trainee, kind=ActivityKind.ASSESSMENT_PANEL, date__lte=today
        )
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if kind == Kind.HOSPITAL:
        content["last_panel"] = last_panel
        table3, tpl = table3_for(employment)
        content.update(table3)
        if tpl is not None:
            content["template_applied"] = tpl
    else:
        content["contact"] = " / ".join(x for x in (trainee.email, trainee.phone) if x)
        if sups:
            main = sups[0].supervisor
            content["supervisor_name"] = main.get_full_name() or main.username
            content["supervisor_contact"] = main.email
        if employment is not None:
            leader = getattr(employment.arena, "leader", None) if employment.arena_id else None
            if leader is not None:
                content["municipality_leader"] = leader.get_full_name() or leader.username
            coordinator = (
                RoleAssignment.objects.active()
                .filter(role=Role.LOCAL_COORDINATOR, institution_id=employment.institution_id)
                .select_related("user")
                .first()
            )
            if coordinator is not None:
                u = coordinator.user
                content["alis_coordinator"] = u.get_full_name() or u.username
    return content, supervisors


def kind_for(employment) -> str:
    specialty = getattr(employment, "specialty", None)
    if specialty is not None and (
        specialty.code == "ALM" or getattr(employment.institution, "kind", "") == "municipality"
    ):
        return Kind.ALIS
    return Kind.HOSPITAL


# --- validation ----------------------------------------------------------------------------


def _validate(
    revision: Revision,
    periods: list[PeriodData] | None,
    meetings: list[MeetingData] | None,
    supervisors: list[SupervisorData] | None,
):
    problems: list[Problem] = []
    try:
        revision.full_clean(exclude=["plan", "template_applied", "created_by"])
    except ValidationError as e:
        for name, errors in e.message_dict.items():
            for message in errors:
                problems.append(Problem(name, "invalid", message))
    if revision.valid_from and revision.valid_to and revision.valid_to < revision.valid_from:
        problems.append(
            Problem(
                "valid_to", "end_before_start", _("«Gjelder til» kan ikke være før «gjelder fra».")
            )
        )
    for i, p in enumerate(periods or []):
        if not p.place.strip():
            problems.append(
                Problem(
                    f"periods[{i}].place",
                    "required",
                    _("Rad %(n)s: oppgi foretak/avdeling/seksjon.") % {"n": i + 1},
                )
            )
        if p.where not in CoursePeriod.Where.values:
            problems.append(
                Problem(
                    f"periods[{i}].where",
                    "invalid",
                    _("Rad %(n)s: velg hvor tjenesteperioden er.") % {"n": i + 1},
                )
            )
        if p.start and p.end and p.end < p.start:
            problems.append(
                Problem(
                    f"periods[{i}].end",
                    "end_before_start",
                    _("Rad %(n)s: «til» kan ikke være før «fra».") % {"n": i + 1},
                )
            )
    for i, m in enumerate(meetings or []):
        if m.kind not in Meeting.Kind.values:
            problems.append(
                Problem(
                    f"meetings[{i}].kind",
                    "invalid",
                    _("Møte %(n)s: ukjent type møte.") % {"n": i + 1},
                )
            )
    for i, s in enumerate(supervisors or []):
        if not s.name.strip():
            problems.append(
                Problem(
                    f"supervisors[{i}].name",
                    "required",
                    _("Veileder %(n)s: oppgi navn.") % {"n": i + 1},
                )
            )
    if problems:
        raise PlanInvalid(problems)


def _write_children(revision: Revision, supervisors, meetings, periods) -> None:
    if supervisors is not None:
        revision.supervisors.all().delete()
        SupervisorRow.objects.bulk_create(
            [
                SupervisorRow(
                    revision=revision,
                    position=i,
                    name=s.name.strip(),
                    specialty=s.specialty.strip(),
                    role=s.role.strip(),
                    user=s.user if getattr(s.user, "pk", None) else None,
                )
                for i, s in enumerate(supervisors)
            ]
        )
    if meetings is not None:
        revision.meetings.all().delete()
        Meeting.objects.bulk_create(
            [
                Meeting(revision=revision, kind=m.kind, date=m.date, time=m.time, note=m.note)
                for m in meetings
            ]
        )
    if periods is not None:
        revision.periods.all().delete()
        CoursePeriod.objects.bulk_create(
            [
                CoursePeriod(
                    revision=revision,
                    position=i,
                    where=p.where,
                    place=p.place.strip(),
                    start=p.start,
                    end=p.end,
                    note=p.note,
                )
                for i, p in enumerate(periods)
            ]
        )
    if meetings is not None:  # a planned assessment panel moves the deadline
        from lisplan.iup.deadlines import mark_stale

        mark_stale([revision.plan.trainee_id])


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, trainee, employment=None, kind: str | None = None) -> Revision:
    """Revision 1 of a new education plan, in draft, pre-filled from the trainee's records
    (supervisors, workplace, scheme, last assessment panel) and, for hospital plans, table 3
    from the education lead's template for the employment's institution and specialty."""
    check(actor, "iup.edit", trainee)
    if employment is None:
        employment = (
            trainee.employments.not_ended()
            .select_related("institution", "specialty", "arena__leader")
            .order_by("-start")
            .first()
        )
    kind = kind or kind_for(employment)
    if kind not in Kind.values:
        raise PlanInvalid([Problem("kind", "invalid", _("Ukjent skjema for utdanningsplan."))])
    existing = EducationPlan.objects.filter(trainee=trainee, employment=employment)
    if employment is not None and existing.exists():
        raise StateError(
            _("Legen har allerede en utdanningsplan for denne ansettelsen."), "plan_exists"
        )
    plan = EducationPlan.objects.create(trainee=trainee, employment=employment, kind=kind)
    content, supervisors = _prefill(trainee, employment, kind)
    revision = Revision(plan=plan, number=1, created_by=actor, **content)
    revision.save()
    _write_children(revision, supervisors, None, None)
    record(
        actor=actor,
        action="iup.created",
        obj=revision,
        trainee_id=trainee.pk,
        changes={k: [None, v] for k, v in content_snapshot(revision).items() if v},
    )
    return revision


@transaction.atomic
def revision_update(
    *,
    actor,
    revision: Revision,
    version: int,
    supervisors: list[SupervisorData] | None = None,
    meetings: list[MeetingData] | None = None,
    periods: list[PeriodData] | None = None,
    **content,
) -> Revision:
    """Change a draft. `version` must be the one the user started from (else StaleVersion);
    child tables are replaced when given."""
    revision = _lock(revision)
    check(actor, "iup.edit", revision)
    signing.check_version(revision, version, StaleVersion)
    if not revision.editable:
        raise StateError(
            _(
                "Bare utkast kan endres. En signert utdanningsplan endres ved å lage "
                "en ny revisjon."
            ),
            "not_draft",
        )
    allowed = set(fields_for(revision.plan.kind))
    unknown = set(content) - allowed
    if unknown:
        raise PlanInvalid(
            [
                Problem(
                    n, "unknown_field", _("Feltet «%(f)s» finnes ikke i dette skjemaet.") % {"f": n}
                )
                for n in sorted(unknown)
            ]
        )
    before = content_snapshot(revision)
    for name, value in content.items():
        setattr(revision, name, value)
    _validate(revision, periods, meetings, supervisors)
    revision.version += 1
    revision.save()
    _write_children(revision, supervisors, meetings, periods)
    changes = diff(before, content_snapshot(revision))
    if changes:
        record(
            actor=actor,
            action="iup.changed",
            obj=revision,
            changes=changes,
            trainee_id=trainee_id(revision),
        )
    return revision


_transition = signing.transition  # the IUP audits the status change only


_WRONG_STATUS = gettext_lazy(
    "Handlingen er ikke mulig når utdanningsplanen har status «%(status)s»."
)


def _require_status(revision: Revision, *allowed: str) -> None:
    signing.require_status(revision, allowed, _WRONG_STATUS)


def _check_version(revision: Revision, version: int | None) -> None:
    if version is not None:
        signing.check_version(revision, version, StaleVersion)


def _submit(revision: Revision, actor) -> Revision:
    gaps = missing(revision)
    if gaps:
        raise PlanInvalid([Problem(m.field, "required", m.message) for m in gaps])
    _transition(
        revision, actor, "iup.submitted", Status.AWAITING_SIGNATURES, submitted_at=timezone.now()
    )
    _notify_signers(revision, exclude=actor)
    return revision


@transaction.atomic
def revision_submit(*, actor, revision: Revision, version: int | None = None) -> Revision:
    """Draft → awaiting signatures, once every required field is filled in (`rules`)."""
    revision = _lock(revision)
    _check_version(revision, version)
    _require_status(revision, Status.DRAFT)
    if signing_role(actor, revision) is None:
        raise StateError(
            _("Bare legen, veilederen og lederen kan sende planen til signering."), "not_signer"
        )
    return _submit(revision, actor)


def signing_role(actor, revision: Revision) -> str | None:
    """Which signature the actor gives: the trainee's own, an active supervisor's, or the
    leader's (leader of the trainee's current learning arena)."""
    from lisplan.accounts.access import leads_for
    from lisplan.trainees.models import Supervision

    trainee = revision.plan.trainee
    if trainee.user_id is not None and trainee.user_id == actor.pk:
        return Signature.Role.TRAINEE
    today = timezone.localdate()
    if Supervision.objects.filter(
        Q(end__isnull=True) | Q(end__gte=today), trainee=trainee, supervisor=actor
    ).exists():
        return Signature.Role.SUPERVISOR
    if leads_for(actor, trainee, "iup.sign"):
        return Signature.Role.LEADER
    return None


@transaction.atomic
def revision_sign(*, actor, revision: Revision, version: int | None = None) -> Revision:
    """Sign in the actor's role. A draft is first sent to signing (completeness checked). The
    third signature makes the revision signed (immutable): the status table is frozen into it
    and the earlier signed revision is superseded."""
    revision = _lock(revision)
    _check_version(revision, version)
    _require_status(revision, Status.DRAFT, Status.AWAITING_SIGNATURES)
    role = signing_role(actor, revision)
    signing.require_signer(
        revision,
        role,
        not_signer=_("Du kan ikke signere denne utdanningsplanen."),
        already_signed=_("Utdanningsplanen er allerede signert av %(role)s."),
    )
    if revision.status == Status.DRAFT:
        _submit(revision, actor)
    if signing.sign(revision, actor, role, "iup.signed"):
        from lisplan.iup.status import status_table

        table = status_table(revision, timezone.localdate(), live=True)
        _transition(
            revision,
            actor,
            "iup.completed",
            Status.SIGNED,
            signed_at=timezone.now(),
            status_snapshot=table.as_json(),
        )
        previous = (
            Revision.objects.select_for_update()
            .filter(plan=revision.plan, status=Status.SIGNED)
            .exclude(pk=revision.pk)
        )
        for old in previous:
            _transition(old, actor, "iup.superseded", Status.SUPERSEDED)
        _notify_signed(revision)
    return revision


@transaction.atomic
def revision_withdraw(*, actor, revision: Revision, version: int | None = None) -> Revision:
    """Awaiting signatures → draft (to change something before all have signed): the
    signatures given are cleared."""
    revision = _lock(revision)
    _check_version(revision, version)
    return signing.withdraw(
        revision,
        actor,
        "iup.withdrawn",
        signing_role=signing_role,
        wrong_status=_WRONG_STATUS,
        not_signer=_("Bare legen, veilederen og lederen kan trekke planen tilbake til utkast."),
    )


@transaction.atomic
def revision_revise(*, actor, revision: Revision) -> Revision:
    """The next revision in draft, pre-filled from a signed one, which stays signed (and valid)
    until the new one is signed."""
    revision = _lock(revision)
    check(actor, "iup.edit", revision)
    _require_status(revision, Status.SIGNED)
    signing.require_latest(
        revision, _("Det finnes allerede en nyere revisjon av utdanningsplanen.")
    )
    today = timezone.localdate()
    copied = {f: getattr(revision, f) for f in fields_for(revision.plan.kind)}
    copied.update(valid_from=today, valid_to=rules.add_months(today, 6))
    new = Revision.objects.create(
        plan=revision.plan,
        number=revision.number + 1,
        created_by=actor,
        template_applied=revision.template_applied,
        **copied,
    )
    _write_children(
        new,
        [SupervisorData(s.name, s.specialty, s.role, s.user) for s in revision.supervisors.all()],
        # Meetings already held are history; only future ones carry over.
        [
            MeetingData(m.date, m.kind, m.time, m.note)
            for m in revision.meetings.all()
            if m.date >= today
        ],
        [PeriodData(p.where, p.place, p.start, p.end, p.note) for p in revision.periods.all()],
    )
    signing.record_revised(actor, "iup.revised", revision, new)
    return new


@transaction.atomic
def template_save(
    *, actor, institution, specialty, version: int | None = None, **fields
) -> RequirementsTemplate:
    """Create or change the table-3 template for a course (institution + specialty). Changing
    needs the `version` the user started from."""
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise PlanInvalid(
            [
                Problem(n, "unknown_field", _("Feltet «%(f)s» finnes ikke i malen.") % {"f": n})
                for n in sorted(unknown)
            ]
        )
    tpl = (
        RequirementsTemplate.objects.select_for_update()
        .filter(institution=institution, specialty=specialty)
        .first()
    )
    created = tpl is None
    if created:
        tpl = RequirementsTemplate(institution=institution, specialty=specialty)
        before = {}
    else:
        if version is not None and tpl.version != version:
            raise StaleVersion(tpl.version)
        before = snapshot(tpl, TEMPLATE_FIELDS)
        tpl.version += 1
    for name, value in fields.items():
        setattr(tpl, name, value)
    tpl.updated_by = actor
    try:
        tpl.full_clean(exclude=["updated_by"], validate_unique=False)
    except ValidationError as e:
        raise PlanInvalid(
            [Problem(n, "invalid", m) for n, ms in e.message_dict.items() for m in ms]
        ) from e
    tpl.save()
    record(
        actor=actor,
        action="iup.template_created" if created else "iup.template_changed",
        obj=tpl,
        changes=diff(before, snapshot(tpl, TEMPLATE_FIELDS)),
    )
    return tpl


@transaction.atomic
def template_apply(*, actor, revision: Revision, version: int) -> Revision:
    """Copy the course's current template into table 3 of a draft."""
    revision = Revision.objects.select_related("plan__employment").get(pk=revision.pk)
    check(actor, "iup.edit", revision)
    employment = revision.plan.employment
    table3, tpl = table3_for(employment)
    if not table3:
        raise StateError(
            _(
                "Utdanningsansvarlig overlege har ikke fylt ut en mal for tabell 3 "
                "for denne spesialiteten og virksomheten."
            ),
            "no_template",
        )
    revision = revision_update(actor=actor, revision=revision, version=version, **table3)
    Revision.objects.filter(pk=revision.pk).update(template_applied=tpl)
    revision.template_applied = tpl
    return revision


# --- notifications -------------------------------------------------------------------------


def _url(revision: Revision) -> str:
    return reverse("iup:revision", args=[revision.pk])


def signer_users(revision: Revision):
    """The users who sign: the trainee, active supervisors, leaders of the trainee's arena."""
    from lisplan.accounts.models import Role, RoleAssignment, User
    from lisplan.trainees.models import Employment, Supervision

    today = timezone.localdate()
    trainee = revision.plan.trainee
    ids = set()
    if trainee.user_id:
        ids.add(trainee.user_id)
    ids |= set(
        Supervision.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today), trainee=trainee
        ).values_list("supervisor_id", flat=True)
    )
    paths = [
        p
        for p in Employment.objects.not_ended()
        .filter(trainee=trainee)
        .exclude(arena=None)
        .values_list("arena__path", flat=True)
    ]
    for a in (
        RoleAssignment.objects.active()
        .filter(role=Role.LEADER)
        .exclude(arena=None)
        .select_related("arena")
    ):
        if any(p.startswith(a.arena.path) for p in paths):
            ids.add(a.user_id)
    return User.objects.filter(pk__in=ids, is_active=True)


def _notify_signers(revision: Revision, exclude=None) -> None:
    users = signer_users(revision)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    notify(
        users=users,
        kind="iup.awaiting_signatures",
        title=_("Utdanningsplan til signering: %(name)s")
        % {"name": revision.plan.trainee.full_name},
        body=_("Revisjon %(n)s av den individuelle utdanningsplanen venter på din signatur.")
        % {"n": revision.number},
        url=_url(revision),
    )


def _notify_signed(revision: Revision) -> None:
    notify(
        users=signer_users(revision),
        kind="iup.signed",
        title=_("Utdanningsplan signert: %(name)s") % {"name": revision.plan.trainee.full_name},
        body=_("Revisjon %(n)s er signert av lege, veileder og leder.") % {"n": revision.number},
        url=_url(revision),
    )
