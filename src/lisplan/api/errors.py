"""The API's one error format (see docs: api.md, «Errors»).

Every error is ``{"detail": "...", "errors": [...]}``; ``errors`` lists the fields at fault
(``{"field": "periods[1].end", "code": "overlap", "message": "…"}``) and is empty when no one
field is to blame. Bad input is always ``400``, never ``422`` or ``500``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lisplan.errors import DomainError, Invalid, Refused


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ApiError(Exception):
    """Raised by operations for input that validates as a type but breaks a rule."""

    def __init__(
        self, errors: Sequence[FieldError], detail: str | None = None, status: int = 400
    ) -> None:
        self.errors = list(errors)
        self.detail = detail
        self.status = status
        super().__init__(detail or "; ".join(e.message for e in self.errors))


def field_error(field: str, code: str, message: str) -> ApiError:
    return ApiError([FieldError(field, code, message)])


def from_model_error(exc) -> ApiError:
    """A Django `ValidationError` from a service's `full_clean` → 400 naming each field."""
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    errors = []
    for field, items in by_field.items():
        for item in items:
            message = item.message % item.params if item.params else item.message
            errors.append(
                FieldError(
                    "" if field == "__all__" else field, item.code or "invalid", str(message)
                )
            )
    return ApiError(errors)


def from_domain_error(exc: DomainError) -> ApiError:
    """A service's domain error → the API's error shape (the one place this happens).

    A refusal names a field only when the rule is about one (``leader_only``); otherwise it
    is the plain 403 every refusal gives."""
    if isinstance(exc, Refused) and not exc.field and not exc.problems:
        return ApiError([], detail=_("Du har ikke tilgang til denne handlingen."), status=403)
    errors = [FieldError(p.field, p.code, p.message) for p in exc.all_problems()]
    if exc.detail:
        detail = str(exc.detail)
    elif isinstance(exc, Refused):
        detail = _("Du har ikke tilgang til denne handlingen.")
    elif isinstance(exc, Invalid):
        detail = _("Ugyldig forespørsel.")
    else:
        detail = exc.message
    return ApiError(errors, detail=detail, status=exc.status)


def error_body(detail: str, errors: Iterable[FieldError] = ()) -> dict:
    return {"detail": detail, "errors": [e.as_dict() for e in errors]}


# --- the documented error schemas (docs api.md «Errors») ----------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="Feltets sti, f.eks. page_size eller periods[1].end")
    code: str = Field(description="Maskinlesbar kode, f.eks. required, invalid, unknown")
    message: str = Field(description="Meldingen på bokmål")


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class ConflictOut(ErrorOut):
    current_version: int = Field(description="Revisjonens versjon nå; last inn på nytt")


