"""The start page («Mine oppgaver»): from four weeks before 1 March / 1 September, the
coordinators get a card with what will be incomplete at the harvest in their own unit.
Same shape as `lisplan.plans.startpage.tasks_for`; a constant number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.accounts.models import Role, RoleAssignment
from lisplan.insights import queries, scopes, services

COORDINATORS = (
    Role.LOCAL_COORDINATOR,
    Role.REGIONAL_COORDINATOR,
    Role.EDUCATION_COORDINATOR_PHYSICIAN,
)


def tasks_for(user) -> list[dict]:
    today = timezone.localdate()
    if not has_permission(user, "insights.view") or not services.worklist_open(today):
        return []
    if not RoleAssignment.objects.active().filter(user=user, role__in=COORDINATORS).exists():
        return []
    home = scopes.home_scopes(user)
    if not home:
        return []
    scope = home[0]
    from lisplan.insights.views import scope_params

    count = sum(queries.work_items(k, scope, today).count() for k in queries.WORK_KINDS)
    date = services.next_harvest(today)
    return [
        {
            "title": _("Ufullstendig før innhøstingen %(date)s") % {"date": f"{date:%d.%m.%Y}"},
            "count": count,
            "url": reverse("insights:worklist") + "?" + urlencode(scope_params(scope)),
            "empty_text": _("Alt er komplett før innhøstingen."),
        }
    ]
