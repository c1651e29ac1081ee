"""`{% progress_status summary %}`: a trainee's cached progress status as a tag in the overview's
rows. A tag in Python: the chain of comparisons in the template cost ~0.15 ms a row, more
than the rest of the row but the reason text (issue #18)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lisplan.progress.models import ProgressStatus

register = template.Library()

# As the overview has always shown them; the trainee page and the counts use
# `pages.STATUS_COLOURS`, which shows the old scheme as «info».
COLOURS = {
    ProgressStatus.ON_TRACK: "success",
    ProgressStatus.COMPLETE: "success",
    ProgressStatus.BEHIND: "warning",
    ProgressStatus.AT_RISK: "danger",
}

# `get_status_display()` rebuilds the field's choices on every call (~0.1 ms a row)
LABELS = dict(ProgressStatus.choices)


@register.simple_tag
def progress_status(summary):
    if not summary:
        return format_html(
            '<span class="ds-tag" data-color="neutral">{}</span>', _("Ikke beregnet")
        )
    return format_html(
        '<span class="ds-tag lp-nowrap" data-color="{}">{}</span>',
        COLOURS.get(summary.status, "neutral"),
        LABELS.get(summary.status, summary.status),
    )
