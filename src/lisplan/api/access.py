"""Declaring each API operation's access rule.

Every operation is decorated with ``@rule(permission)`` (or ``@rule(None)`` for any signed-in
caller). The decorator checks the permission with the one access policy
(``lisplan.accounts.access.has_permission``) — ``403`` when the caller holds it in no scope — and
marks the function with ``access_rule``, which the URL-walking test reads. Which *rows* the
caller sees is the business of the queries (``scope_filter`` / ``get_in_scope``), not of this
decorator.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from lisplan.accounts.access import AUTHENTICATED, PERMISSIONS, has_permission


def caller(request):
    """The authenticated user of an API request (token or session)."""
    return request.auth


def rule(permission: str | None) -> Callable[[Callable], Callable]:
    if permission is not None and permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")

    def decorate(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            user = caller(request)
            if not getattr(user, "is_authenticated", False):
                raise PermissionDenied  # ninja's auth runs first; this is a second lock
            if permission is not None and not has_permission(user, permission):
                raise PermissionDenied
            return func(request, *args, **kwargs)

        # ninja reads the parameters' types from the signature and resolves string annotations
        # with the function's module globals; give it the resolved signature of `func`, since
        # the wrapper lives in this module.
        wrapper.__signature__ = inspect.signature(func, eval_str=True)
        wrapper.access_rule = permission or AUTHENTICATED  # read by tests/test_url_rules.py
        return wrapper

    return decorate
