"""The personal calendar feed (iCalendar): planned supervision meetings and assessment panels of
the education plans (IUP) a user takes part in, so that they land in Outlook and the like.

Why here and not in `iup/`: architecture.md gives calendar feeds to `notifications` — a feed is
one more channel (beside in-app and e-mail) by which the system tells a user what is coming, and
other areas (rotation starts, deadlines) may add events later. The events themselves are read
from the IUP through `iup_events`; the secret-token model and its views live with the other
per-user channels here.

Calendar programs cannot sign in, so the feed URL carries a per-user secret. Only its SHA-256
hash is stored (like `accounts.ApiToken`); regenerating replaces it, revoking deletes it, and an
unknown or revoked secret gives 404.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lisplan.accounts.models import hash_token
from lisplan.audit.services import record
from lisplan.notifications.models import CalendarFeed

OSLO = ZoneInfo("Europe/Oslo")
PRODID = "-//lisplan//Kalender for spesialistutdanningen//NB"
UID_DOMAIN = "lisplan"
PLAN_MEETING = "plan_meeting"  # the next meeting about the plan itself (ALIS «neste møte»)
HORIZON_PAST_DAYS = 92  # keep the last quarter in the calendar, then let it fall off


# --- the secret ----------------------------------------------------------------------------


@transaction.atomic
def feed_issue(*, actor, user) -> tuple[CalendarFeed, str]:
    """A new secret for `user`'s feed (replacing any earlier one, which stops working).
    Returns the row and the raw secret, which is shown once and never stored."""
    raw = "cal_" + secrets.token_urlsafe(32)
    old = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if old is not None:
        old.delete()
    feed = CalendarFeed.objects.create(user=user, prefix=raw[:8], token_hash=hash_token(raw))
    record(
        actor=actor,
        action="calendar_feed.issued",
        obj=feed,
        changes={
            "user": [None, user.username],
            "prefix": [old.prefix if old else None, feed.prefix],
        },
    )
    return feed, raw


@transaction.atomic
def feed_revoke(*, actor, user) -> bool:
    """Delete `user`'s feed secret; False when there was none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return False
    record(
        actor=actor,
        action="calendar_feed.revoked",
        obj=feed,
        changes={"user": [user.username, None], "prefix": [feed.prefix, None]},
    )
    feed.delete()
    return True


def feed_user(raw: str):
    """The active user whose feed secret this is, or None (unknown, revoked, inactive)."""
    if not raw or len(raw) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    # at most one write an hour per feed (calendar programs poll often)
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(hours=1))
    ).update(last_used_at=now)
    return feed.user


# --- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """One entry of the feed. `uid` must stay the same for the same meeting across fetches and
    across revisions of the plan, so calendar programs update rather than duplicate it."""

    uid: str
    summary: str
    description: str
    start: dt.datetime | dt.date  # a date: an all-day event
    end: dt.datetime | dt.date | None = None
    location: str = ""
    url: str = ""
    stamp: dt.datetime | None = None  # when the event last changed (DTSTAMP/LAST-MODIFIED)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @property
    def day(self) -> dt.date:
        return (
            self.start.astimezone(OSLO).date()
            if isinstance(self.start, dt.datetime)
            else self.start
        )


def _oslo(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            return value.replace(tzinfo=OSLO)
        return value.astimezone(OSLO)
    return value


def render_calendar(events: list[CalendarEvent], *, name: str) -> bytes:
    """The feed as iCalendar bytes (RFC 5545) with a VTIMEZONE for Europe/Oslo."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Oslo")
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    now = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        start = _oslo(item.start)
        event.add("dtstart", start)
        if item.end is not None:
            event.add("dtend", _oslo(item.end))
        elif isinstance(start, dt.datetime):
            event.add("dtend", start + dt.timedelta(hours=1))
        else:
            event.add("dtend", start + dt.timedelta(days=1))
        event.add("dtstamp", item.stamp or now)
        if item.stamp:
            event.add("last-modified", item.stamp)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        event.add("transp", "OPAQUE" if isinstance(start, dt.datetime) else "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()  # a VTIMEZONE for Europe/Oslo when an event has a time
    return cal.to_ical()


def absolute(path: str) -> str:
    from lisplan.operations.origin import base_url

    return f"{base_url()}{path}" if path else ""


# --- the events of the education plans (IUP) the user takes part in -----------------------


def _iup_trainees(user):
    """Trainees whose education plans the user takes part in: as the trainee, as an active
    supervisor (or one named in the plan), or as leader of the trainee's learning arena (the
    leader who signs, `access.grants(...).arena_paths["iup.sign"]`, as in `access.leads`)."""
    from lisplan.accounts.access import grants
    from lisplan.iup.models import SupervisorRow
    from lisplan.trainees.models import Employment, Supervision, Trainee

    today = timezone.localdate()
    q = Q(user=user)
    q |= Q(
        pk__in=Supervision.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today), supervisor=user
        ).values("trainee_id")
    )
    q |= Q(pk__in=SupervisorRow.objects.filter(user=user).values("revision__plan__trainee_id"))
    paths = grants(user).arena_paths.get("iup.sign", ())
    if paths:
        under = Q(pk__in=[])
        for path in paths:
            under |= Q(arena__path__startswith=path)
        q |= Q(pk__in=Employment.objects.not_ended().filter(under).values("trainee_id"))
    return Trainee.objects.filter(q)


