"""The user's own notifications (in-app copies of what was also e-mailed): unread first."""

from __future__ import annotations

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from lisplan.accounts.access import once_per_request, public, require
from lisplan.notifications.models import CalendarFeed, Notification
from lisplan.notifications.services import email_preview, email_previews, mark_read


def unread_count(user) -> int:
    """Once per request (kept on the user): the header and the start page's task both show it,
    and marking notifications read always ends in a redirect."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return once_per_request(user, "unread", unread.count)


@require("notification.view")
def notification_list(request):
    rows = Notification.objects.filter(user=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
            "unread": unread_count(request.user),
        },
    )


@require("notification.view")
@require_POST
def notification_read(request):
    """Mark the chosen notifications (or all, with `alle`) as read; then follow `neste`."""
    ids = (
        None
        if request.POST.get("alle")
        else [int(i) for i in request.POST.getlist("varsel") if i.isdigit()]
    )
    count = mark_read(user=request.user, ids=ids)
    target = request.POST.get("neste", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if count:
        messages.success(
            request,
            _("%(n)s varsel er merket som lest.") % {"n": count}
            if count == 1
            else _("%(n)s varsler er merket som lest.") % {"n": count},
        )
    return redirect("notifications:list")


# --- the personal calendar feed (lisplan.notifications.calendar) ---------------------------


@require("notification.view")
def calendar_settings(request):
    """The user's calendar subscription: make (or replace) and revoke the secret feed URL."""
    from lisplan.notifications import calendar

    if request.method == "POST":
        if request.POST.get("handling") == "slett":
            if calendar.feed_revoke(actor=request.user, user=request.user):
                messages.success(
                    request,
                    _("Kalenderabonnementet er slettet. Den gamle adressen virker ikke lenger."),
                )
            return redirect("notifications:calendar")
        _feed, raw = calendar.feed_issue(actor=request.user, user=request.user)
        request.session["new_calendar_url"] = calendar.absolute(
            reverse("notifications:calendar_feed", args=[raw])
        )  # shown once
        return redirect("notifications:calendar")
    return render(
        request,
        "notifications/calendar.html",
        {
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
            "new_url": request.session.pop("new_calendar_url", None),
            "events": calendar.upcoming(request.user, limit=10),  # what is coming, not the past
        },
    )


@public
def calendar_feed(request, token: str):
    """The feed itself, fetched by calendar programs without a session: the secret in the
    URL is the credential. Unknown or revoked secret: 404 (nothing tells whether it existed)."""
    from lisplan.notifications import calendar

    user = calendar.feed_user(token)
    if user is None:
        raise Http404
    body = calendar.render_calendar(
        calendar.events_for(user),
        name=_("lisplan – %(name)s") % {"name": user.get_full_name() or user.username},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lisplan.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- the administrators' preview of every e-mail kind -----------------------------------


@require("notification.preview")
def email_preview_list(request):
    """Every kind of notification e-mail with a sample: subject, the HTML part (in a frame, as
    a mail program shows it) and the plain-text part."""
    return render(
        request,
        "notifications/email_preview.html",
        {"samples": email_previews(actor=request.user)},
    )


@require("notification.preview")
@xframe_options_sameorigin
@csp_replace(
    {
        "style-src": [UNSAFE_INLINE],
        "script-src": [NONE],
        "frame-ancestors": [SELF],
    }
)
def email_preview_frame(request, code: str):
    """One sample's HTML part alone, for the frame on the preview page. E-mail HTML carries
    its styles inline (mail programs drop style sheets), so this response allows inline
    styles, no scripts, and framing by our own pages only."""
    mail = email_preview(actor=request.user, code=code)
    if mail is None:
        raise Http404
    return HttpResponse(mail.html, content_type="text/html; charset=utf-8")
