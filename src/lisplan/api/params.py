"""Shared query-parameter types: text that is safe to hand to any database."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, StringConstraints


def _printable(value: str) -> str:
    if "\x00" in value:
        # PostgreSQL refuses NUL in text; a clear 400 rather than a 500
        raise ValueError(_("Teksten inneholder ugyldige tegn."))
    return value


Text = Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]
Code = Annotated[str, StringConstraints(max_length=20), AfterValidator(_printable)]
