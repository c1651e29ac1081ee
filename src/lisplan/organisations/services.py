"""Writes of institutions (utdanningsvirksomheter) and learning arenas: the administrator's
(`organisation.change`), validated and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.audit import writes
from lisplan.errors import Refused
from lisplan.organisations.models import Institution, LearningArena


def _require(actor) -> None:
    if actor is None or not has_permission(actor, "organisation.change"):
        raise Refused(_("Du har ikke tilgang til denne handlingen."))


def _check_org_number(value: str) -> None:
    if value and not (value.isdigit() and len(value) == 9):
        raise ValidationError(
            {"org_number": _("Organisasjonsnummeret har ni sifre (Enhetsregisteret).")}
        )


def institution_create(*, actor, **fields) -> Institution:
    _require(actor)
    fields["code"] = (fields.get("code") or "").strip().upper()
    _check_org_number(fields.get("org_number", ""))
    return writes.create(actor=actor, model=Institution, action="institution.created", **fields)


def institution_update(*, actor, institution: Institution, **fields) -> Institution:
    """Name, kind, region and organisation number; the code stays (imports and exports use it)."""
    _require(actor)
    if "code" in fields:
        raise TypeError("The code of an institution is not changed here")
    _check_org_number(fields.get("org_number", ""))
    return writes.update(actor=actor, obj=institution, action="institution.changed", **fields)


def arena_create(*, actor, institution: Institution, **fields) -> LearningArena:
    _require(actor)
    return writes.create(
        actor=actor,
        model=LearningArena,
        action="arena.created",
        institution=institution,
        **fields,
    )


def arena_update(*, actor, arena: LearningArena, **fields) -> LearningArena:
    """Name, level, specialty and the arena above it (within the same institution)."""
    _require(actor)
    if "institution" in fields:
        raise TypeError("An arena stays in its institution")
    return writes.update(actor=actor, obj=arena, action="arena.changed", **fields)
