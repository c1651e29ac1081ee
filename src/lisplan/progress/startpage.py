"""Progress tasks for the start page («Mine oppgaver»), same shape as the plans' tasks."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission, own_trainee_id
from lisplan.progress import queries


def tasks_for(user) -> list[dict]:
    out = []
    own = own_trainee_id(user)
    if own is not None:
        out.append(
            {
                "title": _("Min progresjon"),
                "count": None,
                "url": reverse("progress:trainee", args=[own]),
                "empty_text": "",
            }
        )
    if has_permission(user, "progress.approve"):
        out.append(
            {
                "title": _("Læringsmål til godkjenning"),
                "count": queries.goals_awaiting_approval(user).count(),
                "url": reverse("progress:overview"),
                "empty_text": _("Ingen læringsmål venter på godkjenning."),
            }
        )
    if has_permission(user, "progress.view") and own is None:
        out.append(
            {
                "title": _("Leger i faresonen"),
                "count": queries.trainees_at_risk(user).count(),
                "url": reverse("progress:overview") + "?status=at_risk",
                "empty_text": _("Ingen leger er i faresonen for å bli forsinket."),
            }
        )
    return out
