"""Rotation tasks for the start page («Mine oppgaver»): what waits for this user, with counts.
Same shape as `lisplan.plans.startpage.tasks_for`; a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission, own_trainee_id, scope_filter
from lisplan.rotations.models import RotationRequest, Status


def _task(title: str, count: int, url: str, empty_text: str) -> dict:
    return {"title": title, "count": count, "url": url, "empty_text": empty_text}


def _count(user, permission: str, status: str) -> int:
    return scope_filter(user, permission, RotationRequest.objects.filter(status=status)).count()


def _counts(user, permission: str, statuses: list[str]) -> dict[str, int]:
    """Requests in scope per status: one aggregate."""
    qs = scope_filter(user, permission, RotationRequest.objects.filter(status__in=statuses))
    return qs.aggregate(**{s: Count("pk", filter=Q(status=s)) for s in statuses})


def tasks_for(user) -> list[dict]:
    out = []
    requests = reverse("rotations:requests")
    if has_permission(user, "register.forward"):
        out.append(
            _task(
                _("Ønsker som skal videresendes"),
                _count(user, "register.forward", Status.WISH),
                f"{requests}?status={Status.WISH}",
                _("Ingen ønsker venter på videresending."),
            )
        )
    if has_permission(user, "register.offer"):
        received = _counts(user, "register.offer", [Status.FORWARDED, Status.ACCEPTED])
        out.append(
            _task(
                _("Ønsker mottatt fra andre foretak"),
                received[Status.FORWARDED],
                f"{requests}?status={Status.FORWARDED}",
                _("Ingen ønsker venter på tilbud."),
            )
        )
        out.append(
            _task(
                _("Aksepterte tilbud uten avtalt oppstart"),
                received[Status.ACCEPTED],
                f"{requests}?status={Status.ACCEPTED}",
                _("Ingen aksepterte tilbud venter på oppstartsdato."),
            )
        )
    own = own_trainee_id(user)
    offers = (
        RotationRequest.objects.filter(trainee_id=own, status=Status.OFFERED).count()
        if own is not None
        else 0
    )
    if offers:
        out.append(
            _task(_("Tilbud om spesialiseringsperiode"), offers, reverse("rotations:own"), "")
        )
    return out
