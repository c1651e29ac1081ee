"""Plan tasks for the start page («Mine oppgaver»): what waits for this user, with counts.

`tasks_for(user)` returns a list of dicts `{"title", "count", "url", "empty_text"}`, only for
what the user's permissions allow; a constant number of queries (at most six)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission, own_trainee_id
from lisplan.notifications.views import unread_count
from lisplan.plans import pages, worklist


def _task(title: str, count: int | None, url: str, empty_text: str) -> dict:
    return {"title": title, "count": count, "url": url, "empty_text": empty_text}


def tasks_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    own = own_trainee_id(user)
    if own is not None:
        out.append(
            _task(_("Min gjennomføringsplan"), None, reverse("plans:trainee", args=[own]), "")
        )
    if has_permission(user, "plan.sign"):
        out.append(
            _task(
                _("Gjennomføringsplaner til signering"),
                pages.to_sign_count(user),
                reverse("plans:to_sign"),
                _("Ingen planer venter på din signatur."),
            )
        )
    if has_permission(user, "plan.approve"):
        today = timezone.localdate()
        url = reverse("plans:work_list")
        counts = worklist.counts(user, today)
        for tab in worklist.TABS:
            out.append(
                _task(str(tab.label), counts[tab.key], f"{url}?fane={tab.key}", str(tab.empty))
            )
    if has_permission(user, "notification.view"):
        out.append(
            _task(
                _("Uleste varsler"),
                unread_count(user),
                reverse("notifications:list"),
                _("Ingen uleste varsler."),
            )
        )
    return out
