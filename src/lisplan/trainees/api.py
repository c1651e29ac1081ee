"""Trainees (leger i spesialisering) visible to the caller."""

from __future__ import annotations

from ninja import Field, Path, Query, Router

from lisplan.api.access import caller, rule
from lisplan.api.errors import responses
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import Code, Text
from lisplan.catalogue import queries as catalogue_queries
from lisplan.organisations import queries as organisation_queries
from lisplan.trainees.queries import TraineeFilters, trainee_detail, trainee_list
from lisplan.trainees.schemas import TraineeDetailOut, TraineeOut

router = Router(tags=["Leger i spesialisering"])

MAX_ID = 2**63 - 1


class TraineeQuery(PageQuery):
    institution: int | None = Field(
        None, ge=1, le=MAX_ID, description="Arbeidsgiverens id (ansettelse som ikke er avsluttet)"
    )
    specialty: Code | None = Field(None, description="Spesialitetskode, f.eks. ORT")
    permanent: bool | None = Field(None, description="true: fast ansatt; false: vikariat")
    q: Text = Field("", description="Søk i navn, e-post eller HPR-nummer")


@router.get(
    "/trainees",
    response=responses(page_of(TraineeOut)),
    summary="Leger du har tilgang til",
)
@rule("trainee.view")
def list_trainees(request, filters: Query[TraineeQuery]):
    specialty = None
    if filters.specialty:
        specialty = catalogue_queries.specialty_by_code(filters.specialty).code
    if filters.institution is not None:
        organisation_queries.check_institution(filters.institution)
    qs = trainee_list(
        caller(request),
        TraineeFilters(
            q=filters.q,
            institution=filters.institution,
            specialty=specialty,
            permanent=filters.permanent,
        ),
    )
    return paginate(qs, filters)


@router.get("/trainees/{id}", response=responses(TraineeDetailOut), summary="Én lege")
@rule("trainee.view")
def get_trainee(request, id: int = Path(..., ge=1, le=MAX_ID)):  # `id`: the name in api.md
    """404 when the trainee does not exist or lies outside the caller's scope."""
    return trainee_detail(caller(request), id)
