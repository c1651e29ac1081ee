"""The progress page reads as words (issue 12, item 7): no file names, no code names, and day
arithmetic only behind «Slik er det regnet».

Seed 004 asks for «oversikt over gjennomførte og gjenstående læringsmål og tjenestetid» that a
trainee and a leader read; the numbers are the ledger's, in months and days.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from django.test import Client
from django.urls import reverse

from tests import factories as f

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
FILE = re.compile(r"\b[\w-]+\.(?:ya?ml|py|json)\b")
ARITHMETIC = re.compile(
    r"=\s*\d[\d  ]*(?:,\d+)?\s*dager|×\s*30,4375|\bdager;\s*talt\b|"
    r"\d+ dager à\b"
)


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style|svg|head)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(
        r"<details class=\"lp-evidence\"><summary>Slik er det regnet</summary>.*?"
        r"</details>",
        " ",
        body,
        flags=re.S,
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_progress_page_has_no_codes_file_names_or_arithmetic(world, goals):
    f.LeaveFactory(trainee=world.trainee, start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    client = Client()
    client.force_login(world.users["trainee"])
    body = client.get(reverse("progress:trainee", args=[world.trainee.pk])).content.decode()
    assert "Slik er det regnet" in body
    text = visible_text(body)
    assert not FILE.findall(text), FILE.findall(text)
    assert not CODE.findall(text), CODE.findall(text)
    assert not ARITHMETIC.findall(text), ARITHMETIC.findall(text)
