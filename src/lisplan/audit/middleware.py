"""A request id per request, so audit events from one request can be grouped."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_id.set(request.headers.get("X-Request-Id", "")[:40] or uuid.uuid4().hex)
        try:
            return self.get_response(request)
        finally:
            _request_id.reset(token)
