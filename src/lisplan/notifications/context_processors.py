"""`unread_notifications` for the page header: one count query per page for a signed-in user.
Add "lisplan.notifications.context_processors.unread" to TEMPLATES' context processors."""

from __future__ import annotations


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from lisplan.notifications.views import unread_count

    return {"unread_notifications": unread_count(user)}
