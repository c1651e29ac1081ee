"""Navigation for the page header: which sections this user may open, and which is current."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lisplan.accounts.access import has_permission


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
    (_("Mine oppgaver"), "home", (), ("home",)),
    ((pgettext_lazy("hovedmeny", "Leger"), _("Leger i spesialisering")), "trainees:list", ("trainee.view",), ("trainees:",)),
    (_("Progresjon"), "progress:overview", ("progress.view",), ("progress:",)),
    (_("Til signering"), "plans:to_sign", ("plan.sign", "iup.sign"),
     ("plans:to_sign", "iup:to_sign")),
    (_("Utdanningsplaner"), [("iup.report", "iup:work_list"), ("iup.template", "iup:templates")],
     ("iup.report", "iup.template"), ("iup:work_list", "iup:report", "iup:template")),
    (_("Fordeling"), "allocation:runs", ("allocation.view",), ("allocation:",)),
    (_("Spesialiseringsperioder"), "rotations:requests", ("register.view",),
     ("rotations:request", "rotations:own", "rotations:register", "rotations:queues",
      "rotations:conflicts")),
    (_("Gjennomføringsplaner"), "plans:work_list", ("plan.approve",),
     ("plans:work_list", "plans:remind")),
    (_("Fagavtaler"), "rotations:agreements", ("agreement.view",), ("rotations:agreement",)),
    (_("Ledige stillinger"), "rotations:vacancies", ("vacancy.view",), ("rotations:vacanc",)),
    ((_("Læringsmål og steder"), _("Utdanningsplaner for virksomhetene og hvor læringsmålene kan nås")),
     "programmes:list", ("programme.view",), ("programmes:",)),
]

# Room in the header line for the menu, in characters of the labels plus `_ITEM_COST` per item
# (the gap between items): measured with headless Chromium at 1280 px, in bokmål and English,
# next to the brand, language switch, notifications, user name and log-out button.
NAV_BUDGET = 74
_ITEM_COST = 3


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _url(name, user) -> str:
    if isinstance(name, str):
        return reverse(name)
    return next(reverse(n) for permission, n in name if has_permission(user, permission))


def _item(label, url: str, current: bool) -> NavItem:
    if isinstance(label, tuple):
        return NavItem(label[0], url, current, full_label=label[1])
    return NavItem(label, url, current)


def split_menu(items: list[NavItem], budget: int = NAV_BUDGET) -> tuple[list, list]:
    """(shown, more): the items that fit the header line, in order, the rest for «Mer».

    When anything overflows, «Mer» itself takes room. The current page is always in the line:
    when it would fall into «Mer», less important items make room for it."""
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
    current = next((i for i in items if i.current and i not in shown), None)
    if current is not None:
        # make room for the current page by moving the least important items shown to «Mer»
        while len(shown) > 1 and cost([*shown, current]) > room:
            shown.pop()
        shown = sorted([*shown, current], key=items.index)
    return shown, [i for i in items if i not in shown]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = _view_name(request)
    items = [
        _item(label, _url(name, user), current.startswith(prefixes))
        for label, name, permissions, prefixes in _SECTIONS
        if not permissions or any(has_permission(user, p) for p in permissions)
    ]
    if user.is_staff:
        items.append(NavItem(_("Administrasjon"), reverse("admin:index"), False))
    shown, more = split_menu(items)
    return {"nav_items": shown, "nav_more": more,
            "nav_trainees": has_permission(user, "trainee.view"),
            # the IUP work list links to the table-3 templates (no longer a menu item)
            "nav_iup_templates": has_permission(user, "iup.template")}
