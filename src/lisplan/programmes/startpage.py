"""Programme-plan tasks for the start page («Mine oppgaver»), same shape as
`lisplan.rotations.startpage.tasks_for`: drafts to finish or publish, and the gaps in the courses of
the user's institutions (local coordinator) or region (regional coordinator). A constant number
of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lisplan.accounts.access import grants, has_permission, scope_filter
from lisplan.programmes import queries
from lisplan.programmes.models import ProgrammePlan, Status


def _gap_task(title: str, count: int, url: str) -> dict:
    return {
        "title": title,
        "count": count,
        "url": url,
        "empty_text": _("Alle læringsmål nås hjemme eller gjennom fagavtale."),
    }


def tasks_for(user) -> list[dict]:
    out = []
    list_url = reverse("programmes:list") + "?status=draft"
    if has_permission(user, "programme.edit"):
        drafts = scope_filter(
            user, "programme.edit", ProgrammePlan.objects.filter(status=Status.DRAFT)
        ).count()
        out.append(
            {
                "title": _("Utkast til utdanningsplaner for virksomheten"),
                "count": drafts,
                "url": list_url,
                "empty_text": _("Ingen utkast under arbeid."),
            }
        )
    if has_permission(user, "programme.publish"):
        drafts = scope_filter(
            user, "programme.publish", ProgrammePlan.objects.filter(status=Status.DRAFT)
        ).count()
        out.append(
            {
                "title": _("Utdanningsplaner som venter på publisering"),
                "count": drafts,
                "url": list_url,
                "empty_text": _("Ingen utkast venter på publisering."),
            }
        )
    g = grants(user)
    institutions = [i for i, _s in g.institutions.get("programme.publish", ())]
    if institutions:
        out.append(
            _gap_task(
                _("Mangler i utdanningsløpene (læringsmål og kapasitet)"),
                queries.gap_count(institutions=institutions),
                reverse("programmes:gaps"),
            )
        )
    regions = g.regions.get("programme.view", ())
    if regions:
        from lisplan.organisations.models import Region

        region = Region.objects.filter(pk=regions[0]).first()
        out.append(
            _gap_task(
                _("Mangler i regionens utdanningsløp (læringsmål og kapasitet)"),
                queries.gap_count(region=region),
                reverse("programmes:gaps") + f"?region={region.code}",
            )
        )
    return out
