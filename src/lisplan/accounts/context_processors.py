"""Navigation for the page header: which sections this user may open, and which is current."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, url name, permission or None for everyone signed in, URL namespace marking "current")
_SECTIONS = [
    (_("Mine oppgaver"), "home", None, "home"),
    (_("Leger i spesialisering"), "trainees:list", "trainee.view", "trainees"),
    (_("Til signering"), "plans:to_sign", "plan.sign", "plans:to_sign"),
    (_("Arbeidsliste"), "plans:work_list", "plan.approve", "plans:work_list"),
    (_("API-nøkler"), "api_tokens", "token.manage", "api_tokens"),
]


def _current_key(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.view_name in {m for *_, m in _SECTIONS}:
        return match.view_name
    return match.namespace or match.url_name or ""


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    key = _current_key(request)
    items = [
        NavItem(label, reverse(name), key == marker)
        for label, name, permission, marker in _SECTIONS
        if permission is None or has_permission(user, permission)
    ]
    if user.is_staff:
        items.append(NavItem(_("Administrasjon"), reverse("admin:index"), False))
    return {"nav_items": items, "nav_trainees": has_permission(user, "trainee.view")}
