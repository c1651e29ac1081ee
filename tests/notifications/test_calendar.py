"""The personal iCalendar feed: planned supervision meetings and assessment panels of the IUPs
a user takes part in (trainee, supervisor, leader), behind a per-user secret URL (hashed in the
database; regenerate, revoke; unknown or revoked → 404). Parsed back with `icalendar`."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from lisplan.accounts.models import hash_token
from lisplan.audit.models import AuditEvent
from lisplan.iup import services
from lisplan.notifications import calendar
from lisplan.notifications.models import CalendarFeed
from tests.iup.outputs import MEETING_1, MEETING_2, PANEL, hospital_revision, sign_all

OSLO = ZoneInfo("Europe/Oslo")


def feed_url(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("notifications:calendar"))
    assert response.status_code == 302
    page = client.get(reverse("notifications:calendar"))
    url = re.search(r'id="calendar-url">([^<]+)<', page.content.decode()).group(1)
    client.logout()
    assert url.startswith("http://testserver/")  # the served address (LISPLAN_BASE_URL unset)
    return re.sub(r"^https?://[^/]+", "", url)


def events(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def revision(world):
    return hospital_revision(world)


def test_feed_has_the_meetings_in_oslo_time_with_norwegian_text(client, world, revision):
    url = feed_url(client, world.users["trainee"])
    cal, by_uid = events(client, url)
    assert str(cal["VERSION"]) == "2.0" and cal.walk("VTIMEZONE")
    plan = revision.plan.pk
    meeting = by_uid[f"iup-{plan}-supervision-{MEETING_1:%Y%m%d}@lisplan"]
    start = meeting.decoded("DTSTART")
    assert start == dt.datetime.combine(MEETING_1, dt.time(14, 0), tzinfo=OSLO)
    assert str(start.tzinfo) == "Europe/Oslo" and meeting["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert meeting.decoded("DTEND") - start == dt.timedelta(hours=1)
    assert str(meeting["SUMMARY"]) == "Veiledningssamtale: Tora Trainee"
    description = str(meeting["DESCRIPTION"])
    assert "individuelle utdanningsplanen (IUP) til Tora Trainee, revisjon 1" in description
    assert "Veileder: Vera Veileder, Per Psykoterapi" in description
    assert reverse("iup:revision", args=[revision.pk]) in description
    second = by_uid[f"iup-{plan}-supervision-{MEETING_2:%Y%m%d}@lisplan"]
    assert str(second["LOCATION"]) == "Rom 3" and "Merknad: Rom 3" in str(second["DESCRIPTION"])
    panel = by_uid[f"iup-{plan}-assessment_panel-{PANEL:%Y%m%d}@lisplan"]
    assert str(panel["SUMMARY"]) == "Vurderingskollegium: Tora Trainee"
    assert panel.decoded("DTSTART") == dt.datetime.combine(PANEL, dt.time(9, 0), tzinfo=OSLO)
    assert len(by_uid) == 3  # next_panel is the same day as the panel meeting: no duplicate


def test_uids_are_stable_across_fetches_and_revisions(client, world, revision):
    url = feed_url(client, world.users["supervisor"])
    _, first = events(client, url)
    signed = sign_all(world, revision)
    services.revision_revise(actor=world.users["leader"], revision=signed)
    _, again = events(client, url)
    assert set(first) == set(again) and len(first) == 3
    assert "revisjon 2" in str(again[next(iter(again))]["DESCRIPTION"])


def test_next_panel_without_a_meeting_is_an_all_day_event(client, world, revision):
    services.revision_update(
        actor=world.users["leader"],
        revision=revision,
        version=revision.version,
        meetings=[],
        next_panel=PANEL + dt.timedelta(days=5),
    )
    url = feed_url(client, world.users["leader"])
    _, by_uid = events(client, url)
    day = PANEL + dt.timedelta(days=5)
    assert list(by_uid) == [f"iup-{revision.plan.pk}-assessment_panel-{day:%Y%m%d}@lisplan"]
    panel = by_uid[next(iter(by_uid))]
    assert panel.decoded("DTSTART") == day


@pytest.mark.parametrize(
    "persona,sees",
    [
        ("trainee", True),
        ("supervisor", True),
        ("leader", True),
        ("local_coordinator", False),
        ("education_lead", False),
        ("outsider", False),
    ],
)
def test_only_the_people_of_the_plan_get_its_meetings(world, revision, persona, sees):
    got = calendar.events_for(world.users[persona])
    assert bool(got) is sees


def test_secret_is_hashed_regenerated_and_revoked(client, world, revision):
    user = world.users["trainee"]
    url = feed_url(client, user)
    raw = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=user)
    assert feed.token_hash == hash_token(raw) and raw not in feed.token_hash
    assert client.get(url).status_code == 200
    assert CalendarFeed.objects.get(user=user).last_used_at is not None
    new_url = feed_url(client, user)  # regenerate: the old address stops working
    assert new_url != url
    assert client.get(url).status_code == 404 and client.get(new_url).status_code == 200
    client.force_login(user)
    client.post(reverse("notifications:calendar"), {"handling": "slett"})
    client.logout()
    assert client.get(new_url).status_code == 404
    assert not CalendarFeed.objects.filter(user=user).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="notifications.calendarfeed").values_list(
            "action", flat=True
        )
    )
    assert actions.count("calendar_feed.issued") == 2 and "calendar_feed.revoked" in actions


def test_unknown_secret_and_inactive_user_get_404(client, world, revision):
    assert client.get(reverse("notifications:calendar_feed", args=["cal_nope"])).status_code == 404
    user = world.users["trainee"]
    url = feed_url(client, user)
    user.is_active = False
    user.save()
    assert client.get(url).status_code == 404


def test_settings_page_needs_login_and_lists_what_is_coming(client, world, revision):
    page = reverse("notifications:calendar")
    assert client.get(page).status_code == 302
    client.force_login(world.users["trainee"])
    body = client.get(page).content.decode()
    assert "Du har ingen kalenderadresse." in body
    assert f"{MEETING_1:%d.%m.%Y} 14:00 – Veiledningssamtale: Tora Trainee" in body


def test_meetings_more_than_a_quarter_behind_fall_off(world, revision):
    from lisplan.notifications.calendar import HORIZON_PAST_DAYS

    user = world.users["trainee"]
    later = PANEL + dt.timedelta(days=HORIZON_PAST_DAYS)  # the panel is exactly at the edge
    assert [e.start.date() for e in calendar.events_for(user, today=later)] == [PANEL]
    assert calendar.events_for(user, today=later + dt.timedelta(days=1)) == []


def test_alis_next_meeting_is_in_the_calendar(world):
    from tests.iup.outputs import NEXT_MEETING, Alis

    alis = Alis(world)
    revision = alis.revision()
    got = {e.uid: e for e in calendar.events_for(alis.leader)}
    meeting = got[f"iup-{revision.plan.pk}-plan_meeting-{NEXT_MEETING:%Y%m%d}@lisplan"]
    assert meeting.summary == "Møte om utdanningsplanen: Alma Alis" and meeting.all_day
    assert f"iup-{revision.plan.pk}-supervision-{MEETING_1:%Y%m%d}@lisplan" in got
    assert calendar.events_for(world.users["leader"]) == []  # not the leader of this arena


def test_page_lists_only_what_is_ahead_while_the_feed_keeps_the_recent_past(
    client, world, revision
):
    past = timezone.localdate() - dt.timedelta(days=10)
    services.revision_update(
        actor=world.users["leader"],
        revision=revision,
        version=revision.version,
        meetings=[
            services.MeetingData(past, time=dt.time(10, 0)),
            services.MeetingData(MEETING_1, time=dt.time(14, 0)),
        ],
    )
    url = feed_url(client, world.users["trainee"])
    _, by_uid = events(client, url)
    assert f"iup-{revision.plan.pk}-supervision-{past:%Y%m%d}@lisplan" in by_uid
    client.force_login(world.users["trainee"])
    body = client.get(reverse("notifications:calendar")).content.decode()
    assert f"{past:%d.%m.%Y} 10:00" not in body and f"{MEETING_1:%d.%m.%Y} 14:00" in body


def test_the_page_reads_only_the_revisions_that_hold_what_comes_next(world, revision, monkeypatch):
    """«Det som kommer» on the settings page is the feed's next events, read from as many
    revisions as it shows, not from every plan the user takes part in (issue #18)."""
    leader = world.users["leader"]
    other = services.plan_create(actor=leader, trainee=world.colleague)
    services.revision_update(
        actor=leader,
        revision=other,
        version=other.version,
        meetings=[services.MeetingData(MEETING_1 - dt.timedelta(days=1), time=dt.time(10, 0))],
    )
    today = timezone.localdate()
    ahead = [e for e in calendar.events_for(leader) if e.day >= today]
    assert len(ahead) >= 4 and ahead[0].summary.endswith("Kollega")
    read: list[int] = []
    events = calendar._events

    def spy(revisions, since):
        read.append(len(revisions))
        return events(revisions, since)

    monkeypatch.setattr(calendar, "_events", spy)
    for n in (1, 2, 3, 10):
        assert calendar.upcoming(leader, limit=n) == ahead[:n]
    assert read == [1, 2, 2, 2]
    assert calendar.upcoming(leader, today=PANEL + dt.timedelta(days=1)) == []
