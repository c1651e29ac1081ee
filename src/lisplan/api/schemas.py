"""Response schemas. Field names are the contract of docs api.md; add, never rename.

References to other rows use the identifier the API filters by: institutions, arenas and users
by integer id, specialties by code, regions by code. A name beside an id (``institution_name``)
saves clients a lookup.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def _name(obj) -> str | None:
    return str(obj) if obj is not None else None


# --- errors (docs api.md «Errors») ----------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="Feltets sti, f.eks. page_size eller periods[1].end")
    code: str = Field(description="Maskinlesbar kode, f.eks. required, invalid, unknown")
    message: str = Field(description="Meldingen på bokmål")


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


def responses(ok: type[Schema]) -> dict:
    """An operation's documented responses: `ok` for 200, the error format otherwise."""
    return {200: ok, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


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
