"""Schemas of the insight endpoints (indicators, drill-down rows, harvests). Field names are the
contract; add, never rename."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from lisplan.api.pagination import PageQuery
from lisplan.api.params import MAX_ID


class ScopeQuery(Schema):
    scope: Literal["national", "region", "institution", "specialty", "arena"] | None = Field(
        None, description="Enhetstype. Utelatt: brukerens egen enhet (den bredeste)."
    )
    id: int | None = Field(None, ge=1, le=MAX_ID, description="Enhetens id (ikke for national)")
    specialty: int | None = Field(
        None, ge=1, le=MAX_ID, description="Spesialitetens id: avgrens enheten til den"
    )
    at: dt.date | None = Field(None, description="Dato (YYYY-MM-DD); utelatt: i dag")


class RowsQuery(ScopeQuery, PageQuery):
    pass


class FrozenScopeQuery(Schema):
    scope: Literal["national", "region", "institution", "specialty", "arena"] | None = None
    id: int | None = Field(None, ge=1, le=MAX_ID)
    specialty: int | None = Field(None, ge=1, le=MAX_ID)


class FrozenRowsQuery(FrozenScopeQuery, PageQuery):
    pass


class IndicatorOut(Schema):
    code: str
    name: str
    value: float | None = Field(
        description="Verdien; andeler som 0–1. null når den ikke kan "
        "beregnes eller er skjult (små tall)"
    )
    numerator: int | None
    denominator: int | None
    unit: str = Field(description="count | share | rate | median")
    direction: str = Field(description="higher | lower | neutral (hva som er bedre)")
    suppressed: bool = Field(
        False,
        description="Skjult fordi cellen har færre enn 5 (vises som «< 5» utenfor egen enhet)",
    )
    definition: str = ""
    change: float | None = Field(None, description="Endring siden forrige innhøsting")


class RowOut(Schema):
    id: int
    trainee_id: int | None
    trainee: str
    institution: str
    specialty: str
    arena: str
    date: dt.date | None = None
    detail: str = ""
    measure: float | None = None


class HarvestIn(Schema):
    date: dt.date = Field(description="Innhøstingsdato (YYYY-MM-DD), ikke fram i tid")


class HarvestAcceptedOut(Schema):
    id: int
    status: str
    url: str


class HarvestOut(Schema):
    id: int
    date: dt.date
    status: str = Field(description="queued | running | done | failed")
    scheduled: bool
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows: int
    error: str
