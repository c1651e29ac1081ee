"""The IUP pages: each renders for the personas who may use it and refuses others (403 without
the permission, 404 outside the scope); the editor keeps what was typed, names the field and
detects concurrent edits; the workflow runs through the pages; the work list, report and start
page are scoped per persona with constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lisplan.iup import services
from lisplan.iup.models import Revision, Status
from tests import factories as f


def url(name, *args):
    return reverse(f"iup:{name}", args=args)


def login(client, world, persona):
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("trainee", 200),
        ("supervisor", 200),
        ("leader", 200),
        ("education_lead", 200),
        ("local_coordinator", 200),
        ("regional_coordinator", 200),
        ("admin", 200),
        ("outsider", 404),
        ("planner", 403),
    ],
)
def test_revision_and_trainee_pages_by_persona(client, world, draft, persona, status):
    c = login(client, world, persona)
    assert c.get(url("revision", draft.pk)).status_code == status
    assert c.get(url("trainee", world.trainee.pk)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("trainee", 200),
        ("supervisor", 200),
        ("leader", 200),
        ("education_lead", 200),
        ("local_coordinator", 403),
        ("outsider", 403),
        ("planner", 403),
    ],
)
def test_edit_page_by_persona(client, world, draft, persona, status):
    assert login(client, world, persona).get(url("edit", draft.pk)).status_code == status


def test_revision_page_shows_form_tables_and_live_status(client, world, draft):
    html = login(client, world, "trainee").get(url("revision", draft.pk)).content.decode()
    for heading in (
        "TABELL 1",
        "TABELL 2",
        "TABELL 3",
        "TABELL 4",
        "TABELL 5",
        "TABELL 6",
        "TABELL 7",
    ):
        assert heading in html
    assert "Vera Veileder, Ortopedisk kirurgi" in html
    assert "Nordlandssykehuset, håndkirurgi" in html
    assert 'data-row="specialty_time"' in html
    assert "Signer planen" in html


def test_editor_saves_and_keeps_typing_on_error(client, world, draft):
    c = login(client, world, "trainee")
    page = c.get(url("edit", draft.pk))
    assert page.status_code == 200
    data = {
        "version": draft.version,
        "workplace": "Traume",
        "scheme": "new",
        "degree": "UiT 2018",
        "personal_goal": "Mitt mål",
        "valid_from": "2026-11-01",
        "valid_to": "2026-10-01",  # before: refused
        "programme_plan_url": "ikke en lenke",
        "sup-TOTAL_FORMS": "1",
        "sup-INITIAL_FORMS": "0",
        "sup-0-name": "Vera Veileder",
        "sup-0-specialty": "ORT",
        "mote-TOTAL_FORMS": "1",
        "mote-INITIAL_FORMS": "0",
        "mote-0-kind": "supervision",
        "mote-0-date": "2026-12-01",
        "periode-TOTAL_FORMS": "0",
        "periode-INITIAL_FORMS": "0",
    }
    response = c.post(url("edit", draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "«Gjelder til» kan ikke være før «gjelder fra»." in html
    assert "Lenke til utdanningsplan" in html and "nettadresse" in html
    assert "Mitt mål" in html  # nothing typed is lost
    data.update(valid_to="2027-04-30", programme_plan_url="https://unn.no/plan")
    response = c.post(url("edit", draft.pk), data)
    assert response.status_code == 302
    saved = Revision.objects.get(pk=draft.pk)
    assert saved.personal_goal == "Mitt mål" and saved.version == draft.version + 1
    assert [m.date for m in saved.meetings.all()] == [dt.date(2026, 12, 1)]
    # the same (now stale) version again: 409 and a clear message
    response = c.post(url("edit", draft.pk), data)
    assert response.status_code == 409
    assert "endret av noen andre" in response.content.decode()


def test_sign_revise_through_pages(client, world, draft):
    for persona in ("trainee", "supervisor", "leader"):
        r = Revision.objects.get(pk=draft.pk)
        response = login(client, world, persona).post(url("sign", draft.pk), {"version": r.version})
        assert response.status_code == 302
    assert Revision.objects.get(pk=draft.pk).status == Status.SIGNED
    response = login(client, world, "trainee").post(url("revise", draft.pk))
    new = Revision.objects.get(plan=draft.plan, number=2)
    assert response.url == url("revision", new.pk)
    services.revision_update(
        actor=world.users["trainee"], revision=new, version=new.version, priority_goals="Nye mål"
    )
    html = client.get(url("revision", new.pk)).content.decode()
    assert "Endringer fra revisjon 1" in html and "Nye mål" in html
    assert 'data-field="priority_goals"' in html


def test_sign_with_stale_version_is_refused(client, world, draft):
    response = login(client, world, "trainee").post(
        url("sign", draft.pk), {"version": draft.version - 1}, follow=True
    )
    assert "endret av noen andre" in response.content.decode()
    assert not Revision.objects.get(pk=draft.pk).signatures.exists()


def test_outsider_cannot_sign(client, world, draft):
    assert login(client, world, "outsider").post(url("sign", draft.pk)).status_code == 403
    assert login(client, world, "local_coordinator").post(url("sign", draft.pk)).status_code == 403


def test_create_from_trainee_page(client, world):
    c = login(client, world, "leader")
    response = c.post(url("create", world.trainee.pk))
    revision = Revision.objects.get(plan__trainee=world.trainee)
    assert response.url == url("edit", revision.pk)
    assert login(client, world, "outsider").post(url("create", world.trainee.pk)).status_code == 403
    assert (
        login(client, world, "local_coordinator").post(url("create", world.trainee.pk)).status_code
        == 403
    )


# --- templates ---------------------------------------------------------------------------


def test_education_lead_fills_template(client, world):
    c = login(client, world, "education_lead")
    page = c.get(url("templates"))
    assert page.status_code == 200 and "Ikke fylt ut" in page.content.decode()
    target = url("template_edit", world.unn.pk, world.specialty.pk)
    response = c.post(
        target, {"programme_plan_url": "https://unn.no/ort", "goals_own_unit": "ORT-001"}
    )
    assert response.status_code == 302
    revision = services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    assert revision.goals_own_unit == "ORT-001"
    # not the UAO's course: 404; no template permission: 403
    other = f.SpecialtyFactory(code="GER", name="Geriatri")
    assert c.get(url("template_edit", world.unn.pk, other.pk)).status_code == 404
    assert login(client, world, "leader").get(target).status_code == 403


# --- work list, report, start page ---------------------------------------------------------


def _employ(world, inst, arena=None, start=None, **kw):
    t = f.TraineeFactory(**kw)
    f.EmploymentFactory(
        trainee=t,
        institution=inst,
        arena=arena,
        specialty=world.specialty,
        start=start or dt.date(2024, 1, 1),
    )
    return t


def test_work_list_scoped_per_persona(client, world, signed):
    # world.trainee has a signed plan; everyone else in the world has none (missing)
    expected = {
        "leader": {"Kollega"},  # their arena (department): trainee + colleague
        "education_lead": {"Kollega", "Samme-HF"},
        "local_coordinator": {"Kollega", "Samme-HF"},
        "regional_coordinator": {"Kollega", "Samme-HF", "Samme-region"},
        "outsider": {"Annen-region"},
    }
    for persona, names in expected.items():
        response = login(client, world, persona).get(url("work_list"))
        assert response.status_code == 200, persona
        rows = response.context["page"].object_list
        assert {r.trainee.last_name for r in rows} == names, persona
        assert response.context["counts"]["missing"] == len(names)
    # the supervisor follows their supervisees (here the world trainee, whose plan is signed)
    response = login(client, world, "supervisor").get(url("work_list") + "?status=all")
    assert [r.trainee_id for r in response.context["page"].object_list] == [world.trainee.pk]
    assert response.context["counts"]["attention"] == 0
    assert login(client, world, "planner").get(url("work_list")).status_code == 403
    assert login(client, world, "trainee").get(url("work_list")).status_code == 403


def test_work_list_constant_queries(client, world):
    c = login(client, world, "regional_coordinator")
    c.get(url("work_list"))
    with CaptureQueriesContext(connection) as few:
        c.get(url("work_list"))
    for i in range(15):
        t = _employ(world, world.unn, last_name=f"Ekstra{i}")
        if i % 2:
            revision = services.plan_create(actor=world.users["admin"], trainee=t)
            f.SupervisionFactory(trainee=t, supervisor=world.users["supervisor"])
            f.LeaveFactory(trainee=t)
            assert revision
    c.get(url("work_list"))  # the first read recomputes the deadlines the writes marked stale
    with CaptureQueriesContext(connection) as many:
        response = c.get(url("work_list") + "?status=all")
    assert response.status_code == 200
    assert len(many) <= len(few) + 1


def test_work_list_filters_and_paginates(client, world, settings):
    settings.PAGE_SIZE = 2
    for i in range(5):
        _employ(world, world.unn, last_name=f"Side{i}")
    c = login(client, world, "local_coordinator")
    response = c.get(url("work_list") + "?status=missing&q=Side")
    assert response.context["page"].paginator.count == 5
    assert response.context["page"].paginator.num_pages == 3
    assert (
        c.get(url("work_list") + "?status=missing&q=Side&page=3").context["page"].paginator.count
        == 5
    )


def test_overdue_after_panel_and_due_soon_on_long_leave(world, signed):
    from lisplan.iup import queries
    from lisplan.progress.models import ActivityRecord
    from lisplan.trainees.models import Trainee

    today = timezone.localdate()
    d = queries.deadline_for(world.trainee, today)
    assert d.state == "ok" and d.deadline.reason in ("half_year", "assessment_panel")
    f.LeaveFactory(
        trainee=world.trainee,
        start=today + dt.timedelta(days=10),
        end=today + dt.timedelta(days=200),
    )
    d = queries.deadline_for(world.trainee, today)
    assert (d.state, d.deadline.reason) == ("due_soon", "long_leave")
    ActivityRecord.objects.create(
        trainee=world.trainee,
        kind="assessment_panel",
        date=today - dt.timedelta(days=1),
        participants="UAO",
    )
    # the panel was held after the signature (signed "today"): only when signed earlier
    Revision.objects.filter(pk=signed.pk).update(signed_at=timezone.now() - dt.timedelta(days=20))
    d = queries.deadlines(Trainee.objects.filter(pk=world.trainee.pk), today)[world.trainee.pk]
    assert (d.state, d.deadline.reason) == ("overdue", "assessment_panel")


def test_report_lists_incomplete_with_counts(client, world, draft):
    c = login(client, world, "local_coordinator")
    response = c.get(url("report"))
    assert response.status_code == 200
    rows = {r.trainee.last_name: r for r in response.context["page"].object_list}
    # the world trainee's draft is complete but not signed
    assert any("ikke ferdig signert" in p for p in rows["Trainee"].problems)
    assert any("ingen individuell utdanningsplan" in p for p in rows["Kollega"].problems)
    assert "Annen-region" not in rows
    counts = response.context["counts"]
    assert counts["no_plan"] == 2 and counts["unsigned"] == 1
    assert response.context["on"] in (
        dt.date(timezone.localdate().year + k, m, 1) for k in (0, 1) for m in (3, 9)
    )
    bad = c.get(url("report") + "?dato=2027-02-01")
    assert bad.status_code == 400 and "1. mars eller 1. september" in bad.content.decode()
    assert c.get(url("report") + "?dato=2027-09-01").context["on"] == dt.date(2027, 9, 1)
    assert login(client, world, "trainee").get(url("report")).status_code == 403


def test_report_names_missing_fields(client, world):
    services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    response = login(client, world, "leader").get(url("report"))
    rows = {r.trainee.last_name: r for r in response.context["page"].object_list}
    assert any("Personlig mål for faglig utvikling" in p for p in rows["Trainee"].problems)


def test_start_page_tasks(client, world, draft):
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    html = login(client, world, "supervisor").get(reverse("home")).content.decode()
    assert "Utdanningsplaner til signering" in html
    html = login(client, world, "trainee").get(reverse("home")).content.decode()
    assert "Utdanningsplan (IUP):" in html  # the trainee's overview on the start page
    html = login(client, world, "local_coordinator").get(reverse("home")).content.decode()
    assert "Utdanningsplaner som mangler eller er forfalt" in html
    response = login(client, world, "supervisor").get(url("to_sign"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("plans:to_sign"))
    assert [r.pk for r in response.context["iup_page"].object_list] == [draft.pk]


def test_alis_pages(client, world, alis):
    revision = alis.revision()
    client.force_login(alis.user)
    html = client.get(url("revision", revision.pk)).content.decode()
    assert "1. Informasjon om kommune" in html and "4. Status tjenestetid" in html
    assert "Tromsø kommune" in html and "Vera Veileder" in html
    assert client.get(url("edit", revision.pk)).status_code == 200


def _form_data(response) -> dict:
    """The edit form as the browser would post it unchanged (inputs, selects, textareas)."""
    import re

    html = response.content.decode()
    form = html[html.index('<form method="post" class="lp-form"') :]
    data = {}
    for m in re.finditer(r"<input[^>]*>", form):
        tag = m.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if "checked" in tag:
                data[name.group(1)] = re.search(r'value="([^"]*)"', tag).group(1)
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for m in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        first = re.search(r'<option value="([^"]*)"', m.group(2))
        data[m.group(1)] = (chosen or first).group(1)
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m.group(1)] = __import__("html").unescape(m.group(2)).lstrip("\n")
    return data


def test_unchanged_rows_survive_a_save(client, world, draft):
    c = login(client, world, "trainee")
    data = _form_data(c.get(url("edit", draft.pk)))
    data["personal_goal"] = "Endret mål"
    response = c.post(url("edit", draft.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Revision.objects.get(pk=draft.pk)
    assert saved.personal_goal == "Endret mål"
    assert saved.supervisors.count() == draft.supervisors.count() == 2
    assert saved.meetings.count() == 3 and saved.periods.count() == 1
    assert saved.next_panel == draft.next_panel and saved.degree == draft.degree


def test_alis_edit_saves_unchanged_form(client, world, alis):
    revision = alis.revision()
    client.force_login(alis.user)
    data = _form_data(client.get(url("edit", revision.pk)))
    assert data["municipality_registered"] == "true"
    data["plan_in_depth"] = "Palliasjon"
    response = client.post(url("edit", revision.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Revision.objects.get(pk=revision.pk)
    assert saved.plan_in_depth == "Palliasjon" and saved.municipality_registered is True
    assert saved.meetings.count() == 1 and saved.minutes_by == "trainee"


def test_revision_page_lists_its_events_in_words(client, world, signed):
    html = (
        login(client, world, "local_coordinator").get(url("revision", signed.pk)).content.decode()
    )
    assert "Hendelser i revisjon 1" in html
    for text in (
        "Planen er opprettet",
        "Sendt til signering",
        "Signert av alle",
        str(world.users["supervisor"].get_full_name() or world.users["supervisor"]),
    ):
        assert text in html, text
    assert "iup.signed" not in html
