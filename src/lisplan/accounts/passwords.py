"""Who may sign in with a local password.

Once an OpenID Connect provider (HelseID, Entra ID) is configured, local passwords remain only
for demo users and for break-glass accounts — accounts with a confirmed TOTP device
(`lisplan breakglass USERNAME`), which must give the one-time code too. Without a provider (a
local installation) every user with a password may sign in; a TOTP device still demands its code.
`LISPLAN_PASSWORD_LOGIN=all|restricted` overrides the default.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed


def restricted() -> bool:
    mode = getattr(settings, "LISPLAN_PASSWORD_LOGIN", "")
    if mode in {"all", "restricted"}:
        return mode == "restricted"
    return bool(getattr(settings, "LISPLAN_OIDC_PROVIDERS", {}))


def otp_device(user):
    from django_otp import devices_for_user

    return next(iter(devices_for_user(user, confirmed=True)), None)


def password_login_allowed(user) -> bool:
    if not restricted():
        return True
    return user.demo or otp_device(user) is not None


def login_refused(request, user, reason: str) -> None:
    """A correct password refused for another reason counts as a failed login (lockout)."""
    user_login_failed.send(
        sender=__name__,
        request=request,
        credentials={"username": user.get_username(), "reason": reason},
    )
