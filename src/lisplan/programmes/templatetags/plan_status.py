"""`{% plan_status plan %}`: a programme plan's status as a coloured tag, written in Python: the
list shows every plan in the country to an administrator, and comparisons in the template per
row cost more than the rest of the row (issue #18)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from lisplan.programmes.models import Status

register = template.Library()

COLOURS = {Status.PUBLISHED: "success", Status.DRAFT: "warning"}

# `get_status_display()` rebuilds the field's choices on every call (~0.1 ms a row)
LABELS = dict(Status.choices)


@register.simple_tag
def plan_status(plan):
    return format_html(
        '<span class="ds-tag" data-color="{}">{}</span>',
        COLOURS.get(plan.status, "neutral"),
        LABELS.get(plan.status, plan.status),
    )
