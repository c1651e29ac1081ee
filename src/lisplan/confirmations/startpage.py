"""Service-confirmation tasks for the start page («Mine oppgaver»), the same shape as the other
apps' tasks: `{"title", "count", "url", "empty_text"}`, only what the user's permissions allow,
a constant number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission, own_trainee_id
from lisplan.confirmations import queries
from lisplan.confirmations.models import OPEN


def tasks_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    own = own_trainee_id(user)
    if own is not None and has_permission(user, "confirmation.request"):
        # the trainee's own requests under way (none: the link still shows, with its text)
        out.append(
            {
                "title": _("Mine bestillinger av bekreftelse på tjeneste"),
                "count": queries.visible(user)
                .filter(confirmation__trainee=own, status__in=OPEN)
                .count(),
                "url": reverse("confirmations:trainee", args=[own]),
                "empty_text": _("Ingen bestillinger er under behandling. Bestill her."),
            }
        )
    if has_permission(user, "confirmation.issue"):
        out.append(
            {
                "title": _("Bekreftelser på tjeneste til utstedelse"),
                "count": queries.to_issue(user).count(),
                "url": reverse("confirmations:work_list"),
                "empty_text": _("Ingen bestillinger av bekreftelse på tjeneste venter."),
            }
        )
    if has_permission(user, "confirmation.sign"):
        out.append(
            {
                "title": _("Bekreftelser på tjeneste til signering"),
                "count": queries.awaiting_my_signature(user).count(),
                "url": reverse("plans:to_sign") + "#tjenestebekreftelser",
                "empty_text": _("Ingen bekreftelser på tjeneste venter på din signatur."),
            }
        )
    return out
