"""The read-access log: who has read a trainee's personal data.

One place: every page, PDF, export and API operation that shows one trainee's data fetches it
through `accounts.access.get_in_scope`, which calls `note(obj)`. The middleware collects the
notes of one request and, when the response succeeded, writes them in one `bulk_create` — one
insert per request, nothing per row — with the action read from the response (page, PDF,
export, API). A trainee reading their own data is not logged.
"""

from __future__ import annotations

import contextvars

from django.db.models import Model

from lisplan.audit.middleware import current_request_id

_notes: contextvars.ContextVar[list | None] = contextvars.ContextVar("read_notes", default=None)

EXPORT_TYPES = (
    "application/vnd.openxmlformats",
    "text/csv",
    "application/json",
    "text/calendar",
    "application/zip",
)


def trainee_of(obj: Model) -> int | None:
    """The trainee whose data `obj` is, or None when it is not one trainee's."""
    label = obj._meta.label
    if label == "trainees.Trainee":
        return obj.pk
    trainee_id = getattr(obj, "trainee_id", None)
    if trainee_id is not None:
        return trainee_id
    plan = getattr(obj, "plan", None) if hasattr(obj, "plan_id") else None
    return getattr(plan, "trainee_id", None)


def note(obj: Model) -> None:
    """Remember that this request read `obj` (a no-op outside a request)."""
    notes = _notes.get()
    if notes is None:
        return
    trainee_id = trainee_of(obj)
    if trainee_id is not None:
        notes.append((trainee_id, obj._meta.label, str(obj.pk), str(obj)[:300]))


def _action(request, response) -> str:
    from lisplan.audit.models import ReadAccess

    content_type = response.get("Content-Type", "")
    if request.path.startswith("/api/"):
        return ReadAccess.Action.API
    if content_type.startswith("application/pdf"):
        return ReadAccess.Action.PDF
    if content_type.startswith(EXPORT_TYPES) or "attachment" in response.get(
        "Content-Disposition", ""
    ):
        return ReadAccess.Action.EXPORT
    return ReadAccess.Action.VIEW


def _roles(user) -> str:
    from lisplan.accounts.models import RoleAssignment

    roles = RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True)
    return ",".join(sorted(set(roles)))[:300]


class ReadAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _notes.set([])
        try:
            response = self.get_response(request)
            notes = _notes.get()
        finally:
            _notes.reset(token)
        user = getattr(request, "user", None)  # the API sets it from a bearer token
        if (
            notes
            and 200 <= response.status_code < 300
            and user is not None
            and user.is_authenticated
        ):
            self._write(request, response, user, notes)
        return response

    def _write(self, request, response, user, notes) -> None:
        from lisplan.audit.models import ReadAccess

        own = (
            getattr(getattr(user, "trainee", None), "pk", None)
            if hasattr(user, "trainee")
            else None
        )
        seen: dict[tuple, tuple] = {}
        for trainee_id, label, pk, text in notes:
            if trainee_id != own:
                seen.setdefault((trainee_id, label, pk), (trainee_id, label, pk, text))
        if not seen:
            return
        action, roles, request_id = _action(request, response), _roles(user), current_request_id()
        name = (user.get_full_name() or user.get_username())[:200]
        ReadAccess.objects.bulk_create(
            [
                ReadAccess(
                    actor=user,
                    actor_name=name,
                    roles=roles,
                    trainee_id=trainee_id,
                    object_type=label,
                    object_id=pk,
                    object_repr=text,
                    action=action,
                    path=request.path[:300],
                    request_id=request_id,
                )
                for trainee_id, label, pk, text in seen.values()
            ]
        )
