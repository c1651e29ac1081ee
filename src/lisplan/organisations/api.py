"""Institutions (utdanningsvirksomheter) and learning arenas (reference data)."""

from __future__ import annotations

from ninja import Field, Query, Router

from lisplan.api.access import rule
from lisplan.api.errors import responses
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import Code
from lisplan.organisations import queries
from lisplan.organisations.schemas import ArenaOut, InstitutionOut

router = Router(tags=["Organisasjon"])


class InstitutionQuery(PageQuery):
    region: Code | None = Field(None, description="Regionkode, f.eks. NORD")


@router.get(
    "/institutions",
    response=responses(page_of(InstitutionOut)),
    summary="Utdanningsvirksomheter",
)
@rule("organisation.view")
def list_institutions(request, filters: Query[InstitutionQuery]):
    return paginate(queries.institutions(region=filters.region), filters)


class ArenaQuery(PageQuery):
    institution: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Utdanningsvirksomhetens id"
    )


@router.get("/arenas", response=responses(page_of(ArenaOut)), summary="Læringsarenaer")
@rule("organisation.view")
def list_arenas(request, filters: Query[ArenaQuery]):
    return paginate(queries.arenas(institution=filters.institution), filters)
