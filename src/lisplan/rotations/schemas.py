"""Schemas of the rotation endpoints: collaboration agreements (fagavtaler), rotation requests
(the fiktiv enhet) and vacancy candidates. Field names are the contract; add, never rename.

References use the identifier the API filters by: institutions, arenas, trainees, agreements,
requests and learning goals by integer id, specialties by code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from lisplan.api.pagination import PageQuery
from lisplan.api.params import MAX_ID, Code, LongText, ShortText, Text
from lisplan.rotations.models import CollaborationAgreement, Status

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
STATUSES = [s.value for s in Status]
QUOTA_SEMESTERS = [q.value for q in CollaborationAgreement.QuotaSemester]


def _month(value: str) -> dt.date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValueError(_("Oppgi måned som ÅÅÅÅ-MM, f.eks. 2026-03."))
    return dt.date(int(match[1]), int(match[2]), 1)


Month = Annotated[str, Field(max_length=20), AfterValidator(_month)]


# --- agreements -------------------------------------------------------------------------------


class AgreementQuery(PageQuery):
    specialty: Code | None = Field(None, description="Spesialitetskode, f.eks. ORT")
    sending: int | None = Field(None, ge=1, le=MAX_ID, description="Avgivende foretak (id)")
    receiving: int | None = Field(None, ge=1, le=MAX_ID, description="Mottakende foretak (id)")
    valid_on: dt.date | None = Field(None, description="Bare avtaler som gjelder denne dagen")
    q: Text | None = Field(None, description="Fritekst: referanse, spesialitet, foretak")


class AgreementIn(Schema):
    reference: ShortText = ""
    sending: Id = Field(description="Avgivende foretak (id)")
    receiving: Id = Field(description="Mottakende foretak / samarbeidsaktør (id)")
    specialty: Code = Field(description="Spesialitetskode")
    arenas: list[Id] = Field(
        default_factory=list, max_length=200, description="Læringsarenaer hos mottaker (id)"
    )
    goals: list[Id] = Field(
        default_factory=list, max_length=2000, description="Læringsmål som dekkes (id)"
    )
    prerequisites: list[Id] = Field(
        default_factory=list,
        max_length=2000,
        description="Læringsmål som må være oppnådd før start (id)",
    )
    duration_months: int = Field(ge=1, le=60, description="Normert varighet i måneder")
    capacity: int = Field(1, ge=1, le=1000, description="Antall LIS samtidig")
    semester_quota: int | None = Field(
        None, ge=0, le=1000, description="Høyst så mange starter per semester"
    )
    quota_semester: Code = Field("any", description="any, spring eller autumn")
    start_months: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        default_factory=list, max_length=12, description="Mulige startmåneder (1–12); tom: alle"
    )
    valid_from: dt.date
    valid_to: dt.date | None = None
    notes: LongText = ""


class GoalRefOut(Schema):
    id: int
    code: str


class AgreementOut(Schema):
    id: int
    reference: str
    sending: int = Field(alias="sending_id")
    sending_name: str = Field(alias="sending.name")
    receiving: int = Field(alias="receiving_id")
    receiving_name: str = Field(alias="receiving.name")
    specialty: str = Field(alias="specialty.code", description="Spesialitetskode")
    specialty_name: str = Field(alias="specialty.name")
    arenas: list[int]
    goals: list[GoalRefOut]
    prerequisites: list[GoalRefOut]
    duration_months: int
    refunded: bool = Field(description="Under 3 måneder: lønn refunderes av hovedarbeidsgiver")
    capacity: int
    semester_quota: int | None
    quota_semester: str
    start_months: list[int]
    valid_from: dt.date
    valid_to: dt.date | None
    notes: str

    @staticmethod
    def resolve_arenas(obj) -> list[int]:
        return sorted(a.pk for a in obj.arenas.all())

    @staticmethod
    def resolve_goals(obj) -> list:
        return sorted(obj.goals.all(), key=lambda g: (g.code, g.pk))

    @staticmethod
    def resolve_prerequisites(obj) -> list:
        return sorted(obj.prerequisites.all(), key=lambda g: (g.code, g.pk))

    @staticmethod
    def resolve_start_months(obj) -> list[int]:
        return list(obj.start_months or [])


class CapacityQuery(Schema):
    from_: Month = Field(..., alias="from", description="Første måned, ÅÅÅÅ-MM")
    to: Month = Field(..., description="Siste måned, ÅÅÅÅ-MM (høyst 120 måneder)")


class CapacityMonthOut(Schema):
    month: str = Field(description="ÅÅÅÅ-MM")
    capacity: int
    used: int = Field(description="Perioder med avtalt oppstart som løper i måneden")
    free: int


class CapacityOut(Schema):
    agreement: int
    months: list[CapacityMonthOut]


# --- rotation requests ------------------------------------------------------------------------


class RequestQuery(PageQuery):
    trainee: int | None = Field(None, ge=1, le=MAX_ID, description="Legens id")
    status: Code | None = Field(None, description=", ".join(STATUSES) + "; open: alle åpne")
    receiving: int | None = Field(None, ge=1, le=MAX_ID, description="Mottakende foretak (id)")
    sending: int | None = Field(None, ge=1, le=MAX_ID, description="Avgivende foretak (id)")
    specialty: Code | None = Field(None, description="Spesialitetskode")


class RequestIn(Schema):
    trainee: Id = Field(description="Legen (id)")
    receiving: Id = Field(description="Mottakende foretak (id)")
    specialty: Code = Field(description="Spesialitetskode")
    desired_start: dt.date
    duration_months: int | None = Field(
        None, ge=1, le=60, description="Tom: normert tid fra fagavtalen"
    )
    agreement: Id | None = Field(None, description="Fagavtale (id); tom: finnes automatisk")
    arena: Id | None = Field(None, description="Læringsarena hos mottaker (id)")
    wish: bool = Field(False, description="Registrer som ønske, ikke bare behov")
    comment: LongText = ""


class RequestPatchIn(Schema):
    version: int = Field(ge=0, le=2**31 - 1, description="Versjonen du leste; eldre gir 409")
    desired_start: dt.date | None = Field(None, description="Ny ønsket oppstart")
    sending_rank: int | None = Field(
        None, ge=1, le=32767, description="Prioritet hos avgivende foretak (1 først); null fjerner"
    )


class OfferIn(Schema):
    start: dt.date | None = Field(None, description="Foreslått oppstart")
    vacancy: Id | None = Field(None, description="Den ledige stillingen tilbudet gjelder")
    comment: LongText = ""


class AnswerIn(Schema):
    comment: LongText = ""


class AgreeIn(Schema):
    start: dt.date = Field(description="Avtalt oppstartsdato")


class CompleteIn(Schema):
    goals_reached: bool = Field(description="Ble læringsmålene nådd?")
    on: dt.date | None = Field(None, description="Dato; standard i dag")
    early_end_reason: LongText = Field(
        "", description="Påkrevd når perioden avsluttes før slutten (`early_end`)"
    )


class WaiveIn(Schema):
    reason: LongText = Field(description="Hvorfor legen kan starte uten læringsmålene")


class CancelIn(Schema):
    reason: LongText = Field(description="Hvorfor ønsket avbrytes")


class RequestOut(Schema):
    id: int
    trainee: int = Field(alias="trainee_id")
    trainee_name: str = Field(alias="trainee.full_name")
    sending: int = Field(alias="sending_id")
    sending_name: str = Field(alias="sending.name")
    receiving: int = Field(alias="receiving_id")
    receiving_name: str = Field(alias="receiving.name")
    specialty: str = Field(alias="specialty.code")
    specialty_name: str = Field(alias="specialty.name")
    agreement: int | None = Field(alias="agreement_id")
    arena: int | None = Field(alias="arena_id")
    arena_name: str | None
    desired_start: dt.date
    agreed_start: dt.date | None
    start: dt.date = Field(description="Avtalt oppstart der den finnes, ellers ønsket")
    end: dt.date
    duration_months: int
    refunded_by_employer: bool = Field(description="Under 3 måneder: refusjon")
    status: str = Field(description=", ".join(STATUSES))
    sending_rank: int | None
    need_on: dt.date
    wish_on: dt.date | None
    forwarded_on: dt.date | None = Field(description="Køansiennitet hos mottaker")
    offered_on: dt.date | None
    answered_on: dt.date | None
    start_agreed_on: dt.date | None
    started_on: dt.date | None
    completed_on: dt.date | None
    cancelled_on: dt.date | None
    goals_reached: bool | None
    early_end_reason: str = Field(description="Hvorfor perioden ble avsluttet før tiden")
    prerequisites_waived_reason: str = Field(
        description="Mottakende koordinators begrunnelse for unntak fra forkunnskapskrav"
    )
    prerequisites_waived_on: dt.date | None
    source: str
    extends: int | None = Field(alias="extends_id")
    vacancy: int | None = Field(alias="vacancy_id")
    comment: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_arena_name(obj) -> str | None:
        return obj.arena.name if obj.arena_id else None


# --- vacancy candidates -----------------------------------------------------------------------


class CandidateQuery(PageQuery):
    arena: Id = Field(description="Læringsarenaen med ledig stilling (id)")
    start: dt.date = Field(description="Oppstart tidligst")
    start_to: dt.date | None = Field(None, description="Oppstart senest; standard = start")
    duration: int = Field(ge=1, le=60, description="Varighet i måneder")


class PrerequisiteOut(Schema):
    code: str
    title: str
    state: str = Field(description="met, expected (ventet oppnådd før start) eller missing")
    date: dt.date | None


class CandidateOut(Schema):
    place: int = Field(description="Plass i kandidatlisten (kvalifiserte først)")
    queue_place: int = Field(description="Plass i den publiserte køen")
    explanation: str = Field(description="Hvorfor kandidaten står her, på én linje")
    request: int
    trainee: int
    trainee_name: str
    sending: int
    sending_code: str
    sending_name: str
    desired_start: dt.date
    duration_months: int
    forwarded_on: dt.date | None
    sending_rank: int | None
    months_done: float | None = Field(description="Måneder tjeneste i spesialiteten")
    eligible: bool
    permanent: bool
    reasons: list[str]
    prerequisites: list[PrerequisiteOut]
    prerequisites_met: list[str]
    prerequisites_expected: list[str]
    prerequisites_missing: list[str]


class CandidatesOut(Schema):
    arena: int
    institution: int
    specialty: str
    start: dt.date
    start_to: dt.date
    duration: int
    count: int
    results: list[CandidateOut]


# --- cross-region registration (innmelding til foretak utenfor lisplan) ---------------------


class ExportPersonOut(Schema):
    name: str
    email: str | None


class ExportTraineeOut(Schema):
    name: str
    first_name: str
    last_name: str
    hpr_number: str | None
    email: str | None
    phone: str | None


class ExportEmploymentOut(Schema):
    employer: str
    employer_code: str
    employer_org_number: str | None
    employee_number: str | None
    department: str | None
    permanent: bool
    position_percent: float | None
    start: dt.date | None
    end: dt.date | None


class ExportCodeOut(Schema):
    code: str
    name: str


class ExportReceivingOut(Schema):
    name: str
    code: str
    department: str | None


class ExportGoalOut(Schema):
    code: str
    text: str


class ExportAgreementOut(Schema):
    id: int
    reference: str | None
    duration_months: int
    capacity: int
    semester_quota: int | None
    quota_semester: str
    valid_from: dt.date
    valid_to: dt.date | None
    goals: list[ExportGoalOut]


class ExportPeriodOut(Schema):
    desired_start: dt.date
    agreed_start: dt.date | None
    duration_months: int
    end: dt.date
    refunded_by_employer: bool


class ExportRegisterOut(Schema):
    need_on: dt.date | None
    wish_on: dt.date | None
    registered_on: dt.date | None = Field(
        description="Dato mottakende foretak fikk innmeldingen (køansiennitet)"
    )
    sending_rank: int | None


class ExportOut(Schema):
    """The registration as the receiving trust's form asks for it (`format`
    lisplan.rotation-registration/1) — the same record as the JSON download on the page."""

    format: str
    id: int
    exported_at: dt.datetime
    exported_by: ExportPersonOut | None
    status: str
    trainee: ExportTraineeOut
    employment: ExportEmploymentOut
    leader: ExportPersonOut | None
    specialty: ExportCodeOut
    receiving: ExportReceivingOut
    agreement: ExportAgreementOut | None
    period: ExportPeriodOut
    # `register` would shadow pydantic's own attribute: named by its alias (`by_alias=True`)
    register_: ExportRegisterOut = Field(alias="register")
    comment: str | None


class ExternalAnswerIn(Schema):
    accepted: bool = Field(description="true: akseptert; false: avslått")
    start: dt.date | None = Field(None, description="Avtalt oppstart (bare ved aksept)")
    comment: LongText = Field("", description="Kommentar fra mottakende foretak")
