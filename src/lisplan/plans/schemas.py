"""Schemas of the implementation-plan endpoints (docs api.md «Implementation plans»).

Field names are the contract; add, never rename. References use the identifier the API filters
by: trainees, institutions, arenas, users and revisions by integer id, specialties by code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema

from lisplan.api.params import MAX_ID, Id, LongText, ShortText, _text  # noqa: F401
from lisplan.plans import rules
from lisplan.plans.models import Status

EmployeeNumber = _text(30)
SpecialtyCode = _text(20)
# Months with one decimal (the form's «antall måneder»); the caps are rules (400 `above_cap`).
Months = Annotated[Decimal, Field(max_digits=6, decimal_places=1, allow_inf_nan=False)]


# --- input ------------------------------------------------------------------------------------


class PeriodIn(Schema):
    specialty: SpecialtyCode = Field(description="Spesialitetskode, f.eks. ORT")
    institution: Id = Field(description="Foretak/samarbeidsforetak (id)")
    arena: Id | None = Field(None, description="Klinikk/avdeling (læringsarena-id), valgfri")
    service_place: ShortText | None = Field(None, description="Tjenestested (fritekst)")
    start: dt.date
    end: dt.date
    contact_person: ShortText | None = Field(
        None, description="Kontaktperson ved mottakende foretak, valgfri"
    )
    agreement: int | None = Field(None, description="Fagavtale perioden bygger på, valgfri")


class _ContentIn(Schema):
    employer: Id | None = Field(
        None, description="Arbeidsgiver/foretak (id); ved oppretting forhåndsutfylt fra ansettelsen"
    )
    specialty: SpecialtyCode | None = Field(
        None, description="Hovedspesialitet (kode); ved oppretting forhåndsutfylt fra ansettelsen"
    )
    employee_number: EmployeeNumber | None = None
    estimated_start: dt.date | None = None
    estimated_end: dt.date | None = None
    purpose: Literal["employment", "conversion"] | None = Field(
        None,
        description="Planen er til bruk ved: employment (inngåelse av arbeidsavtale) "
        "eller conversion (konvertering fra gammel til ny ordning)",
    )
    plan_date: dt.date | None = None
    place: str | None = Field(None, max_length=100, description="Sted (ved dato for fastsatt plan)")
    credit_old_scheme_months: Months | None = Field(
        None, description=f"Høyst {rules.MAX_CREDIT_OLD_SCHEME_MONTHS} måneder"
    )
    credit_other_specialty_months: Months | None = Field(
        None, description=f"Høyst {rules.MAX_CREDIT_OTHER_SPECIALTY_MONTHS} måneder"
    )
    remarks: LongText | None = None
    outside_employment_confirmed: bool | None = Field(
        None, description="Leder bekrefter perioder utenfor ansettelsen (bare leder)"
    )
    periods: list[PeriodIn] | None = Field(
        None, max_length=200, description="Erstatter hele periodetabellen når oppgitt"
    )


class PlanCreateIn(_ContentIn):
    trainee: Id = Field(description="Legen planen gjelder (id)")
    employment: Id | None = Field(
        None, description="Ansettelsen planen hører til; standard er legens nyeste aktive"
    )


class PlanPatchIn(_ContentIn):
    version: int = Field(
        ge=0, le=2**31 - 1, description="Versjonen du leste; en eldre versjon gir 409"
    )


class ApproveIn(Schema):
    confirm_no_agreement: bool = Field(
        False,
        description="Koordinatoren bekrefter perioder ved foretak uten fagavtale "
        "(ellers `no_agreement`)",
    )


class ReturnIn(Schema):
    comment: LongText = Field(description="Hvorfor planen returneres")


# --- output -----------------------------------------------------------------------------------


class PeriodOut(Schema):
    id: int
    specialty: str = Field(alias="specialty.code", description="Spesialitetskode")
    specialty_name: str = Field(alias="specialty.name")
    institution: int = Field(alias="institution_id")
    institution_name: str = Field(alias="institution.name")
    arena: int | None = Field(alias="arena_id")
    arena_name: str | None
    service_place: str
    start: dt.date
    end: dt.date
    contact_person: str
    agreement: int | None = Field(None, alias="agreement_id", description="Fagavtale, valgfri")

    @staticmethod
    def resolve_arena_name(obj) -> str | None:
        return obj.arena.name if obj.arena_id else None


class SignatureOut(Schema):
    role: str = Field(description="leader eller trainee")
    user: int = Field(alias="user_id")
    name: str
    signed_at: dt.datetime


class ProblemOut(Schema):
    field: str
    code: str
    message: str


class RevisionOut(Schema):
    id: int
    plan: int = Field(alias="plan_id", description="Planens (seriens) id")
    revision: int = Field(alias="number", description="Revisjonsnummer: 1, 2, …")
    trainee: int = Field(alias="plan.trainee_id")
    trainee_name: str = Field(alias="plan.trainee.full_name")
    employment: int | None = Field(alias="plan.employment_id")
    employer: int = Field(alias="employer_id", description="Arbeidsgiver/foretak (id)")
    employer_name: str = Field(alias="employer.name")
    specialty: str = Field(alias="specialty.code", description="Spesialitetskode")
    specialty_name: str = Field(alias="specialty.name")
    employee_number: str
    estimated_start: dt.date | None
    estimated_end: dt.date | None
    purpose: str = Field(description="employment eller conversion")
    plan_date: dt.date | None
    place: str = Field(description="Sted (ved dato for fastsatt plan)")
    revision_dates: list[dt.date] = Field(description="Godkjenningsdatoene til revisjon 2 … denne")
    credit_old_scheme_months: Decimal | None
    credit_other_specialty_months: Decimal | None
    periods: list[PeriodOut]
    remarks: str
    outside_employment_confirmed: bool
    status: str = Field(
        description="draft, awaiting_signatures, awaiting_approval, approved, "
        "superseded, eller expired (godkjent og gyldig_til passert)"
    )
    signatures: list[SignatureOut]
    submitted_at: dt.datetime | None
    approved_by: int | None = Field(alias="approved_by_id")
    approved_by_name: str | None
    approved_at: dt.datetime | None
    valid_until: dt.date | None
    return_comment: str
    warnings: list[ProblemOut] = Field(
        description="Advarsler som ikke stanser lagring, men må bekreftes av leder"
    )
    version: int = Field(description="Send med ved PATCH; økes ved hver endring")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_revision_dates(obj) -> list[dt.date]:
        # prefetched as `plan.approved_revisions` (see lisplan.plans.api._revisions)
        return [
            timezone.localdate(r.approved_at)
            for r in obj.plan.approved_revisions
            if 1 < r.number <= obj.number
        ]

    @staticmethod
    def resolve_periods(obj) -> list:
        return list(obj.periods.all())

    @staticmethod
    def resolve_status(obj) -> str:
        return str(obj.effective_status(timezone.localdate()))

    @staticmethod
    def resolve_signatures(obj) -> list:
        return list(obj.signatures.all())

    @staticmethod
    def resolve_approved_by_name(obj) -> str | None:
        user = obj.approved_by
        return (user.get_full_name() or user.username) if user else None

    @staticmethod
    def resolve_warnings(obj) -> list[rules.Problem]:
        return warnings_of(obj)


def warnings_of(revision) -> list[rules.Problem]:
    """The problems of kind warning (periods outside the employment), from loaded rows only."""
    employment = revision.plan.employment
    report = rules.check_plan(
        rules.PlanInput(
            employer=revision.employer_id,
            estimated_start=revision.estimated_start,
            estimated_end=revision.estimated_end,
            credit_old_scheme_months=revision.credit_old_scheme_months,
            credit_other_specialty_months=revision.credit_other_specialty_months,
            periods=tuple(
                rules.Period(
                    specialty=p.specialty_id,
                    institution=p.institution_id,
                    start=p.start,
                    end=p.end,
                    arena=p.arena_id,
                )
                for p in revision.periods.all()
            ),
            employment_start=employment.start if employment else None,
            employment_end=employment.end if employment else None,
        )
    )
    return report.warnings


class HistoryOut(Schema):
    id: int
    at: dt.datetime = Field(alias="created_at")
    actor: int | None = Field(alias="actor_id", description="Brukerens id; null for systemet")
    actor_name: str
    action: str = Field(
        description="f.eks. plan.created, plan.changed, plan.submitted, "
        "plan.signed, plan.sent_for_approval, plan.approved, plan.returned, "
        "plan.revised, plan.superseded"
    )
    changes: dict = Field(description="Endrede felt: {felt: [før, etter]}")


STATUSES = [s.value for s in Status]
