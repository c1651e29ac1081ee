"""Education-plan tasks for the start page («Mine oppgaver»), the same shape as the plans'
tasks: `{"title", "count", "url", "empty_text"}`, only what the user's permissions allow, with
a constant number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission, own_trainee_id
from lisplan.iup import queries


def tasks_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    today = timezone.localdate()
    own = own_trainee_id(user)
    d = queries.own_deadline(user, today)
    if own is not None and d is not None:
        title = _("Min utdanningsplan (IUP)")
        if d.state in ("missing", "overdue"):
            title = _("Min utdanningsplan (IUP) – frist %(due)s er passert") % {
                "due": d.deadline.due.strftime("%d.%m.%Y")
            }
        elif d.state == "due_soon":
            title = _("Min utdanningsplan (IUP) – skal revideres innen %(due)s") % {
                "due": d.deadline.due.strftime("%d.%m.%Y")
            }
        out.append(
            {
                "title": title,
                "count": None,
                "url": reverse("iup:trainee", args=[own]),
                "empty_text": "",
            }
        )
    if has_permission(user, "iup.sign"):
        out.append(
            {
                "title": _("Utdanningsplaner til signering"),
                "count": queries.to_sign_count(user),
                "url": reverse("iup:to_sign"),
                "empty_text": _("Ingen utdanningsplaner venter på din signatur."),
            }
        )
    if has_permission(user, "iup.report"):
        out.append(
            {
                "title": _("Utdanningsplaner som mangler eller er forfalt"),
                "count": queries.attention_count(user, today),
                "url": reverse("iup:work_list"),
                "empty_text": _("Ingen utdanningsplaner mangler eller er forfalt."),
            }
        )
    return out
