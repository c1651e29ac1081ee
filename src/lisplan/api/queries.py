"""Reads of reference data for the API: specialties, learning goals, institutions, arenas.

These rows are readable by every signed-in user (``catalogue.view`` / ``organisation.view`` are
unscoped in the access policy), so they are not filtered by scope. Trainee reads live in
``lisplan.trainees.queries``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from lisplan.api.errors import field_error
from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.organisations.models import Institution, LearningArena, Region


def specialty_by_code(code: str, field: str = "specialty") -> Specialty:
    """The specialty with this code, or a 400 naming `field`."""
    specialty = Specialty.objects.filter(code=code.strip().upper()).first()
    if specialty is None:
        raise field_error(field, "unknown", _("Ukjent spesialitet «%(code)s».") % {"code": code})
    return specialty


def check_institution(pk: int, field: str = "institution") -> None:
    if not Institution.objects.filter(pk=pk).exists():
        raise field_error(field, "unknown",
                          _("Ukjent utdanningsvirksomhet (id %(id)s).") % {"id": pk})


def specialties() -> QuerySet[Specialty]:
    return Specialty.objects.order_by("name", "code")


@dataclass(frozen=True)
class GoalFilters:
    specialty: str | None = None
    common: bool | None = None
    valid_on: dt.date | None = None


def learning_goals(filters: GoalFilters = GoalFilters()) -> QuerySet[LearningGoal]:
    qs = LearningGoal.objects.select_related("specialty")
    if filters.specialty:
        qs = qs.filter(specialty=specialty_by_code(filters.specialty))
    if filters.common is not None:
        qs = qs.filter(common=filters.common)
    if filters.valid_on is not None:
        on = filters.valid_on
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
    return qs.order_by("code", "valid_from", "id")


def institutions(region: str | None = None) -> QuerySet[Institution]:
    qs = Institution.objects.select_related("region")
    if region:
        found = Region.objects.filter(code=region.strip().upper()).first()
        if found is None:
            raise field_error("region", "unknown",
                              _("Ukjent region «%(code)s».") % {"code": region})
        qs = qs.filter(region=found)
    return qs.order_by("name", "id")


def arenas(institution: int | None = None) -> QuerySet[LearningArena]:
    qs = LearningArena.objects.select_related("institution", "specialty", "leader")
    if institution is not None:
        check_institution(institution)
        qs = qs.filter(institution_id=institution)
    return qs.order_by("institution__name", "path", "id")
