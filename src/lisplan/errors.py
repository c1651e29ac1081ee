"""The one hierarchy of domain errors: what a service raises when an action breaks a rule.

Every error carries a machine-readable ``code``, the ``field`` at fault (or None) and the HTTP
``status`` the API answers with. Services raise them; they are turned into the API's error
shape in one place (``lisplan.api.errors``) and into a page message in one place (the
``page_message`` / ``page_problems`` / ``add_to_form`` helpers below: views catch
``DomainError``, never an app's own class). See docs/decisions/0011-one-rule-path.md.

- ``Invalid`` (400): the content breaks rules; ``problems`` name each field, code and message.
- ``StateError`` (400): the action is not possible in the object's current state.
- ``Refused`` (403): the actor may not take this action on this object. It is also a
  ``PermissionDenied``, so a page that does not catch it answers 403.
- ``Conflict`` (409): the object changed since the caller read it (a stale ``version``).

This module imports nothing from Django but ``PermissionDenied`` (so a refusal a page does not
catch is a 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Problem:
    """One rule broken by one field (``periods[1].end``; ``""`` when no one field is to blame)."""

    field: str
    code: str
    message: str


class DomainError(Exception):
    """Base of every refusal a service gives. Subclasses set ``status`` and a default
    ``code``; an instance may name a ``field`` and carry several ``problems``."""

    status: int = 400
    code: str = "invalid"
    field: str | None = None
    detail: str | None = None  # the API's `detail` when it should not be the message

    def __init__(
        self,
        message: str = "",
        code: str | None = None,
        field: str | None = None,
        *,
        problems: list[Problem] | None = None,
        status: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.problems: list[Problem] = list(problems or [])
        if detail is not None:
            self.detail = detail
        if not message and self.problems:
            message = "; ".join(p.message for p in self.problems)
        super().__init__(str(message))
        if code is not None:
            self.code = code
        if field is not None:
            self.field = field
        if status is not None:
            self.status = status

    @classmethod
    def of(cls, field: str, code: str, message: str) -> DomainError:
        """One problem with one field (`Invalid.of("specialty", "unknown", "…")`)."""
        return cls(message, code, field)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    @property
    def extra(self) -> dict[str, object]:
        """More members of the API's error body (e.g. ``current_version`` of a conflict)."""
        return {}

    def all_problems(self) -> list[Problem]:
        """The problems, or one made of the error itself."""
        if self.problems:
            return self.problems
        return [Problem(self.field or "", self.code, self.message)]


class Invalid(DomainError):
    status = 400
    code = "invalid"


class StateError(DomainError):
    """The action is not possible in the object's current state (or for this actor)."""

    status = 400
    code = "invalid_state"


class Refused(DomainError, PermissionDenied):
    """The actor may not take this action on this object."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """Someone else changed the object since the caller read it."""

    status = 409
    code = "stale"


# --- on pages: the one place a domain error becomes what a page shows ----------------------
# A view catches `DomainError` (never an app's own class) and hands it to one of these. A plain
# refusal (a `Refused` that names no field) is not a message: these re-raise it, so the page
# answers 403 as the API does; a refusal about one field (``leader_only``) is shown by it.


def _raise_plain_refusal(error: DomainError) -> None:
    if isinstance(error, Refused) and not error.field and not error.problems:
        raise error


def page_message(error: DomainError) -> str:
    """The one line a page shows for a domain error (several problems: joined by «; »)."""
    _raise_plain_refusal(error)
    return error.message


def page_problems(error: DomainError) -> list[Problem]:
    """Each problem, for a page that puts them by field (an editor of rows)."""
    _raise_plain_refusal(error)
    return error.all_problems()


def page_messages(error: DomainError) -> list[str]:
    """What a page shows for a domain error: one line per problem."""
    return [p.message for p in page_problems(error)]


def add_to_form(form: Any, error: DomainError) -> None:
    """Put each problem by its field on a Django form (or on the form when it has no such
    field) — the one place a page turns a domain error into field messages."""
    for p in page_problems(error):
        form.add_error(p.field if p.field in form.fields else None, p.message)
