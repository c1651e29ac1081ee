"""API schemas of programme plans, places and coverage (`programmes/api.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from lisplan.api.params import Code, Id

GoalCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-zÆØÅæøå]{3}-\d{3}$")]
RichText = Annotated[str, StringConstraints(max_length=50_000)]


class NamedRef(Schema):
    id: int
    code: str
    name: str


class PhaseOut(Schema):
    name: str
    months: int
    description: str


class PlanArenaOut(Schema):
    arena: int
    arena_name: str
    phase: int | None = Field(description="Fasens plass i `phases` (0 = første)")
    months: int | None
    goals: list[str] = Field(description="Læringsmål som nås her (koder)")
    prerequisites: list[str] = Field(description="Læringsmål som må være oppnådd før start")
    activities: str


class PartnerPeriodOut(Schema):
    agreement: int
    receiving: NamedRef
    phase: int | None
    months: int
    approver: Literal["receiving", "employer"]
    approving_institution: NamedRef
    goals: list[str] = Field(description="Fagavtalens læringsmål")
    prerequisites: list[str] = Field(description="Kreves før start: planens og fagavtalens")
    description: str


class ProgrammePlanOut(Schema):
    id: int
    institution: NamedRef
    specialty: NamedRef
    number: int = Field(description="Versjonsnummeret (1, 2, …) for virksomhet og spesialitet")
    version: int = Field(description="Optimistisk lås: send med ved endring og publisering")
    status: Literal["draft", "published", "superseded"]
    published_on: dt.date | None
    public_url: str = Field(description="Den offentlige siden (gjeldende publiserte versjon)")
    introduction: str
    supervision: str
    assessment: str
    courses: str
    contact: str
    phases: list[PhaseOut]
    arenas: list[PlanArenaOut]
    partner_periods: list[PartnerPeriodOut]


class PhaseIn(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    months: int = Field(ge=1, le=120)
    description: RichText = ""


class PlanArenaIn(Schema):
    arena: Id
    phase: int | None = Field(None, ge=0, le=100)
    months: int | None = Field(None, ge=1, le=120)
    goals: list[GoalCode] = Field(default_factory=list, max_length=500)
    prerequisites: list[GoalCode] = Field(default_factory=list, max_length=500)
    activities: RichText = ""


class PartnerPeriodIn(Schema):
    agreement: Id
    phase: int | None = Field(None, ge=0, le=100)
    approver: Literal["receiving", "employer"] = "receiving"
    prerequisites: list[GoalCode] = Field(default_factory=list, max_length=500)
    description: RichText = ""


class PlanContentIn(Schema):
    introduction: RichText | None = None
    supervision: RichText | None = None
    assessment: RichText | None = None
    courses: RichText | None = None
    contact: Annotated[str, StringConstraints(max_length=200)] | None = None
    phases: list[PhaseIn] | None = Field(None, max_length=50)
    arenas: list[PlanArenaIn] | None = Field(None, max_length=500)
    partner_periods: list[PartnerPeriodIn] | None = Field(None, max_length=200)


class ProgrammePlanCreateIn(PlanContentIn):
    institution: Id
    specialty: Code = Field(description="Spesialitetens kode, f.eks. ORT")


class ProgrammePlanPatchIn(PlanContentIn):
    version: int = Field(ge=1, le=2**31 - 1)


class PublishIn(Schema):
    version: int = Field(ge=1, le=2**31 - 1)


class PlaceOut(Schema):
    goal: str
    institution: NamedRef
    region: str
    arena: dict | None = Field(description="`{id, name}` eller null (fagavtale uten arena)")
    source: Literal["programme_plan", "agreement"]
    programme_plan: int | None
    agreement: int | None
    sending_institution: NamedRef | None = Field(
        description="Fagavtaler: virksomheten hvis leger når målet der"
    )
    approving_institution: NamedRef


class GoalCoverageOut(Schema):
    goal: str
    text: str
    at_home: bool
    gap: bool
    agreements: list[int]
    places: list[PlaceOut]


class ShortfallOut(Schema):
    agreements: list[int]
    goals: list[str]
    trainees: int
    demand: int = Field(description="Forventet behov for plasser samtidig")
    capacity: int


class CoverageOut(Schema):
    institution: NamedRef
    specialty: NamedRef
    programme_plan: int | None
    goals: list[GoalCoverageOut]
    gaps: list[str]
    capacity_shortfalls: list[ShortfallOut]
