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


# (label, url name, permission or None for everyone signed in, view-name prefixes that mark
# the item as the current page)
_SECTIONS = [
    (_("Mine oppgaver"), "home", None, ("home",)),
    (_("Leger i spesialisering"), "trainees:list", "trainee.view", ("trainees:",)),
    (_("Progresjon"), "progress:overview", "progress.view", ("progress:",)),
    (_("Til signering"), "plans:to_sign", "plan.sign", ("plans:to_sign",)),
    (_("Utdanningsplaner"), "iup:work_list", "iup.report", ("iup:work_list", "iup:report")),
    (_("IUP til signering"), "iup:to_sign", "iup.sign", ("iup:to_sign",)),
    (_("Maler for tabell 3"), "iup:templates", "iup.template", ("iup:template",)),
    (_("Arbeidsliste"), "plans:work_list", "plan.approve", ("plans:work_list", "plans:remind")),
    (_("Spesialiseringsperioder"), "rotations:requests", "register.view",
     ("rotations:request", "rotations:own", "rotations:register", "rotations:queues",
      "rotations:conflicts")),
    (_("Fagavtaler"), "rotations:agreements", "agreement.view", ("rotations:agreement",)),
    (_("Ledige stillinger"), "rotations:vacancies", "vacancy.view", ("rotations:vacanc",)),
    (_("Fordeling"), "allocation:runs", "allocation.view", ("allocation:",)),
]


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = _view_name(request)
    items = [
        NavItem(label, reverse(name), current.startswith(prefixes))
        for label, name, permission, prefixes in _SECTIONS
        if permission is None or has_permission(user, permission)
    ]
    if user.is_staff:
        items.append(NavItem(_("Administrasjon"), reverse("admin:index"), False))
    return {"nav_items": items, "nav_trainees": has_permission(user, "trainee.view")}
