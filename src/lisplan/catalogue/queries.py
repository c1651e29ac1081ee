"""Reads of the catalogue: specialties and learning goals (pages and API).

These rows are readable by every signed-in user (``catalogue.view`` is unscoped in the access
policy), so they are not filtered by scope. An unknown code is a domain error naming the field
(``lisplan.errors.Invalid``), 400 in the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.errors import Invalid


def specialty_by_code(code: str, field: str = "specialty") -> Specialty:
    """The specialty with this code, or a 400 naming `field`."""
    specialty = Specialty.objects.filter(code=code.strip().upper()).first()
    if specialty is None:
        raise Invalid.of(field, "unknown", _("Ukjent spesialitet «%(code)s».") % {"code": code})
    return specialty


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
