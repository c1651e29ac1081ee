"""Specialties and learning goals (reference data)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router

from lisplan.api.access import rule
from lisplan.api.errors import responses
from lisplan.api.pagination import PageQuery, page_of, paginate
from lisplan.api.params import Code
from lisplan.catalogue import queries
from lisplan.catalogue.schemas import LearningGoalOut, SpecialtyOut

router = Router(tags=["Katalog"])


@router.get("/specialties", response=responses(page_of(SpecialtyOut)), summary="Spesialitetene")
@rule("catalogue.view")
def list_specialties(request, page: Query[PageQuery]):
    return paginate(queries.specialties(), page)


class GoalQuery(PageQuery):
    specialty: Code | None = Field(None, description="Spesialitetskode, f.eks. ORT")
    common: bool | None = Field(None, description="true: bare FKM; false: uten FKM")
    valid_on: dt.date | None = Field(None, description="Bare mål som gjelder denne datoen")


@router.get("/learning-goals", response=responses(page_of(LearningGoalOut)), summary="Læringsmål")
@rule("catalogue.view")
def list_learning_goals(request, filters: Query[GoalQuery]):
    qs = queries.learning_goals(
        queries.GoalFilters(
            specialty=filters.specialty, common=filters.common, valid_on=filters.valid_on
        )
    )
    return paginate(qs, filters)
