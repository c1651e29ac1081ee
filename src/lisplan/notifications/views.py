"""The user's own notifications (in-app copies of what was also e-mailed): unread first."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts.access import require
from lisplan.notifications.models import Notification
from lisplan.notifications.services import mark_read


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@require("notification.view")
def notification_list(request):
    rows = Notification.objects.filter(user=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id")
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
        "unread": unread_count(request.user),
    })


@require("notification.view")
@require_POST
def notification_read(request):
    """Mark the chosen notifications (or all, with `alle`) as read; then follow `neste`."""
    ids = None if request.POST.get("alle") else [
        int(i) for i in request.POST.getlist("varsel") if i.isdigit()]
    count = mark_read(user=request.user, ids=ids)
    target = request.POST.get("neste", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    if count:
        messages.success(request, _("%(n)s varsel er merket som lest.") % {"n": count}
                         if count == 1 else _("%(n)s varsler er merket som lest.") % {"n": count})
    return redirect("notifications:list")
