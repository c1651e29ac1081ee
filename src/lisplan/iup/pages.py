"""What the IUP pages show, built here so the views stay thin."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from lisplan.accounts.access import can, has_permission
from lisplan.iup import compare, queries, services
from lisplan.iup.models import CoursePeriod, Revision, Signature, Status
from lisplan.iup.status import status_table

STATUS_COLOURS = {
    Status.DRAFT: "neutral",
    Status.AWAITING_SIGNATURES: "info",
    Status.SIGNED: "success",
    Status.SUPERSEDED: "neutral",
}
STATE_COLOURS = {
    "missing": "danger",
    "overdue": "danger",
    "due_soon": "warning",
    "ok": "success",
    "none": "neutral",
}


def state_label(state: str) -> str:
    return {
        "missing": _("Mangler"),
        "overdue": _("Forfalt"),
        "due_soon": _("Forfaller snart"),
        "ok": _("I orden"),
        "none": _("Ingen frist"),
    }.get(state, state)


def signature_rows(revision: Revision) -> list[dict]:
    """The form's signature lines in its order (hospital: LIS, veileder, leder; ALIS: ALIS,
    kommunen, veileder)."""
    given = {s.role: s for s in revision.signatures.all()}
    R = Signature.Role
    if revision.plan.kind == "alis":
        lines = [
            (R.TRAINEE, _("ALIS (navn, underskrift)")),
            (R.LEADER, _("Kommunen (navn, underskrift)")),
            (R.SUPERVISOR, _("Veileder (navn, underskrift)")),
        ]
    else:
        lines = [
            (R.TRAINEE, _("Signatur LIS")),
            (R.SUPERVISOR, _("Signatur veileder")),
            (R.LEADER, _("Signatur leder")),
        ]
    return [
        {"role": label, "key": role.value, "signature": given.get(role.value)}
        for role, label in lines
    ]


def actions(user, revision: Revision, newest: int) -> dict[str, bool]:
    status = revision.status
    role = services.signing_role(user, revision) if has_permission(user, "iup.sign") else None
    signed_roles = {s.role for s in revision.signatures.all()}
    may_edit = can(user, "iup.edit", revision)
    return {
        "edit": status == Status.DRAFT and may_edit,
        "submit": status == Status.DRAFT and role is not None,
        "sign": status in (Status.DRAFT, Status.AWAITING_SIGNATURES)
        and role is not None
        and role not in signed_roles,
        "withdraw": status == Status.AWAITING_SIGNATURES and role is not None,
        "revise": status == Status.SIGNED and revision.number == newest and may_edit,
        "apply_template": status == Status.DRAFT
        and may_edit
        and revision.plan.kind == "hospital"
        and services.template_for(
            getattr(revision.plan.employment, "institution_id", None),
            getattr(revision.plan.employment, "specialty_id", None),
        )
        is not None,
    }


def course_plan(revision: Revision) -> dict[str, list[dict]]:
    """Table 5: the approved implementation plan's periods (read from `plans`), split into own
    unit / other unit of the trust / other trust, beside the tentative rows typed in the IUP."""
    from lisplan.plans.models import Period as PlanPeriod
    from lisplan.plans.models import Revision as PlanRevision
    from lisplan.plans.models import Status as PlanStatus

    employment = revision.plan.employment
    out: dict[str, list[dict]] = {w: [] for w in CoursePeriod.Where.values}
    approved = (
        PlanRevision.objects.filter(
            plan__trainee_id=revision.plan.trainee_id, status=PlanStatus.APPROVED
        )
        .order_by("-approved_at")
        .prefetch_related(
            Prefetch(
                "periods",
                queryset=PlanPeriod.objects.select_related("institution", "arena", "specialty"),
            )
        )
        .first()
    )
    if approved is not None:
        for p in approved.periods.all():
            if employment is not None and p.institution_id != employment.institution_id:
                where = CoursePeriod.Where.OTHER_TRUST
            elif (
                employment is not None
                and p.arena_id
                and employment.arena_id
                and not p.arena.path.startswith(employment.arena.path)
                and not employment.arena.path.startswith(p.arena.path)
            ):
                where = CoursePeriod.Where.OTHER_UNIT
            else:
                where = CoursePeriod.Where.OWN_UNIT
            place = ", ".join(str(x) for x in (p.institution, p.arena, p.service_place) if x)
            out[where].append(
                {
                    "place": f"{place} ({p.specialty})",
                    "start": p.start,
                    "end": p.end,
                    "from_plan": True,
                    "note": "",
                }
            )
    for p in revision.periods.all():
        out[p.where].append(
            {"place": p.place, "start": p.start, "end": p.end, "from_plan": False, "note": p.note}
        )
    return {
        "rows": [(label, out[key]) for key, label in CoursePeriod.Where.choices],
        "implementation_plan": approved,
    }


def first_made(revisions) -> dt.datetime | None:
    """«Første gang utarbeidet»: when the plan's first revision was completed (signed by
    all), or created while it is not yet signed. Never after any later revision's «Sist
    oppdatert», which is that revision's own latest change."""
    first = min(revisions, key=lambda r: r.number, default=None)
    if first is None:
        return None
    return first.signed_at or first.created_at


