"""Response schemas. Field names are the contract of docs api.md; add, never rename.

References to other rows use the identifier the API filters by: institutions, arenas and users
by integer id, specialties by code, regions by code. A name beside an id (``institution_name``)
saves clients a lookup.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from lisplan.api.params import name_of as _name

# --- trainees -----------------------------------------------------------------------------------


class EmploymentOut(Schema):
    id: int
    institution: int
    institution_name: str
    specialty: str = Field(description="Spesialitetskode")
    specialty_name: str
    arena: int | None
    arena_name: str | None
    permanent: bool
    position_percent: int
    start: dt.date
    end: dt.date | None
    scheme: str = Field(description="new (ny ordning) eller old (gammel ordning)")

    @staticmethod
    def resolve_institution(obj) -> int:
        return obj.institution_id

    @staticmethod
    def resolve_institution_name(obj) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_specialty(obj) -> str:
        return obj.specialty.code

    @staticmethod
    def resolve_specialty_name(obj) -> str:
        return obj.specialty.name

    @staticmethod
    def resolve_arena(obj) -> int | None:
        return obj.arena_id

    @staticmethod
    def resolve_arena_name(obj) -> str | None:
        return _name(obj.arena)


class LeaveOut(Schema):
    id: int
    kind: str
    kind_label: str
    start: dt.date
    end: dt.date
    percent: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class SupervisorOut(Schema):
    id: int
    user: int
    name: str
    kind: str
    kind_label: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_user(obj) -> int:
        return obj.supervisor_id

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.supervisor)

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class TraineeOut(Schema):
    id: int
    first_name: str
    last_name: str
    name: str
    hpr_number: str | None = Field(description="HPR-nummer som tekst (ledende nuller beholdes)")
    email: str
    employments: list[EmploymentOut] = Field(description="Ansettelser som ikke er avsluttet")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.full_name

    @staticmethod
    def resolve_employments(obj) -> list:
        return obj.current_employments


class TraineeDetailOut(TraineeOut):
    phone: str
    employments: list[EmploymentOut] = Field(description="Alle ansettelser, nyeste først")
    leave_periods: list[LeaveOut]
    supervisors: list[SupervisorOut]

    @staticmethod
    def resolve_employments(obj) -> list:
        return list(obj.employments.all())

    @staticmethod
    def resolve_leave_periods(obj) -> list:
        return list(obj.leave_periods.all())

    @staticmethod
    def resolve_supervisors(obj) -> list:
        return list(obj.supervisions.all())
