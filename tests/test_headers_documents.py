"""Headers and documents (issue 16, B): a strict CSP on every page and templates without
inline script; PDFs fetch only the app's own static files; API keys expire; spreadsheets are
parsed through defusedxml."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from lisplan.accounts.models import ApiToken
from lisplan.documents import pdf

TEMPLATES = Path(__file__).resolve().parents[1] / "src/lisplan/templates"


def test_templates_have_no_inline_script_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0) and 'type="application/json"' not in match.group(0):
                offenders.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\s(hx-on[:\w-]*|on[a-z]+)=\"", text):
            offenders.append(f"{path.name}: {match.group(1)}")
        if "js:" in text and "hx-vals" in text:
            offenders.append(f"{path.name}: hx-vals js:")
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_csp_and_no_store(client, world):
    client.force_login(world.users["trainee"])
    for url in ["/", reverse("trainees:detail", args=[world.trainee.pk]), "/api/v1/me"]:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp and "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response["Cache-Control"] == "private, no-store"
    page = client.get("/").content.decode()
    assert '"allowEval": false' in page and "lisplan/app.js" in page


def test_pdf_fetcher_serves_only_static_files():
    body, mime = pdf.fetch_static(pdf.BASE_URL + "static/lisplan/app.css")
    assert b"htmx-indicator" in body and mime == "text/css"
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1:8016/",
        "https://example.org/x.css",
        pdf.BASE_URL + "static/../settings.py",
        pdf.BASE_URL + "media/agreements/x.pdf",
        pdf.BASE_URL + "static/%2e%2e/settings.py",
    ]:
        with pytest.raises(pdf.RefusedURL):
            pdf.fetch_static(url)


def test_pdf_with_a_foreign_reference_renders_without_it(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    html = (
        f'<html><body><p>Hei</p><img src="file://{secret}"><img src="/static/x/../../s">'
        '<img src="static/lisplan/missing.png">'
        f'<link rel="stylesheet" href="file://{secret}">'
        f'<object data="file://{secret}"></object></body></html>'
    )
    data = pdf.write_pdf(html)
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    assert "Hei" in text and "TOPSECRET" not in text


@pytest.mark.django_db
def test_api_token_expires_after_a_year_and_is_refused_after(client, world):
    user = world.users["trainee"]
    token, raw = ApiToken.issue(user, "skript")
    year = timezone.now() + dt.timedelta(days=365)
    assert abs((token.expires_at - year).total_seconds()) < 60
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", **auth).status_code == 401

    client.force_login(user)
    page = client.get(reverse("api_tokens")).content.decode()
    assert "Utløper" in page and "Utløpt" in page


@pytest.mark.django_db
def test_token_page_sets_a_chosen_expiry_up_to_a_year(client, world):
    client.force_login(world.users["trainee"])
    today = timezone.localdate()
    too_late = (today + dt.timedelta(days=400)).strftime("%d.%m.%Y")
    response = client.post(reverse("api_tokens"), {"name": "x", "expires_on": too_late})
    assert "høyst ett år" in response.content.decode()
    chosen = today + dt.timedelta(days=30)
    response = client.post(
        reverse("api_tokens"), {"name": "x", "expires_on": chosen.strftime("%d.%m.%Y")}
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(user=world.users["trainee"])
    assert timezone.localtime(token.expires_at).date() == chosen + dt.timedelta(days=1)


def test_openpyxl_parses_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True
