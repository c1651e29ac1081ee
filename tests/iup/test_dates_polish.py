"""IUP dates: «Første gang utarbeidet» is when the first revision was completed, never after a
revision's «Sist oppdatert»; the ALIS form's place/date and signatures use Norwegian dates."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lisplan.iup import pages, services
from lisplan.iup.export_fields import alis_form_values
from lisplan.iup.models import EducationPlan, Revision, Signature
from lisplan.iup.pdf import pdf_context
from tests.iup.outputs import sign_all

UTC = dt.UTC


def test_alis_place_and_signature_dates_are_norwegian_around_midnight(world, alis):
    revision = alis.sign(alis.revision())
    # 28.02.2026 23:30 UTC is 01.03.2026 00:30 in Norway (UTC+1 in winter)
    late = dt.datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    Revision.objects.filter(pk=revision.pk).update(signed_at=late)
    Signature.objects.filter(revision=revision).update(signed_at=late)
    revision.refresh_from_db()
    values = alis_form_values(revision, dt.date(2026, 3, 1))
    assert values["sted"] == "Tromsø, 01.03.2026"
    assert values["alis_sign"] == "Alma Alis 01.03.2026"
    assert values["veil_sign"].endswith(" 01.03.2026")
    assert values["kommune_sign"] == "Kari Kommune 01.03.2026"
    # and a moment just before midnight in Norway stays on that day
    early = dt.datetime(2026, 3, 1, 22, 59, tzinfo=UTC)
    Revision.objects.filter(pk=revision.pk).update(signed_at=early)
    revision.refresh_from_db()
    assert alis_form_values(revision, dt.date(2026, 3, 1))["sted"] == "Tromsø, 01.03.2026"


def test_first_made_is_the_first_revisions_completion(world, draft):
    first = sign_all(world, draft)
    second = services.revision_revise(actor=world.users["leader"], revision=first)
    revisions = list(first.plan.revisions.all())
    assert pages.first_made(revisions) == first.signed_at
    # the plan row's own date is not used: a plan made «later» (as the demo once did) changes
    # nothing
    EducationPlan.objects.filter(pk=first.plan_id).update(
        created_at=first.signed_at + dt.timedelta(days=60)
    )
    first.refresh_from_db()
    ctx = pdf_context(first)
    assert ctx["first_made"] == first.signed_at
    assert ctx["first_made"] <= first.updated_at
    assert pages.first_made(list(first.plan.revisions.all())) == first.signed_at
    assert pages.first_made(list(first.plan.revisions.all())) <= second.updated_at


def test_unsigned_first_revision_counts_from_its_creation(world, draft):
    assert pages.first_made([draft]) == draft.created_at
    assert pages.first_made([]) is None


def test_revision_page_shows_first_made_not_after_last_updated(client, world, draft):
    signed = sign_all(world, draft)
    client.force_login(world.users["trainee"])
    response = client.get(reverse("iup:revision", args=[signed.pk]))
    assert response.context["first_made"] <= response.context["revision"].updated_at


def test_next_panel_meeting_on_the_same_date_is_shown_once(client, world, draft):
    from lisplan.iup.models import Meeting

    panel = draft.meetings.get(kind=Meeting.Kind.ASSESSMENT_PANEL)
    Revision.objects.filter(pk=draft.pk).update(next_panel=panel.date)
    client.force_login(world.users["leader"])
    html = client.get(reverse("iup:revision", args=[draft.pk])).content.decode()
    row = html.split("Vurderingskollegium: neste planlagte")[1].split("</tr>")[0]
    assert row.count(f"{panel.date:%d.%m.%Y}") == 1 and "09:00" in row
