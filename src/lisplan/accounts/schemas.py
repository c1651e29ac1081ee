"""Schemas of `GET /me` (docs api.md). Field names are the contract; add, never rename."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from lisplan.api.params import code_of as _code
from lisplan.api.params import name_of as _name

# --- the caller -------------------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    role_label: str
    scope_type: str | None = Field(description="arena, institution, region, eller null")
    scope_id: int | None
    scope_name: str | None
    specialty: str | None = Field(description="Spesialitetskode (for UAO), ellers null")
    valid_from: dt.date
    valid_to: dt.date | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_scope_type(obj) -> str | None:
        for field in ("arena", "institution", "region"):
            if getattr(obj, f"{field}_id"):
                return field
        return None

    @staticmethod
    def resolve_scope_id(obj) -> int | None:
        return obj.arena_id or obj.institution_id or obj.region_id

    @staticmethod
    def resolve_scope_name(obj) -> str | None:
        return _name(obj.scope)

    @staticmethod
    def resolve_specialty(obj) -> str | None:
        return _code(obj.specialty)


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    roles: list[RoleOut]
    permissions: list[str] = Field(description="Tillatelsene brukeren har i minst ett omfang")
