"""The change history of one trainee («Endringshistorikk»), in words a coordinator reads (the
one presenter: `lisplan.audit.present`)."""

from __future__ import annotations

from lisplan.accounts.access import can, scope_filter
from lisplan.audit.models import AuditEvent
from lisplan.audit.present import HistoryRow, present

HISTORY_LIMIT = 200


def trainee_history(user, trainee) -> list[HistoryRow] | None:
    """The latest events about the trainee, or None when the user may not see the history."""
    if not can(user, "audit.view", trainee):
        return None
    events = scope_filter(user, "audit.view", AuditEvent.objects.filter(trainee_id=trainee.pk))
    return [present(e) for e in events.order_by("-created_at", "-id")[:HISTORY_LIMIT]]
