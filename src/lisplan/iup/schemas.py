"""Schemas of the education-plan (IUP) endpoints (docs/api.md «Education plans (IUP)»).

One resource per revision, as for implementation plans. Field names are the contract; add,
never rename. Content fields are those of `lisplan.iup.services.HOSPITAL_FIELDS` /
`ALIS_FIELDS` (the form decides which apply; a field of the other form is refused by name).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from lisplan.api.errors import ConflictOut
from lisplan.api.params import MAX_ID, _printable
from lisplan.iup import services
from lisplan.iup.models import Status

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _text(max_length: int):
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_printable)]


Short = _text(200)
Line = _text(300)
Url = _text(500)
Long = _text(10_000)

KINDS = ["hospital", "alis"]
STATUSES = [s.value for s in Status]


# --- input ------------------------------------------------------------------------------------


class SupervisorIn(Schema):
    name: Short = Field(description="Veileders navn")
    specialty: Short | None = Field(None, description="Veileders spesialitet")
    role: _text(100) | None = Field(None, description="Type veiledning, f.eks. psykoterapi")
    user: Id | None = Field(None, description="Veilederens bruker-id, valgfri")


class MeetingIn(Schema):
    kind: Literal["supervision", "assessment_panel"] = Field(
        "supervision",
        description="supervision (veiledningssamtale) eller assessment_panel (vurderingskollegium)",
    )
    date: dt.date
    time: dt.time | None = Field(None, description="Klokkeslett (Europe/Oslo), valgfritt")
    note: Short | None = None


class IupPeriodIn(Schema):
    where: Literal["own_unit", "other_unit", "other_trust"] = Field(
        description="own_unit (egen avdeling), other_unit (annen avdeling i foretaket), "
        "other_trust (annet foretak)"
    )
    place: Short = Field(description="Foretak/avdeling/seksjon")
    start: dt.date | None = None
    end: dt.date | None = None
    note: Short | None = None


class _IupContentIn(Schema):
    """Every typed field of both forms; each is optional, and only what is sent changes."""

    # common
    valid_from: dt.date | None = Field(None, description="Gjelder fra")
    valid_to: dt.date | None = Field(None, description="Gjelder til")
    made_by: Line | None = Field(None, description="Utarbeidet/revidert av")
    place: _text(100) | None = Field(None, description="Sted")
    next_meeting: dt.date | None = Field(None, description="Dato for neste møte")
    workplace: Short | None = Field(None, description="Arbeidssted / læringsarena")
    planned_leave: Long | None = None
    # hospital, tables 1–7
    scheme: Literal["new", "old", ""] | None = Field(
        None, description="new (ny) eller old (gammel ordning)"
    )
    last_panel: dt.date | None = None
    next_panel: dt.date | None = None
    programme_plan_url: Url | None = None
    requirements_notes: Long | None = None
    goals_own_unit: Long | None = None
    goals_other_unit: Long | None = None
    goals_other_trust: Long | None = None
    goals_adjacent: Long | None = None
    internal_teaching: Long | None = None
    degree: Short | None = None
    lis1_comment: Long | None = None
    specialty_time_comment: Long | None = None
    arenas_remaining: Long | None = None
    other_specialties_comment: Long | None = None
    courses_comment: Long | None = None
    other_courses: Long | None = None
    fkm_project_comment: Long | None = None
    clinical_own_unit: Long | None = None
    clinical_other_unit: Long | None = None
    clinical_other_trust: Long | None = None
    procedure_requirements: Long | None = None
    fkm_in_clinical: Long | None = None
    priority_goals: Long | None = None
    courses_national: Long | None = None
    courses_local: Long | None = None
    courses_other: Long | None = None
    observation_stays: Long | None = None
    fkm_project: Long | None = None
    fkm_research: Long | None = None
    fkm_patient_education: Long | None = None
    fkm_supervisor_course: Long | None = None
    fkm_other_courses: Long | None = None
    fkm_group_supervision: Long | None = None
    fkm_self_study: Long | None = None
    literature: Long | None = None
    teaching_topics: Long | None = None
    own_supervision_tasks: Long | None = None
    personal_goal: Long | None = None
    other_content: Long | None = None
    other_work: Long | None = None
    other_competence: Long | None = None
    # ALIS, sections 1–6
    municipality_registered: bool | None = None
    municipality_leader: Short | None = None
    alis_coordinator: Short | None = None
    contact: Short | None = None
    supervisor_name: Short | None = None
    supervisor_contact: Short | None = None
    minutes_by: Literal["trainee", "supervisor", ""] | None = None
    status_comment: Long | None = None
    plan_open_practice: Long | None = None
    plan_other_gp: Long | None = None
    plan_institution: Long | None = None
    plan_courses: Long | None = None
    plan_group_supervision: Long | None = None
    plan_out_of_hours: Long | None = None
    plan_other_activities: Long | None = None
    plan_in_depth: Long | None = None
    plan_overall: Long | None = None
    # child tables: replaced when sent
    supervisors: list[SupervisorIn] | None = Field(None, max_length=20)
    meetings: list[MeetingIn] | None = Field(None, max_length=100)
    periods: list[IupPeriodIn] | None = Field(None, max_length=100)


class IupPlanCreateIn(_IupContentIn):
    trainee: Id = Field(description="Legens id")
    employment: Id | None = Field(
        None, description="Ansettelsen planen gjelder; standard: legens nyeste aktive ansettelse"
    )
    kind: Literal["hospital", "alis"] | None = Field(
        None, description="hospital (tabell 1–7) eller alis; standard: ut fra ansettelsen"
    )


class IupPlanPatchIn(_IupContentIn):
    version: int = Field(ge=1, le=MAX_ID, description="Versjonen du endrer (fra GET)")


class ActionIn(Schema):
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="Valgfri: versjonen du så; 409 hvis den er endret"
    )


# --- output -----------------------------------------------------------------------------------


class IupSupervisorOut(Schema):
    name: str
    specialty: str
    role: str
    user: int | None = Field(alias="user_id")


class MeetingOut(Schema):
    kind: str
    date: dt.date
    time: dt.time | None
    note: str


class IupPeriodOut(Schema):
    where: str
    place: str
    start: dt.date | None
    end: dt.date | None
    note: str


class IupSignatureOut(Schema):
    role: str = Field(description="trainee, supervisor eller leader")
    user: int = Field(alias="user_id")
    name: str
    signed_at: dt.datetime


class StatusRowOut(Schema):
    key: str
    label: str
    done: str
    remaining: str
    details_done: list[str]
    details_remaining: list[str]
    comment_field: str = Field(description="Feltet i planen med kommentaren til raden")
    field_done: str = Field(description="ALIS-skjemaets feltnavn for «gjennomført»")
    field_remaining: str = Field(description="ALIS-skjemaets feltnavn for «gjenstår»")


class StatusTableOut(Schema):
    """Table 4 / ALIS section 4, read-only: computed from the progress ledger on
    `computed_on`; `frozen` when the revision is signed (the snapshot taken at signing)."""

    computed_on: dt.date
    frozen: bool
    overall: str = Field(description="complete, on_track, behind, at_risk eller unknown")
    requirement_set: str
    rows: list[StatusRowOut]
    form_values: dict[str, str] = Field(description="ALIS: skjemafeltnavn → verdi")


class IupRevisionOut(Schema):
    id: int
    plan: int = Field(alias="plan_id", description="Planens (seriens) id")
    revision: int = Field(alias="number")
    kind: str = Field(description="hospital eller alis")
    trainee: int = Field(alias="plan.trainee_id")
    trainee_name: str = Field(alias="plan.trainee.full_name")
    employment: int | None = Field(alias="plan.employment_id")
    institution: int | None = Field(description="Arbeidsgiveren (id)")
    specialty: str | None = Field(description="Spesialitetskode")
    status: str = Field(description="draft, awaiting_signatures, signed eller superseded")
    first_made: dt.datetime = Field(alias="plan.created_at", description="Første gang utarbeidet")
    content: dict = Field(description="Skjemaets felt for denne typen plan: {felt: verdi}")
    supervisors: list[IupSupervisorOut]
    meetings: list[MeetingOut]
    periods: list[IupPeriodOut]
    signatures: list[IupSignatureOut]
    submitted_at: dt.datetime | None
    signed_at: dt.datetime | None
    version: int = Field(description="Send med ved PATCH; økes ved hver endring")
    created_at: dt.datetime
    updated_at: dt.datetime = Field(description="Sist oppdatert")
    pdf: str = Field(description="Adressen til PDF-en")

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.plan.kind

    @staticmethod
    def resolve_institution(obj) -> int | None:
        employment = obj.plan.employment
        return employment.institution_id if employment else None

    @staticmethod
    def resolve_specialty(obj) -> str | None:
        employment = obj.plan.employment
        return employment.specialty.code if employment and employment.specialty else None

    @staticmethod
    def resolve_content(obj) -> dict:
        return {name: getattr(obj, name) for name in services.fields_for(obj.plan.kind)}

    @staticmethod
    def resolve_supervisors(obj) -> list:
        return list(obj.supervisors.all())

    @staticmethod
    def resolve_meetings(obj) -> list:
        return list(obj.meetings.all())

    @staticmethod
    def resolve_periods(obj) -> list:
        return list(obj.periods.all())

    @staticmethod
    def resolve_signatures(obj) -> list:
        return list(obj.signatures.all())

    @staticmethod
    def resolve_pdf(obj) -> str:
        return f"/api/v1/education-plans/{obj.pk}/pdf"


class RevisionDetailOut(IupRevisionOut):
    status_table: StatusTableOut = Field(description="Tabell 4 / ALIS del 4, kun lesing")
    missing: list[str] = Field(
        description="Påkrevde felt som ikke er fylt ut (må fylles før signering)"
    )

    @staticmethod
    def resolve_status_table(obj) -> dict:
        from lisplan.iup.status import status_table

        table = status_table(obj, timezone.localdate())
        return {**table.as_json(), "frozen": table.frozen}

    @staticmethod
    def resolve_missing(obj) -> list[str]:
        return [m.field for m in services.missing(obj)]


__all__ = ["ConflictOut", "KINDS", "STATUSES"]
