"""Template tags for allocation: the forecast («forventet oppstart») box on a trainee's request
and trainee pages. (Page links: the shared `pagination` tag in lisplan.ui.)"""

from __future__ import annotations

from django import template

from lisplan.accounts.access import has_permission

register = template.Library()


@register.inclusion_tag("allocation/_forecast.html", takes_context=True)
def forecast(context, request_obj):
    """The newest finished run's estimate for a request still waiting (or nothing)."""
    from lisplan.allocation.services import forecast as forecast_for

    user = context["request"].user
    data = forecast_for(request_obj) if request_obj is not None else None
    return {
        "f": data,
        "request": context["request"],
        "can_view_run": data is not None and has_permission(user, "allocation.view"),
    }


@register.inclusion_tag("allocation/_forecasts.html", takes_context=True)
def forecasts_for_trainee(context, trainee):
    """Forecasts for each of the trainee's requests still waiting."""
    from lisplan.allocation.services import forecasts
    from lisplan.rotations.models import RotationRequest, Status

    waiting = list(
        RotationRequest.objects.filter(trainee=trainee, status=Status.FORWARDED)
        .select_related("receiving", "specialty")
        .order_by("desired_start", "pk")
    )
    found = forecasts(waiting)
    rows = [(r, found[r.pk]) for r in waiting if r.pk in found]
    return {"rows": rows, "request": context["request"]}
