"""Allocation tasks for the start page («Mine oppgaver»): same shape as
`lisplan.rotations.startpage.tasks_for`; a constant number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lisplan.accounts.access import allocation_regions, grants, has_permission, scope_filter
from lisplan.allocation.models import AllocationRun, Proposal
from lisplan.rotations.models import RotationRequest, Status


def tasks_for(user) -> list[dict]:
    out = []
    if has_permission(user, "allocation.run"):
        # Requests queued at receiving institutions of the regions the user runs plans for.
        waiting = RotationRequest.objects.filter(status=Status.FORWARDED)
        g = grants(user)
        if "allocation.run" not in g.all:
            waiting = waiting.filter(
                receiving__region_id__in=allocation_regions(g, "allocation.run")
            )
        waiting = waiting.count()
        out.append(
            {
                "title": _("Ønsker i kø til fordeling"),
                "count": waiting,
                "url": reverse("allocation:new"),
                "empty_text": _("Ingen ønsker venter på fordeling."),
            }
        )
    if has_permission(user, "allocation.view") and has_permission(user, "register.offer"):
        requests = scope_filter(
            user, "register.offer", RotationRequest.objects.filter(status=Status.FORWARDED)
        )
        count = (
            Proposal.objects.filter(
                run__status=AllocationRun.Status.DONE,
                start__isnull=False,
                offered_at__isnull=True,
                request__in=requests.values("pk"),
            )
            .values("request_id")
            .distinct()
            .count()
        )
        out.append(
            {
                "title": _("Foreslåtte oppstarter som kan tilbys"),
                "count": count,
                "url": reverse("allocation:runs"),
                "empty_text": _("Ingen foreslåtte oppstarter venter på tilbud."),
            }
        )
    return out
