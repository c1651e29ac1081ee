"""Writes of the catalogue by hand: the administrator's (`catalogue.change`), audited.

Only what is safe to change on a page: a specialty's names, source and whether it is verified.
Codes, parts, goal texts and their validity come from the official import
(`catalogue.importer`), which keeps versions by date; a page does not rewrite them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.audit import writes
from lisplan.catalogue.models import Specialty
from lisplan.errors import Refused

SPECIALTY_FIELDS = ("name", "name_en", "source", "verified")


def _require(actor) -> None:
    if actor is None or not has_permission(actor, "catalogue.change"):
        raise Refused(_("Du har ikke tilgang til denne handlingen."))


def specialty_update(*, actor, specialty: Specialty, **fields) -> Specialty:
    _require(actor)
    unknown = set(fields) - set(SPECIALTY_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {sorted(unknown)}")
    return writes.update(actor=actor, obj=specialty, action="specialty.changed", **fields)
