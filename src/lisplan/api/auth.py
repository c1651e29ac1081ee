"""Who is calling: a bearer token (``ApiToken``) or the browser session."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from lisplan.accounts.models import ApiToken


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its hash."""

    def authenticate(self, request, token: str):
        token = token.strip()
        if not token or len(token) > 200:
            return None
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user  # so that anything reading request.user sees the caller
        return user


class Session(SessionAuth):
    """The signed-in browser session; ninja checks CSRF for unsafe methods."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


AUTH = [BearerToken(), Session()]
