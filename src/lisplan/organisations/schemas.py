"""Schemas of the organisation endpoints: institutions and learning arenas. Field names are
the contract of docs api.md; add, never rename."""

from __future__ import annotations

from ninja import Field, Schema

from lisplan.api.params import code_of as _code
from lisplan.api.params import name_of as _name

# --- organisations ------------------------------------------------------------------------------


class InstitutionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    region: str = Field(description="Regionkode")
    region_name: str

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name


class ArenaOut(Schema):
    id: int
    name: str
    level: str
    institution: int
    institution_name: str
    parent: int | None
    specialty: str | None
    leader_name: str | None

    @staticmethod
    def resolve_institution(obj) -> int:
        return obj.institution_id

    @staticmethod
    def resolve_institution_name(obj) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_specialty(obj) -> str | None:
        return _code(obj.specialty)

    @staticmethod
    def resolve_leader_name(obj) -> str | None:
        return _name(obj.leader)
