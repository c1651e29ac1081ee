"""Schemas of the dimensioning endpoints. Field names are the contract; add, never rename."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from lisplan.dimensioning.engine import DEFAULT_DRAWS
from lisplan.dimensioning.services import MAX_DRAWS

MAX_ID = 2_147_483_647


class DimensioningRunIn(Schema):
    scenario: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Id for et scenario: inndata bygges fra databasen med scenarioets "
        "gjeldende versjon. Oppgi enten `scenario` eller `input`.",
    )
    input: dict[str, Any] | None = Field(
        None,
        description="Et inndatadokument i formatet lisplan-dimensioning/1 "
        "(docs/dimensioning-format.md)",
    )
    draws: int = Field(
        DEFAULT_DRAWS,
        ge=0,
        le=MAX_DRAWS,
        description="Monte Carlo-trekninger (0 = uten usikkerhet)",
    )
    seed: int = Field(1, ge=0, le=MAX_ID, description="Frø for trekningene")


class DimensioningRunAcceptedOut(Schema):
    id: int
    status: str
    url: str = Field(description="Adressen der kjøringen kan følges")


class DimensioningRunOut(Schema):
    id: int
    scenario: int | None
    scenario_version: int | None
    status: str = Field(description="queued, running, done eller failed")
    progress: float = Field(description="Andel ferdig, 0–1")
    progress_message: str
    draws: int
    seed: int
    created_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    notes: list[str]
    warnings: list[dict[str, Any]]
    error: str


class ScenarioIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="demography, extra_growth, working_time_factor, retirement_shift_years, "
        "imports_factor, intake_factor, intake_path, base_year, target_year",
    )


class ScenarioOut(Schema):
    id: int
    name: str
    description: str
    version: int
    params: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
