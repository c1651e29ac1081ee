"""`{% request_status r %}`: a request's status as a coloured tag. A tag in Python rather than
an included template: the queue page shows it on every row, and an include per row cost more
than the rest of the row (issue #18)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from lisplan.rotations.models import Status

register = template.Library()

COLOURS = {
    Status.COMPLETED: "success",
    Status.START_AGREED: "success",
    Status.IN_PROGRESS: "success",
    Status.OFFERED: "warning",
    Status.ACCEPTED: "warning",
    Status.CANCELLED: "neutral",
    Status.DECLINED: "neutral",
}

# `get_status_display()` rebuilds the field's choices on every call (~0.1 ms a row)
LABELS = dict(Status.choices)


@register.simple_tag
def request_status(request):
    return format_html(
        '<span class="ds-tag lp-nowrap" data-color="{}">{}</span>',
        COLOURS.get(request.status, "info"),
        LABELS.get(request.status, request.status),
    )
