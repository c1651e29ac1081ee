"""The public address for links in e-mails, calendar feeds and the sign-in return address:
`LISPLAN_BASE_URL` when set, else the address the current request came in on, else (the
worker, a command) `http://127.0.0.1:$PORT`."""

from __future__ import annotations

from django.conf import settings

from lisplan.audit.middleware import current_origin


def base_url() -> str:
    if settings.LISPLAN_BASE_URL_SET:
        return settings.LISPLAN_BASE_URL
    return current_origin() or settings.LISPLAN_BASE_URL