def events_for(user, today: dt.date | None = None) -> list[CalendarEvent]:
    """Planned supervision meetings, assessment panels (also «neste planlagte» without a
    meeting row) and the next meeting about the plan, from the newest revision of each
    education plan the user takes part in, from `HORIZON_PAST_DAYS` ago on, by start."""
    if not getattr(user, "is_active", False):
        return []
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=HORIZON_PAST_DAYS)
    return _events(list(_with_rows(_newest_revisions(user))), since)


def _newest_revisions(user):
    """The newest revision of each education plan the user takes part in."""
    from django.db.models import OuterRef, Subquery

    from lisplan.iup.models import Revision

    newest = Revision.objects.filter(plan=OuterRef("plan")).order_by("-number").values("pk")[:1]
    return Revision.objects.filter(plan__trainee__in=_iup_trainees(user), pk=Subquery(newest))


def _with_rows(revisions):
    return revisions.select_related("plan__trainee").prefetch_related("supervisors", "meetings")


FAR = dt.date(9999, 12, 31)


def upcoming(user, today: dt.date | None = None, limit: int = 10) -> list[CalendarEvent]:
    """The next `limit` events from today on, as the feed has them, reading only the
    revisions that hold them: each revision's first date from today on (a meeting, the next
    panel, the next plan meeting) is found in the query, and the `limit` revisions with the
    earliest ones are read — the events ahead come from no other (the settings page)."""
    from django.db.models import Case, F, OuterRef, Subquery, When
    from django.db.models.functions import Coalesce, Least

    from lisplan.iup.models import Meeting

    if not getattr(user, "is_active", False):
        return []
    today = today or timezone.localdate()

    def ahead(field: str):
        return Coalesce(Case(When(**{f"{field}__gte": today}, then=F(field))), FAR)

    meeting = Subquery(
        Meeting.objects.filter(revision=OuterRef("pk"), date__gte=today)
        .order_by("date")
        .values("date")[:1]
    )
    revisions = (
        _newest_revisions(user)
        .annotate(first=Least(Coalesce(meeting, FAR), ahead("next_panel"), ahead("next_meeting")))
        .filter(first__lt=FAR)
        .order_by("first", "pk")[:limit]
    )
    events = _events(list(_with_rows(revisions)), today)
    return [e for e in events if e.day >= today][:limit]


def _events(revisions, since: dt.date) -> list[CalendarEvent]:
    """The events of these revisions from `since` on, by start."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from lisplan.iup.models import Meeting

    events: list[CalendarEvent] = []
    for revision in revisions:
        plan, trainee = revision.plan, revision.plan.trainee
        url = absolute(reverse("iup:revision", args=[revision.pk]))
        supervisors = ", ".join(s.name for s in revision.supervisors.all())
        seen: dict[str, int] = {}
        items = [(m.kind, m.date, m.time, m.note) for m in revision.meetings.all()]
        panel_dates = {d for k, d, _t, _n in items if k == Meeting.Kind.ASSESSMENT_PANEL}
        if revision.next_panel and revision.next_panel not in panel_dates:
            items.append((Meeting.Kind.ASSESSMENT_PANEL, revision.next_panel, None, ""))
        if revision.next_meeting:  # «Dato for neste møte» (ALIS form, section 7)
            items.append((PLAN_MEETING, revision.next_meeting, None, ""))
        for kind, day, time, note in sorted(items, key=lambda i: (i[1], i[2] or dt.time(0))):
            if day < since:
                continue
            key = f"{kind}-{day:%Y%m%d}"
            seen[key] = seen.get(key, 0) + 1
            uid = f"iup-{plan.pk}-{key}" + (f"-{seen[key]}" if seen[key] > 1 else "")
            if kind == Meeting.Kind.ASSESSMENT_PANEL:
                summary = _("Vurderingskollegium: %(name)s") % {"name": trainee.full_name}
            elif kind == PLAN_MEETING:
                summary = _("Møte om utdanningsplanen: %(name)s") % {"name": trainee.full_name}
            else:
                summary = _("Veiledningssamtale: %(name)s") % {"name": trainee.full_name}
            lines = [
                _(
                    "Planlagt i den individuelle utdanningsplanen (IUP) til %(name)s, "
                    "revisjon %(n)s."
                )
                % {"name": trainee.full_name, "n": revision.number}
            ]
            if supervisors:
                lines.append(_("Veileder: %(names)s") % {"names": supervisors})
            if note:
                lines.append(_("Merknad: %(note)s") % {"note": note})
            lines.append(_("Åpne planen: %(url)s") % {"url": url})
            start = dt.datetime.combine(day, time, tzinfo=OSLO) if time else day
            events.append(
                CalendarEvent(
                    uid=f"{uid}@{UID_DOMAIN}",
                    summary=summary,
                    description="\n".join(lines),
                    start=start,
                    location=note,
                    url=url,
                    stamp=revision.updated_at,
                )
            )
    events.sort(
        key=lambda e: (
            e.start
            if isinstance(e.start, dt.datetime)
            else dt.datetime.combine(e.start, dt.time(0), tzinfo=OSLO)
        )
    )
    return events