def responses(ok: type[Schema]) -> dict:
    """An operation's documented responses: `ok` for 200, the error format otherwise."""
    return {200: ok, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- request validation (pydantic) -> our shape --------------------------------------------

# pydantic error type -> our code. Types not listed keep pydantic's name.
_CODES = {
    "missing": "required",
    "int_parsing": "invalid",
    "int_type": "invalid",
    "int_from_float": "invalid",
    "float_parsing": "invalid",
    "bool_parsing": "invalid",
    "bool_type": "invalid",
    "date_parsing": "invalid",
    "date_from_datetime_parsing": "invalid",
    "date_from_datetime_inexact": "invalid",
    "date_type": "invalid",
    "string_type": "invalid",
    "greater_than": "min_value",
    "greater_than_equal": "min_value",
    "less_than": "max_value",
    "less_than_equal": "max_value",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
    "json_invalid": "invalid_json",
    "model_attributes_type": "invalid",
    "dict_type": "invalid",
    "list_type": "invalid",
    "value_error": "invalid",
}


def _message(code: str, ctx: dict) -> str:
    if code == "required":
        return _("Feltet må fylles ut.")
    if code == "min_value":
        bound = ctx.get("ge", ctx.get("gt"))
        if "gt" in ctx:
            return _("Verdien må være større enn %(bound)s.") % {"bound": bound}
        return _("Verdien må være minst %(bound)s.") % {"bound": bound}
    if code == "max_value":
        if "lt" in ctx:
            return _("Verdien må være mindre enn %(bound)s.") % {"bound": ctx["lt"]}
        return _("Verdien kan ikke være større enn %(bound)s.") % {"bound": ctx.get("le")}
    if code == "max_length":
        return _("Verdien kan ha høyst %(n)s tegn.") % {"n": ctx.get("max_length")}
    if code == "min_length":
        return _("Verdien må ha minst %(n)s tegn.") % {"n": ctx.get("min_length")}
    if code == "invalid_json":
        return _("Innholdet er ikke gyldig JSON.")
    if "error" in ctx and isinstance(ctx["error"], str) and ctx["error"]:
        # our own validators raise ValueError with a Norwegian message
        return ctx["error"]
    return _("Ugyldig verdi.")


def field_path(loc: Sequence) -> str:
    """("body", "payload", "periods", 1, "end") -> "periods[1].end"; ("query", "page") -> "page"."""
    parts = list(loc)
    source = (
        parts.pop(0)
        if parts and parts[0] in {"query", "path", "body", "form", "header", "cookie", "file"}
        else None
    )
    if source == "body" and len(parts) > 1:
        parts.pop(0)  # the operation's parameter name, not part of the document
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or (source or "")


def from_validation_error(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors:
        kind = err.get("type", "")
        code = _CODES.get(kind, kind or "invalid")
        ctx = err.get("ctx") or {}
        if kind == "value_error" and isinstance(ctx.get("error"), str):
            ctx = {**ctx, "error": ctx["error"].removeprefix("Value error, ")}
        errors.append(FieldError(field_path(err.get("loc", ())), code, _message(code, ctx)))
    return errors


# --- handlers ------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so every error comes out in the one format."""

    def respond(
        request: HttpRequest, status: int, detail: str, errors: Iterable[FieldError] = ()
    ) -> HttpResponse:
        return api.create_response(request, error_body(detail, errors), status=status)

    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        return respond(request, 400, _("Ugyldig forespørsel."), from_validation_error(exc))

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, exc.detail or _("Ugyldig forespørsel."), exc.errors)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        """Every refusal a service gives, in one place: status, detail, fields, and the
        members a conflict adds (`current_version`)."""
        error = from_domain_error(exc)
        body = {
            **error_body(str(error.detail or _("Ugyldig forespørsel.")), error.errors),
            **exc.extra,
        }
        return api.create_response(request, body, status=error.status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(
            request,
            401,
            _(
                "Innlogging kreves: send en gyldig API-nøkkel "
                "(Authorization: Bearer …) eller logg inn."
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="lisplan"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, _("Du har ikke tilgang til denne handlingen."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("Fant ikke objektet."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 403 and "CSRF" in exc.message:
            detail = _("CSRF-kontrollen feilet. Last siden på nytt, eller bruk en API-nøkkel.")
        elif exc.status_code == 403:
            detail = _("Du har ikke tilgang til denne handlingen.")
        elif exc.status_code == 400:
            detail = _("Innholdet i forespørselen kunne ikke leses som JSON.")
        elif exc.status_code == 429:
            detail = _("For mange forespørsler. Prøv igjen senere.")
        else:
            detail = exc.message
        return respond(request, exc.status_code, detail)


# --- 405 ---------------------------------------------------------------------------------------


def json_method_not_allowed(path_view) -> None:
    """ninja answers a method a path does not have with a plain-text 405 ("Method not allowed");
    make it the API's error format, keeping the `Allow` header."""

    def not_allowed() -> HttpResponse:
        allowed = sorted({m for op in path_view.operations for m in op.methods})
        response = JsonResponse(
            error_body(_("Metoden er ikke tillatt for denne adressen.")),
            status=405,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Allow"] = ", ".join(allowed)
        return response

    path_view._not_allowed = not_allowed
