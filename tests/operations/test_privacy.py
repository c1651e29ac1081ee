"""Privacy (issue 16, F): the retention registry covers every model with personal data and the
purge deletes what has outlived its time; a person's data exported (GDPR Art. 15) as JSON and
PDF; the privacy notice, accessibility statement and feedback link in every page's footer."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from lisplan.accounts.models import ApiToken
from lisplan.audit.models import ReadAccess
from lisplan.operations import retention


def test_registry_covers_every_model_with_personal_data():
    missing = sorted(set(retention.personal_models()) - set(retention.REGISTRY))
    assert missing == [], f"add a retention rule for: {missing}"
    for label in retention.REGISTRY:
        apps.get_model(label)  # every rule names a real model


@pytest.mark.django_db
def test_purge_deletes_only_what_has_outlived_its_time(world):
    now = timezone.now()
    counts = retention.purge(dry_run=True)  # every rule's query runs
    assert set(counts) >= {"accounts.ApiToken", "axes.AccessAttempt", "audit.ReadAccess"}
    old, _raw = ApiToken.issue(world.users["trainee"], expires_at=now - dt.timedelta(days=91))
    fresh, _raw = ApiToken.issue(world.users["trainee"], expires_at=now - dt.timedelta(days=5))
    stale = AccessAttempt.objects.create(
        username="x",
        ip_address="10.0.0.1",
        user_agent="",
        failures_since_start=1,
        get_data="",
        post_data="",
        path_info="/",
    )
    AccessAttempt.objects.filter(pk=stale.pk).update(attempt_time=now - dt.timedelta(days=31))
    recent = AccessAttempt.objects.create(
        username="y",
        ip_address="10.0.0.1",
        user_agent="",
        failures_since_start=1,
        get_data="",
        post_data="",
        attempt_time=now,
        path_info="/",
    )
    counts = retention.purge()
    assert counts["accounts.ApiToken"] == 1 and counts["axes.AccessAttempt"] == 1
    assert list(ApiToken.objects.all()) == [fresh] and not ApiToken.objects.filter(pk=old.pk)
    assert list(AccessAttempt.objects.all()) == [recent]


@pytest.mark.django_db
def test_a_person_downloads_everything_held_about_them(client, world):
    client.force_login(world.users["leader"])
    client.get(reverse("trainees:detail", args=[world.trainee.pk]))  # a read by someone else
    client.force_login(world.users["trainee"])
    page = client.get(reverse("my_data"))
    assert page.status_code == 200 and "artikkel 15" in page.content.decode()

    response = client.get(reverse("my_data_download", args=["json"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    export = json.loads(response.content)
    data = export["data"]
    assert export["person"]["username"] == "trainee"
    assert data["trainees.Trainee"][0]["fields"]["last_name"] == "Trainee"
    assert data["trainees.Employment"] and data["trainees.Supervision"]
    assert data["accounts.RoleAssignment"][0]["fields"]["role"] == "trainee"
    assert data["audit.ReadAccess"][0]["fields"]["actor_name"] == str(world.users["leader"])
    text = response.content.decode()
    assert "password" not in data["accounts.User"][0]["fields"]
    assert world.users["trainee"].password not in text

    response = client.get(reverse("my_data_download", args=["pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Opplysninger lisplan har om deg" in pdf_text and "Tora" in pdf_text
    assert client.get(reverse("my_data_download", args=["xml"])).status_code == 404


@pytest.mark.django_db
def test_only_the_administrator_exports_another_person(client, world):
    url = reverse("person_data_download", args=[world.users["trainee"].pk, "json"])
    client.force_login(world.users["local_coordinator"])
    assert client.get(url).status_code == 403
    client.force_login(world.users["admin"])
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["username"] == "trainee"
    read = ReadAccess.objects.get()
    assert read.actor == world.users["admin"] and read.action == "export"


@pytest.mark.django_db
def test_footer_links_and_public_pages(client, world):
    for url in (reverse("privacy"), reverse("accessibility"), reverse("login")):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert f'href="{reverse("privacy")}"' in html
        assert f'href="{reverse("accessibility")}"' in html
        assert f'href="{reverse("feedback")}"' in html
    privacy = client.get(reverse("privacy")).content.decode()
    assert "Fødselsnummeret" in privacy and "30 days" in privacy
    assert client.get(reverse("feedback"))["Location"].startswith("mailto:")
    client.force_login(world.users["trainee"])
    assert f'href="{reverse("my_data")}"' in client.get("/").content.decode()


def test_base_url_is_the_setting_else_the_served_address(settings, rf):
    from lisplan.audit.middleware import RequestIdMiddleware
    from lisplan.operations.origin import base_url

    settings.LISPLAN_BASE_URL_SET = False
    settings.LISPLAN_BASE_URL = "http://127.0.0.1:8123"
    assert base_url() == "http://127.0.0.1:8123"  # outside a request: the worker's default
    seen = []
    RequestIdMiddleware(lambda request: seen.append(base_url()))(
        rf.get("/", HTTP_HOST="localhost:9000")
    )
    assert seen == ["http://localhost:9000"]
    settings.LISPLAN_BASE_URL_SET = True
    settings.LISPLAN_BASE_URL = "https://lisplan.helse-nord.no"
    RequestIdMiddleware(lambda request: seen.append(base_url()))(rf.get("/"))
    assert seen[-1] == "https://lisplan.helse-nord.no"


@pytest.mark.django_db
def test_the_pdf_export_stays_readable_with_a_whole_allocation_result_in_it(world):
    """A planner's export holds the runs they started, each with the whole instance and result
    (megabytes at national size). Laid out in full that took minutes; the PDF shows the field
    in words, cut short, and the JSON keeps every value."""
    from lisplan.allocation.models import AllocationRun
    from lisplan.operations import subject_access

    planner = world.users["planner"]
    big = {"requests": [{"id": i, "why": "ingen plass " * 5} for i in range(20_000)]}
    AllocationRun.objects.create(
        created_by=planner,
        max_delay_months=6,
        time_limit=60,
        queue_weight=0.1,
        instance=big,
        result=big,
    )
    export = subject_access.collect(planner)
    assert (
        len(json.dumps(export["data"]["allocation.AllocationRun"][0]["fields"]["result"])) > 10**6
    )
    pdf = subject_access.as_pdf(planner)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Resultat:" in text and "(resten i JSON-fila)" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) < 10
