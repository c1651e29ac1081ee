"""The notification e-mails (issue 17, item 7): every kind has a subject in words, a body that
says what happened and what to do, an HTML part and a plain-text part from templates, and an
absolute link on `LISPLAN_BASE_URL`; administrators preview them all on one page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from lisplan.errors import Refused
from lisplan.notifications import emails
from lisplan.notifications.services import email_previews, notify
from tests.ui.test_words import problems

BASE = "https://lisplan.helse-nord.no"
CODE_WORD = re.compile(r"\b[a-z]+[._][a-z_]+\b|%\(|\{\{|\{%")


@pytest.fixture
def base_url(settings):
    settings.LISPLAN_BASE_URL_SET = True
    settings.LISPLAN_BASE_URL = BASE
    return BASE


def _strip_tags(html: str) -> str:
    html = re.sub(r"<(style|head)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _without_urls(text: str) -> str:
    return re.sub(r"https?://\S+", " ", text)


@pytest.mark.parametrize("code", sorted(emails.KINDS))
def test_every_kind_renders_both_parts_in_words_with_an_absolute_link(db, base_url, code):
    kind = emails.KINDS[code]
    sample = emails.sample(kind)
    # the subject: words, no code, no placeholder left
    assert sample.subject and not CODE_WORD.search(sample.subject), sample.subject
    assert problems(sample.subject) == []
    # the plain-text part: what happened, what to do, the link in full
    assert str(kind.action) in sample.text
    assert f"{kind.link}: {BASE}/" in sample.text
    assert problems(_without_urls(sample.text)) == [], sample.text
    assert not CODE_WORD.search(_without_urls(sample.text)), sample.text
    # the HTML part: the same, with a button-like link to an absolute address
    links = re.findall(r'href="([^"]+)"', sample.html)
    assert links and all(link.startswith(f"{BASE}/") for link in links), links
    assert str(kind.action) in sample.html and str(kind.link) in sample.html
    assert '<html lang="' in sample.html and "<title>" in sample.html
    text = _strip_tags(sample.html)
    assert problems(_without_urls(text)) == [], text


def test_every_kind_the_code_sends_is_in_the_catalogue():
    """A kind that `notify(kind=…)` sends must be previewable (the fallback is for others)."""
    import pathlib

    src = pathlib.Path(emails.__file__).parents[1]
    sent = set()
    for path in src.rglob("*.py"):
        calls = re.findall(r"\bnotify\((.*?)\n\s*\)", path.read_text(), flags=re.S)
        sent |= {k for call in calls for k in re.findall(r'kind="([a-z_.]+)"', call)}
    from lisplan.rotations.models import Status

    sent |= {f"rotations.{s}" for s in Status.values}
    sent |= {"allocation.done", "allocation.failed"}
    assert sent - set(emails.KINDS) == set()


def test_notify_sends_html_and_text_with_the_absolute_link(
    world, base_url, django_capture_on_commit_callbacks
):
    trainee = world.users["trainee"]
    trainee.email = "tora@example.no"
    trainee.first_name = "Tora"
    trainee.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[trainee],
            kind="iup.awaiting_signatures",
            title="Utdanningsplan til signering: Tora Trainee",
            body="Revisjon 2 av den individuelle utdanningsplanen venter på din signatur.",
            url="/iup/revisjon/7/",
        )
    (message,) = mail.outbox
    assert message.subject == "Utdanningsplan til signering: Tora Trainee"
    assert message.to == ["tora@example.no"]
    assert message.body.startswith("Hei Tora,")
    assert f"Åpne utdanningsplanen: {BASE}/iup/revisjon/7/" in message.body
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert (
        f'href="{BASE}/iup/revisjon/7/"' in html and "Les utdanningsplanen og signer den." in html
    )


def test_an_unknown_kind_still_gets_words_and_a_link(db, base_url):
    sample = emails.render(code="x", title="Et varsel", body="Noe har skjedd.", url="")
    assert "Åpne lisplan: " + BASE + "/" in sample.text


def test_the_preview_is_for_administrators_only(world):
    assert len(email_previews(actor=world.users["admin"])) == len(emails.KINDS)
    for name in ("trainee", "local_coordinator", "planner"):
        with pytest.raises(Refused):
            email_previews(actor=world.users[name])


def test_the_preview_page_shows_every_kind(client, world, base_url):
    client.force_login(world.users["admin"])
    page = client.get(reverse("notifications:email_preview"))
    assert page.status_code == 200
    html = page.content.decode()
    for kind in emails.KINDS.values():
        assert str(kind.name) in html
        assert reverse("notifications:email_preview_frame", args=[kind.code]) in html
    frame = client.get(reverse("notifications:email_preview_frame", args=["plan.reminder"]))
    assert frame.status_code == 200
    assert "Åpne planen og gjør det som mangler." in frame.content.decode()
    policy = frame["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "frame-ancestors 'self'" in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert (
        client.get(reverse("notifications:email_preview_frame", args=["nope"])).status_code == 404
    )
    client.force_login(world.users["local_coordinator"])
    assert client.get(reverse("notifications:email_preview")).status_code == 403
    frame = client.get(reverse("notifications:email_preview_frame", args=["plan.reminder"]))
    assert frame.status_code == 403
