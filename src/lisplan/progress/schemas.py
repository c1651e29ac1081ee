"""Schemas of the progress endpoints (docs api.md «Progress»): requirement status, goal
approvals, activities and service periods. Field names are the contract; add, never rename."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from ninja import Field, Schema

from lisplan.api.errors import ErrorOut
from lisplan.api.params import MAX_ID, Code, Text
from lisplan.progress.models import (
    ActivityKind,
    ServiceCategory,
)


class ProgressConflictOut(ErrorOut):
    current_version: int | None = Field(
        None, description="Tjenesteperiodens versjon nå (last inn på nytt)"
    )
    current_goal_version: dt.date | None = Field(
        None, description="Læringsmålversjonen som gjelder i dag (gyldig fra)"
    )


def _number(value) -> float | None:
    if value is None:
        return None
    return round(float(Fraction(value)), 1)


# --- schemas ----------------------------------------------------------------------------------


class RequirementItemOut(Schema):
    code: str = Field(description="Kurskoden i kurskatalogen")
    label: str
    done: bool
    on: dt.date | None = Field(description="Dato gjennomført (første gang)")


class RequirementOut(Schema):
    code: str
    label: str
    kind: str = Field(description="service_time, goals, activity_count eller activity_period")
    unit: str = Field(description="months, goals, courses, shifts eller items")
    done: float
    required: float | None
    maximum: float | None
    remaining: float
    status: str = Field(description="done (oppfylt) eller remaining (gjenstår)")
    satisfied: bool
    mandatory: bool
    evidence: list[str]
    verified: bool = Field(description="false: kravet er ikke kontrollert mot kildene")
    basis: str = Field(
        description="source (kildene avgjør) eller conservative (forsiktig "
        "tolkning der kildene ikke avgjør)"
    )
    note: str
    items: list[RequirementItemOut] = Field(
        description="Kurslisten (anbefalte kurs for spesialiteten): gjort/gjenstår per kurs"
    )


class GoalOut(Schema):
    code: str
    text: str
    scope: str = Field(description="part2, part3 eller common (FKM)")
    valid_from: dt.date = Field(description="Versjonen som gjelder i dag, gyldig fra")
    status: str = Field(description="not_started, in_progress eller approved")
    approved_by: str | None
    approved_on: dt.date | None
    assessment: str | None
    arena: int | None
    institution: int | None
    earlier_version_approved_on: dt.date | None = Field(
        description="Godkjent etter en tidligere versjon (teller ikke lenger), ellers null"
    )
    activities: int = Field(description="Aktiviteter registrert mot målkoden (alle versjoner)")


class ProgressOut(Schema):
    trainee: int
    specialty: str | None
    requirement_set: str | None
    today: dt.date
    status: str = Field(
        description="complete, on_track, behind, at_risk, old_scheme (gammel ordning, vurderes manuelt) eller unknown"
    )
    projected_completion: dt.date | None
    target_end: dt.date | None = Field(description="Beregnet slutt i godkjent gjennomføringsplan")
    drivers: list[str] = Field(
        description="Hva som avgjør datoen og statusen (bokmål, eller engelsk med Accept-Language)"
    )
    requirements: list[RequirementOut]
    goals: list[GoalOut]


class GoalApprovalIn(Schema):
    goal: Code = Field(description="Læringsmålkoden, f.eks. ORT-001 (versjonen som gjelder)")
    version: dt.date | None = Field(
        None,
        description="valid_from for versjonen du leste; ved approved gir en versjon som "
        "ikke lenger gjelder i dag 409 (standard: versjonen som gjelder i dag)",
    )
    status: Code = Field(description="not_started, in_progress eller approved")
    assessment: Code = Field(
        "",
        description="panel, observation, supervision, case, course, "
        "procedure eller other; påkrevd ved approved",
    )
    approved_on: dt.date | None = Field(None, description="Godkjenningsdato (standard i dag)")
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    arena: int | None = Field(None, ge=1, le=MAX_ID)
    comment: Text = ""


class GoalApprovalOut(Schema):
    id: int
    trainee: int = Field(alias="trainee_id")
    goal: str
    goal_valid_from: dt.date
    status: str
    assessment: str
    approved_by: int | None = Field(alias="approved_by_id")
    approved_on: dt.date | None
    institution: int | None = Field(alias="institution_id")
    arena: int | None = Field(alias="arena_id")
    comment: str

    @staticmethod
    def resolve_goal(obj) -> str:
        return obj.goal.code

    @staticmethod
    def resolve_goal_valid_from(obj) -> dt.date:
        return obj.goal.valid_from


class ActivityIn(Schema):
    kind: Code = Field(description=", ".join(ActivityKind.values))
    date: dt.date
    end_date: dt.date | None = None
    course: Code | None = Field(None, description="Kurskode fra kurskatalogen, f.eks. ALM-GK-A")
    title: Text = ""
    hours: Decimal | None = Field(None, ge=0, le=10000, max_digits=6, decimal_places=1)
    count: int = Field(1, ge=1, le=10000)
    supervisor: int | None = Field(None, ge=1, le=MAX_ID, description="Veilederens bruker-id")
    minutes_by: Code = Field("", description="trainee eller supervisor")
    participants: str = Field("", max_length=2000)
    summary: str = Field("", max_length=5000)
    goals: list[Code] = Field(default_factory=list, description="Læringsmålkoder")
    institution: int | None = Field(None, ge=1, le=MAX_ID)


class ActivityOut(Schema):
    id: int
    trainee: int = Field(alias="trainee_id")
    kind: str
    date: dt.date
    end_date: dt.date | None
    course: str | None
    title: str
    hours: float | None
    count: int
    supervisor: int | None = Field(alias="supervisor_id")
    minutes_by: str
    participants: str
    summary: str
    goals: list[str]
    institution: int | None = Field(alias="institution_id")
    recorded_by: int | None = Field(alias="recorded_by_id")

    @staticmethod
    def resolve_course(obj) -> str | None:
        return obj.course.code if obj.course_id else None

    @staticmethod
    def resolve_hours(obj) -> float | None:
        return float(obj.hours) if obj.hours is not None else None

    @staticmethod
    def resolve_goals(obj) -> list[str]:
        return sorted({g.code for g in obj.goals.all()})


CATEGORY_HELP = ", ".join(ServiceCategory.values)


class ServicePeriodIn(Schema):
    category: Code = Field(description=CATEGORY_HELP)
    start: dt.date
    end: dt.date | None = Field(None, description="Tom for en pågående periode")
    percent: int = Field(100, ge=1, le=100, description="Stillingsprosent")
    employment: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Ansettelsen perioden hører til (erstatter den i "
        "regnskapet), eller null for tjeneste utenfor lisplan",
    )
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    place: Text = Field("", description="Tjenestested som fritekst (utenfor lisplan)")
    specialty: Code | None = Field(
        None, description="Spesialitetskode; påkrevd for other_specialty"
    )
    note: str = Field("", max_length=5000)


class ServicePeriodPatchIn(Schema):
    version: int = Field(ge=1, le=2**31 - 1, description="Versjonen du leste; eldre gir 409")
    category: Code | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    percent: int | None = Field(None, ge=1, le=100)
    employment: int | None = Field(None, ge=1, le=MAX_ID)
    institution: int | None = Field(None, ge=1, le=MAX_ID)
    place: Text | None = None
    specialty: Code | None = None
    note: str | None = Field(None, max_length=5000)


class ServicePeriodOut(Schema):
    id: int
    trainee: int = Field(alias="trainee_id")
    category: str
    ledger_category: str = Field(description="Kategorien i tjenestetidsregnskapet")
    start: dt.date
    end: dt.date | None
    percent: int
    employment: int | None = Field(alias="employment_id")
    institution: int | None = Field(alias="institution_id")
    place: str
    specialty: str | None
    note: str
    version: int
    recorded_by: int | None = Field(alias="recorded_by_id")

    @staticmethod
    def resolve_ledger_category(obj) -> str:
        from lisplan.progress.models import LEDGER_CATEGORY

        return LEDGER_CATEGORY[obj.category]

    @staticmethod
    def resolve_specialty(obj) -> str | None:
        return obj.specialty.code if obj.specialty_id else None
