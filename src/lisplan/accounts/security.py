"""Sign-in protection and sessions: security events as structured JSON, idle and absolute
session timeouts, server sessions killed on logout and deactivation, and `no-store` on every
dynamic response.

Lockout after repeated failures (per account and per address) is django-axes
(`AXES_*` in settings); its lockout page is `registration/locked_out.html`.
"""

from __future__ import annotations

import logging
import time

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from lisplan.accounts.models import LoginSession, RoleAssignment, User
from lisplan.jsonlog import security_event

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 10 * 60 * 60


# --- events -------------------------------------------------------------------------------


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    method = getattr(user, "login_method", "") or "password"
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session["lp_login_at"] = now
        request.session["lp_seen_at"] = now
        if not request.session.session_key:
            request.session.save()
        LoginSession.objects.update_or_create(
            session_key=request.session.session_key, defaults={"user": user, "method": method}
        )
    security_event(
        "login.succeeded", request, user_id=user.pk, username=user.get_username(), method=method
    )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    security_event(
        "login.failed",
        request,
        level=logging.WARNING,
        username=str(credentials.get("username", ""))[:150],
        reason=credentials.get("reason", "credentials"),
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    security_event(
        "login.locked_out",
        request,
        level=logging.WARNING,
        username=str(username or "")[:150],
        ip=ip_address,
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event(
            "logout",
            request,
            user_id=user.pk,
            username=user.get_username(),
            reason=getattr(request, "lp_logout_reason", "user") if request else "",
        )
    # logout() flushes the session itself; this removes the bookkeeping row.
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            LoginSession.objects.filter(session_key=key).delete()


def end_sessions(user) -> int:
    """Delete every server session the user holds (deactivation, sign out everywhere)."""
    keys = list(LoginSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    LoginSession.objects.filter(user=user).delete()
    return len(keys)


_ROLE_FIELDS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=User)
def _remember_flags(sender, instance, **kwargs):
    if instance.pk:
        old = User.objects.filter(pk=instance.pk).values(*_ROLE_FIELDS).first()
        instance._lp_old_flags = old


@receiver(post_save, sender=User)
def _user_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_lp_old_flags", None)
    if not old:
        return
    changed = {
        f: [old[f], getattr(instance, f)] for f in _ROLE_FIELDS if old[f] != getattr(instance, f)
    }
    if not changed:
        return
    security_event(
        "user.flags_changed", user_id=instance.pk, username=instance.get_username(), changes=changed
    )
    if old["is_active"] and not instance.is_active:
        ended = end_sessions(instance)
        security_event(
            "user.deactivated",
            user_id=instance.pk,
            username=instance.get_username(),
            sessions_ended=ended,
        )


def _role_fields(a: RoleAssignment) -> dict:
    return {
        "user_id": a.user_id,
        "role": a.role,
        "arena_id": a.arena_id,
        "institution_id": a.institution_id,
        "region_id": a.region_id,
        "specialty_id": a.specialty_id,
        "valid_from": a.valid_from,
        "valid_to": a.valid_to,
    }


@receiver(post_save, sender=RoleAssignment)
def _role_saved(sender, instance, created, **kwargs):
    security_event(
        "role.assigned" if created else "role.changed",
        assignment_id=instance.pk,
        **_role_fields(instance),
    )


@receiver(post_delete, sender=RoleAssignment)
def _role_deleted(sender, instance, **kwargs):
    security_event("role.revoked", assignment_id=instance.pk, **_role_fields(instance))


# --- middleware ---------------------------------------------------------------------------


class SessionSecurityMiddleware:
    """Ends sessions idle for 30 minutes or older than 10 hours (server side, whatever the
    cookie says), logs every 403, and marks every response that is not a static file
    `Cache-Control: private, no-store` (personal pages, PDFs, exports and the API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        expired = self._check_session(request)
        response = expired or self.get_response(request)
        if response.status_code == 403:
            security_event(
                "access.forbidden", request, level=logging.WARNING, method=request.method
            )
        if not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            response["Cache-Control"] = "private, no-store"
            response["Pragma"] = "no-cache"
        return response

    def _check_session(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        session = request.session
        now = time.time()
        login_at = session.get("lp_login_at")
        seen_at = session.get("lp_seen_at")
        if login_at is None:  # a session from before timeouts were tracked
            session["lp_login_at"] = login_at = now
        idle = seen_at is not None and now - seen_at > getattr(
            settings, "LISPLAN_SESSION_IDLE_SECONDS", IDLE_SECONDS
        )
        too_old = now - login_at > getattr(
            settings, "LISPLAN_SESSION_ABSOLUTE_SECONDS", ABSOLUTE_SECONDS
        )
        if idle or too_old:
            request.lp_logout_reason = "idle" if idle else "absolute"
            logout(request)
            if request.path.startswith("/api/"):
                return None  # the API answers 401 itself for a missing session
            messages.info(
                request,
                _("Du ble logget ut fordi du ikke har vært aktiv på 30 minutter.")
                if idle
                else _("Du ble logget ut fordi økten varer høyst 10 timer. Logg inn på nytt."),
            )
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                return response
            return redirect_to_login(request.get_full_path())
        if seen_at is None or now - seen_at > 60:  # at most one session write a minute
            session["lp_seen_at"] = now
        return None


def lockout_response(request, original_response=None, credentials=None):
    """django-axes: the page shown while an account or address is locked out (429)."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in that comes with a request (the login page,
    the admin). `authenticate()` without a request — the shell, a management command, a test —
    has no address to lock and passes on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
