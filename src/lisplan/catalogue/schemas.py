"""Schemas of the catalogue endpoints: specialties and learning goals. Field names are the
contract of docs api.md; add, never rename."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from lisplan.api.params import code_of as _code

# --- catalogue ----------------------------------------------------------------------------------


class SpecialtyOut(Schema):
    code: str
    name: str
    name_en: str
    part2_group: str | None = Field(description="FIM, FKI eller null")
    kind: str

    @staticmethod
    def resolve_part2_group(obj) -> str | None:
        return obj.part2_group or None


class LearningGoalOut(Schema):
    id: int
    code: str
    specialty: str | None = Field(description="Spesialitetskode; null for FKM")
    common: bool = Field(description="Felles kompetansemål (FKM)")
    part: str
    text: str
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def resolve_specialty(obj) -> str | None:
        return _code(obj.specialty)
