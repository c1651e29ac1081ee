"""Navigation for the page header: which sections this user may open, and which is current.

The menu is the same on every page for a user (what does not fit the header line is always
under «Mer»; the current page is marked, never moved). A trainee's own pages come first; the
staff sections (lists of other people) show only to someone who holds the permission beyond
their own records, so a trainee never sees a list with only herself in it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lisplan.accounts.access import (
    RELATIONSHIP_PERMISSIONS,
    grants,
    has_permission,
    own_trainee_id,
    roles_summary,
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool
    full_label: str = ""  # the accessible name when the visible label is a short form of it


# (label or (short label, full label), url name or [(permission, url name), …] — the first the user holds —, permissions
# (any of them; empty for everyone signed in), view-name prefixes that mark the item as the
# current page). In order of importance: what does not fit on one line at 1280 px goes into
# the «Mer» menu (see `NAV_BUDGET`). Less-used pages hang off their section's page instead:
# the table-3 templates and the completeness report off «Utdanningsplaner» (the IUP work list).
_SECTIONS: list[tuple] = [
    ("home", _("Mine oppgaver"), "home", (), ("home",)),
    # the trainee's own pages (see _personal) go here
    (
        "trainees",
        (pgettext_lazy("hovedmeny", "Leger"), _("Leger i spesialisering")),
        "trainees:list",
        ("trainee.view",),
        ("trainees:",),
    ),
    ("progress", _("Progresjon"), "progress:overview", ("progress.view",), ("progress:",)),
    (
        "to_sign",
        _("Til signering"),
        "plans:to_sign",
        ("plan.sign", "iup.sign", "confirmation.sign"),
        ("plans:to_sign", "iup:to_sign"),
    ),
    (
        "iup",
        _("Utdanningsplaner"),
        [("iup.report", "iup:work_list"), ("iup.template", "iup:templates")],
        ("iup.report", "iup.template"),
        ("iup:work_list", "iup:report", "iup:template"),
    ),
    ("allocation", _("Fordeling"), "allocation:runs", ("allocation.view",), ("allocation:",)),
    (
        "dimensioning",
        _("Dimensjonering"),
        "dimensioning:index",
        ("dimensioning.view",),
        ("dimensioning:",),
    ),
    (
        "requests",
        _("Spesialiseringsperioder"),
        "rotations:requests",
        ("register.view",),
        ("rotations:request", "rotations:register", "rotations:queues", "rotations:conflicts"),
    ),
    (
        "plans",
        _("Gjennomføringsplaner"),
        "plans:work_list",
        ("plan.approve",),
        ("plans:work_list", "plans:remind"),
    ),
    (
        "agreements",
        _("Fagavtaler"),
        "rotations:agreements",
        ("agreement.view",),
        ("rotations:agreement",),
    ),
    (
        "vacancies",
        _("Ledige stillinger"),
        "rotations:vacancies",
        ("vacancy.view",),
        ("rotations:vacanc",),
    ),
    ("insights", _("Innsikt"), "insights:dashboard", ("insights.view",), ("insights:",)),
    (
        "administration",
        _("Administrasjon"),
        "administration:index",
        ("user.manage",),
        ("administration:",),
    ),
    (
        "programmes",
        (
            _("Læringsmål og steder"),
            _(
                "Læringsmål og steder: utdanningsplaner for virksomhetene og hvor læringsmålene kan nås"
            ),
        ),
        "programmes:list",
        ("programme.view",),
        ("programmes:",),
    ),
]

# Each role's weekly work first (by its most senior active role); the rest in the order above.
ROLE_ORDER: dict[str, tuple[str, ...]] = {
    "admin": ("home", "administration", "trainees"),
    "planner": ("home", "allocation", "requests", "progress"),
    "regional_coordinator": ("home", "requests", "allocation", "agreements"),
    "local_coordinator": ("home", "plans", "requests", "trainees", "iup"),
    "education_coordinator_physician": ("home", "iup", "progress", "trainees"),
    "education_lead": ("home", "iup", "trainees", "progress", "to_sign"),
    "leader": ("home", "to_sign", "trainees", "progress", "vacancies"),
    "supervisor": ("home", "to_sign", "trainees", "progress"),
}

# Room in the header line for the menu, in characters of the labels plus `_ITEM_COST` per item
# (the gap between items): measured with headless Chromium at 1280 px, in bokmål and English,
# next to the brand, language switch, notifications, user name and log-out button.
NAV_BUDGET = 74
_ITEM_COST = 3


# A trainee's own pages: (short label, full label), url name taking the trainee's id (or none).
_PERSONAL: list[tuple] = [
    ((_("Min plan"), _("Min plan (gjennomføringsplan)")), "plans:trainee", True),
    (_("Min progresjon"), "progress:trainee", True),
    ((_("Mine ønsker"), _("Mine ønsker om spesialiseringsperioder")), "rotations:own", False),
    ((_("Min IUP"), _("Min IUP (utdanningsplan)")), "iup:trainee", True),
]


def holds_beyond_self(user, permission: str) -> bool:
    """Whether the user holds the permission for anyone but themselves (a staff section)."""
    g = grants(user)
    if (
        permission in g.all
        or g.arena_paths.get(permission)
        or g.institutions.get(permission)
        or g.regions.get(permission)
    ):
        return True
    return any(
        permission in RELATIONSHIP_PERMISSIONS.get(r, ()) for r in g.relations if r != "self"
    )


def _personal(request, user) -> list[NavItem]:
    own = own_trainee_id(user)
    if own is None:
        return []
    items = []
    for label, name, with_id in _PERSONAL:
        url = reverse(name, args=[own]) if with_id else reverse(name)
        items.append(_item(label, url, request.path == url))
    return items


def _role_order(user) -> tuple[str, ...]:
    roles = {a.role for a in roles_summary(user)}
    return next((order for role, order in ROLE_ORDER.items() if role in roles), ("home",))


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _url(name, user) -> str:
    if isinstance(name, str):
        return reverse(name)
    return next(reverse(n) for permission, n in name if holds_beyond_self(user, permission))


def _item(label, url: str, current: bool) -> NavItem:
    if isinstance(label, tuple):
        return NavItem(label[0], url, current, full_label=label[1])
    return NavItem(label, url, current)


def split_menu(items: list[NavItem], budget: int = NAV_BUDGET) -> tuple[list, list]:
    """(shown, more): the items that fit the header line, in order, the rest for «Mer».

    When anything overflows, «Mer» itself takes room. The split does not depend on the page:
    the menu stays the same everywhere (the «Mer» button is marked when it holds the current
    page)."""

    def cost(rows):
        return sum(len(str(i.label)) + _ITEM_COST for i in rows)

    if cost(items) <= budget:
        return items, []
    room = budget - len(str(_("Mer"))) - _ITEM_COST
    shown: list[NavItem] = []
    for item in items:  # in order of importance: a less important item never jumps ahead
        if cost([*shown, item]) > room:
            break
        shown.append(item)
    return shown, [i for i in items if i not in shown]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = _view_name(request)
    personal = _personal(request, user)
    keyed = [
        (
            key,
            _item(
                label,
                _url(name, user),
                current.startswith(prefixes) and not any(i.current for i in personal),
            ),
        )
        for key, label, name, permissions, prefixes in _SECTIONS
        if not permissions or any(holds_beyond_self(user, p) for p in permissions)
    ]
    order = _role_order(user)
    keyed.sort(key=lambda k: order.index(k[0]) if k[0] in order else len(order))
    items = [item for _key, item in keyed]
    items[1:1] = personal
    shown, more = split_menu(items)
    return {
        "nav_items": shown,
        "nav_more": more,
        "nav_more_current": any(i.current for i in more),
        "nav_trainees": has_permission(user, "trainee.view"),
        # the IUP work list links to the table-3 templates (no longer a menu item)
        "nav_iup_templates": has_permission(user, "iup.template"),
    }
