"""Schemas of the allocation-run endpoints. Field names are the contract; add, never rename."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from lisplan.allocation.models import (
    MAX_DELAY_MONTHS,
    MAX_QUEUE_WEIGHT,
    MAX_TIME_LIMIT,
    MIN_QUEUE_WEIGHT,
    MIN_TIME_LIMIT,
)


class RunIn(Schema):
    scope: str = Field(max_length=40, description="`region:<id>` eller `national` (hele landet)")
    max_delay_months: int = Field(
        ge=0,
        le=MAX_DELAY_MONTHS,
        description="Δ: hvor mange måneder en lege høyst kan bli forsinket sammenlignet med "
        "køordningen for at andre skal få plass tidligere (0 = køen følges strengt)",
    )
    time_limit: int = Field(
        60,
        ge=MIN_TIME_LIMIT,
        le=MAX_TIME_LIMIT,
        description="Tidsgrense for beregningen, i sekunder",
    )
    queue_weight: float | None = Field(
        None,
        ge=MIN_QUEUE_WEIGHT,
        le=MAX_QUEUE_WEIGHT,
        allow_inf_nan=False,
        description="Køvekt 0–1: hvor strengt planen følger rekkefølgen i køen (høyere = "
        "strengere, mot litt mer samlet ventetid; gir aldri færre plass). Utelatt: "
        "regionens innstilling (standardverdien 0,01 for hele landet)",
    )


class RunAcceptedOut(Schema):
    id: int
    status: str
    url: str = Field(description="Adressen der kjøringen kan følges")


class RunOut(Schema):
    id: int
    scope: str
    region: int | None
    status: str = Field(description="queued, running, done eller failed")
    progress: float = Field(description="Andel ferdig, 0–1")
    progress_message: str
    max_delay_months: int
    time_limit: int
    queue_weight: float = Field(description="Køvekten kjøringen brukte")
    start_month: dt.date | None
    created_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    metrics: dict[str, Any] | None = Field(description="Nøkkeltall for den valgte planen")
    baseline_metrics: dict[str, Any] | None = Field(description="Nøkkeltall for køordningen")
    bound: float | None = Field(description="Bevist nedre grense for målfunksjonen")
    gap: float | None
    lower_bound: dict[str, Any] | None
    one_more_place: dict[str, Any] | None = Field(
        None,
        description="Per fagavtale som ønsker uten plass kunne brukt: hvor mange flere ønsker "
        "én plass til (i avtalen og enheten) ville gitt plass, og månedene plassen brukes "
        "(agreements: agreement, waiting, extra, first, last, proven; complete; seconds)",
    )
    notes: list[str]
    error: str


class RunSummaryOut(Schema):
    id: int
    scope: str
    region: int | None
    status: str
    progress: float
    max_delay_months: int
    queue_weight: float
    created_at: dt.datetime
    finished_at: dt.datetime | None
