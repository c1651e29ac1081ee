"""Reads of the organisations: institutions (utdanningsvirksomheter) and learning arenas
(pages and API).

These rows are readable by every signed-in user (``organisation.view`` is unscoped in the
access policy), so they are not filtered by scope. An unknown id or code is a domain error
naming the field (``lisplan.errors.Invalid``), 400 in the API.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lisplan.errors import Invalid
from lisplan.organisations.models import Institution, LearningArena, Region


def check_institution(pk: int, field: str = "institution") -> None:
    if not Institution.objects.filter(pk=pk).exists():
        raise Invalid.of(
            field, "unknown", _("Ukjent utdanningsvirksomhet (id %(id)s).") % {"id": pk}
        )


def institutions(region: str | None = None) -> QuerySet[Institution]:
    qs = Institution.objects.select_related("region")
    if region:
        found = Region.objects.filter(code=region.strip().upper()).first()
        if found is None:
            raise Invalid.of("region", "unknown", _("Ukjent region «%(code)s».") % {"code": region})
        qs = qs.filter(region=found)
    return qs.order_by("name", "id")


def arenas(institution: int | None = None) -> QuerySet[LearningArena]:
    qs = LearningArena.objects.select_related("institution", "specialty", "leader")
    if institution is not None:
        check_institution(institution)
        qs = qs.filter(institution_id=institution)
    return qs.order_by("institution__name", "path", "id")
