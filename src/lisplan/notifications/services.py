"""Notify users in the app and by e-mail (sent after the transaction commits)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from lisplan.notifications.models import Notification
from lisplan.operations.origin import base_url


def notify(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "") -> list:
    rows = [
        Notification(user=u, kind=kind, title=title[:200], body=body, url=url)
        for u in {u.pk: u for u in users}.values()
    ]
    Notification.objects.bulk_create(rows)
    transaction.on_commit(lambda: _email([n for n in rows if n.user.email]))
    return rows


def _email(rows: list[Notification]) -> None:
    for n in rows:
        link = f"\n\n{base_url()}{n.url}" if n.url else ""
        send_mail(n.title, f"{n.body}{link}", None, [n.user.email], fail_silently=True)
    if rows:
        Notification.objects.filter(pk__in=[n.pk for n in rows if n.pk]).update(
            emailed_at=timezone.now()
        )


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