# The audit events of a revision, in the words of the page (`services` writes them).
EVENT_LABELS = {
    "iup.created": _("Planen er opprettet"),
    "iup.revised": _("Revisjonen er laget fra den signerte planen"),
    "iup.changed": _("Endret"),
    "iup.submitted": _("Sendt til signering"),
    "iup.signed": _("Signert"),
    "iup.completed": _("Signert av alle"),
    "iup.superseded": _("Erstattet av en nyere signert revisjon"),
    "iup.withdrawn": _("Trukket tilbake til utkast"),
}


def revision_events(revision: Revision) -> list[dict]:
    from lisplan.audit.services import event_rows

    return event_rows(revision, EVENT_LABELS, _field_label)


def _field_label(name: str) -> str:
    try:
        return str(Revision._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an event may name a field that no longer exists
        return name


def revision_context(user, revision: Revision, today: dt.date) -> dict:
    plan = revision.plan
    revisions = list(plan.revisions.order_by("-number"))
    newest = revisions[0].number if revisions else revision.number
    previous = compare.previous_of(revision, revisions)
    first = first_made(revisions) or revision.created_at
    deadline = queries.stored_deadline_for(plan.trainee_id, today)
    return {
        "revision": revision,
        "plan": plan,
        "trainee": plan.trainee,
        "employment": plan.employment,
        "revisions": revisions,
        "first_made": first,
        "status_colour": STATUS_COLOURS.get(revision.status, "neutral"),
        "table": status_table(revision, today),
        "course_plan": course_plan(revision),
        "signatures": signature_rows(revision),
        "actions": actions(user, revision, newest),
        "previous": previous,
        "changes": compare.compare(previous, revision) if previous else [],
        "missing": services.missing(revision) if revision.status == Status.DRAFT else [],
        "deadline": deadline.deadline,
        "events": revision_events(revision),
        "deadline_colour": STATE_COLOURS.get(deadline.state, "neutral"),
        "deadline_state_label": state_label(deadline.state),
        "supervision_meetings": [m for m in revision.meetings.all() if m.kind == "supervision"],
        "panel_meetings": [m for m in revision.meetings.all() if m.kind == "assessment_panel"],
        "comments": {name: getattr(revision, name) for name in COMMENT_FIELDS},
    }


COMMENT_FIELDS = (
    "degree",
    "lis1_comment",
    "specialty_time_comment",
    "arenas_remaining",
    "other_specialties_comment",
    "courses_comment",
    "other_courses",
    "fkm_project_comment",
)


# The edit page's sections, in the form's order: (heading, field names of RevisionForm).
EDIT_SECTIONS = {
    "hospital": [
        (_("Tabell 1 – LIS"), ["workplace", "scheme", "valid_from", "valid_to"]),
        (_("Tabell 2 – Veiledning"), ["last_panel", "next_panel"]),
        (
            _("Tabell 3 – Formelle krav"),
            [
                "programme_plan_url",
                "requirements_notes",
                "goals_own_unit",
                "goals_other_unit",
                "goals_other_trust",
                "goals_adjacent",
                "internal_teaching",
            ],
        ),
        (
            _("Tabell 4 – Status spesialistutdanning (kommentarer)"),
            [
                "degree",
                "lis1_comment",
                "specialty_time_comment",
                "arenas_remaining",
                "other_specialties_comment",
                "courses_comment",
                "other_courses",
                "fkm_project_comment",
            ],
        ),
        (
            _("Tabell 6 – Fremdriftsplan kommende halvår"),
            [
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
            ],
        ),
        (
            _("Tabell 7 – Annen kompetanse/kommentarer"),
            ["other_competence", "made_by", "place", "next_meeting"],
        ),
    ],
    "alis": [
        (_("Gjelder for tidsrommet"), ["valid_from", "valid_to"]),
        (
            _("1. Informasjon om kommune"),
            ["municipality_registered", "municipality_leader", "alis_coordinator"],
        ),
        (_("2. Informasjon om ALIS"), ["contact", "workplace"]),
        (
            _("3. Avtale om individuell veiledning"),
            ["supervisor_name", "supervisor_contact", "minutes_by"],
        ),
        (_("4. Status tjenestetid og læringsaktiviteter (kommentar)"), ["status_comment"]),
        (
            _("5. Framdriftsplan for kommende periode"),
            [
                "plan_open_practice",
                "plan_other_gp",
                "plan_institution",
                "plan_courses",
                "plan_group_supervision",
                "plan_out_of_hours",
                "plan_other_activities",
                "plan_in_depth",
                "planned_leave",
            ],
        ),
        (_("6. Plan for hele utdanningsløpet"), ["plan_overall"]),
        (_("7. Underskrift"), ["made_by", "place", "next_meeting"]),
    ],
}


def edit_sections(form) -> list[tuple[str, list]]:
    return [
        (title, [form[n] for n in names if n in form.fields])
        for title, names in EDIT_SECTIONS[form.kind]
    ]
