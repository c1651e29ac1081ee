"""Structured JSON logging: one JSON object per line, for the security log and everything else.

`security_event(name, request, **fields)` is the one way security-relevant events (logins,
failed logins, lockouts, role changes, 403s, session ends) are written. Fields are plain
identifiers (user id, username, address, path, request id); never passwords, tokens, codes or
cookies — `_SECRET_KEYS` drops any such key that slips in.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

SECURITY = logging.getLogger("lisplan.security")

_SECRET_KEYS = {
    "password",
    "token",
    "code",
    "otp_token",
    "secret",
    "authorization",
    "cookie",
    "id_token",
    "access_token",
    "refresh_token",
    "assertion",
    "client_assertion",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update({k: v for k, v in fields.items() if k.lower() not in _SECRET_KEYS})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind `LISPLAN_TRUSTED_PROXIES` = N reverse
    proxies the address the outermost of them saw (N-th from the right in X-Forwarded-For).
    django-axes locks out by this address too (`AXES_CLIENT_IP_CALLABLE`)."""
    if request is None:
        return ""
    from django.conf import settings

    proxies = getattr(settings, "LISPLAN_TRUSTED_PROXIES", 0)
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies][:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def security_event(event: str, request=None, level: int = logging.INFO, **fields) -> None:
    """Write one security event as structured JSON (logger `lisplan.security`)."""
    from lisplan.audit.middleware import current_request_id

    data = {"event": event, "request_id": current_request_id()}
    if request is not None:
        data["ip"] = client_address(request)
        data["path"] = request.path[:200]
        user = getattr(request, "user", None)
        if (
            user is not None
            and getattr(user, "is_authenticated", False)
            and "user_id" not in fields
        ):
            data["user_id"] = user.pk
            data["username"] = user.get_username()
    data.update(fields)
    SECURITY.log(level, event, extra={"fields": data})
