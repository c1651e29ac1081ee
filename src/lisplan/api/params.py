"""Shared parameter and field types of the API: ids, text that is safe to hand to any
database, and the two helpers schemas use to name a related row."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import AfterValidator, StringConstraints

MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _printable(value: str) -> str:
    if "\x00" in value:
        # PostgreSQL refuses NUL in text; a clear 400 rather than a 500
        raise ValueError(_("Teksten inneholder ugyldige tegn."))
    return value


Text = Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]
Code = Annotated[str, StringConstraints(max_length=20), AfterValidator(_printable)]


def _text(max_length: int):
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_printable)]


ShortText = _text(200)
LongText = _text(10_000)


def code_of(obj) -> str | None:
    return obj.code if obj is not None else None


def name_of(obj) -> str | None:
    return str(obj) if obj is not None else None
