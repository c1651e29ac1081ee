"""A request id per request, so audit events from one request can be grouped."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_origin: contextvars.ContextVar[str] = contextvars.ContextVar("origin", default="")


def current_request_id() -> str:
    return _request_id.get()


def current_origin() -> str:
    """`https://host[:port]` of the request being served, or "" outside a request."""
    return _origin.get()


def _request_origin(request) -> str:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except Exception:  # noqa: BLE001 — a host not in ALLOWED_HOSTS: Django answers 400 later
        return ""


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_id.set(request.headers.get("X-Request-Id", "")[:40] or uuid.uuid4().hex)
        origin = _origin.set(_request_origin(request))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(origin)
            _request_id.reset(token)
