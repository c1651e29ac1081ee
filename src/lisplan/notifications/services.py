"""Notify users in the app and by e-mail (sent after the transaction commits)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.access import has_permission
from lisplan.errors import Refused
from lisplan.notifications import emails
from lisplan.notifications.models import Notification


def notify(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "") -> list:
    rows = [
        Notification(user=u, kind=kind, title=title[:200], body=body, url=url)
        for u in {u.pk: u for u in users}.values()
    ]
    Notification.objects.bulk_create(rows)
    transaction.on_commit(lambda: _email([n for n in rows if n.user.email]))
    return rows


def _email(rows: list[Notification]) -> None:
    """One e-mail per notification: a plain-text part and an HTML part (`emails.render`)."""
    for n in rows:
        mail = emails.render(code=n.kind, title=n.title, body=n.body, url=n.url, recipient=n.user)
        message = EmailMultiAlternatives(mail.subject, mail.text, None, [n.user.email])
        message.attach_alternative(mail.html, "text/html")
        message.send(fail_silently=True)
    if rows:
        Notification.objects.filter(pk__in=[n.pk for n in rows if n.pk]).update(
            emailed_at=timezone.now()
        )


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def email_previews(*, actor) -> list[tuple[emails.Kind, emails.Email]]:
    """Every kind of notification e-mail with a rendered sample (the administrators' preview
    page). The permission is checked here, as for every other action."""
    if not has_permission(actor, "notification.preview"):
        raise Refused(_("Du har ikke tilgang til forhåndsvisningen av e-postene."))
    return emails.samples()


def email_preview(*, actor, code: str) -> emails.Email | None:
    """One kind's sample, or None when there is no such kind."""
    if not has_permission(actor, "notification.preview"):
        raise Refused(_("Du har ikke tilgang til forhåndsvisningen av e-postene."))
    k = emails.KINDS.get(code)
    return emails.sample(k) if k is not None else None
