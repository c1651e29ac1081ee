"""The plan pages: each renders for those who may use it and refuses others; the editor keeps
what was typed and names the field; the workflow runs through the pages; lists stay constant
in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lisplan.notifications.models import Notification
from lisplan.notifications.services import notify
from lisplan.plans import services
from lisplan.plans.models import Revision, Status
from tests import factories as f


def url(name, *args):
    return reverse(f"plans:{name}", args=args)


def login(client, world, persona):
    client.force_login(world.users[persona])
    return client


def row(key, specialty="", institution="", start="", end="", contact="", place=""):
    return {
        f"periods-{key}-specialty": specialty,
        f"periods-{key}-institution": institution,
        f"periods-{key}-start": start,
        f"periods-{key}-end": end,
        f"periods-{key}-contact_person": contact,
        f"periods-{key}-service_place": place,
        f"periods-{key}-arena": "",
    }


def plan_post(revision, world, *rows, **fields):
    data = {
        "version": revision.version,
        "employer": world.unn.pk,
        "specialty": world.specialty.pk,
        "employee_number": "4711",
        "estimated_start": "2024-01-01",
        "estimated_end": "2029-06-30",
        "plan_date": "2025-11-01",
        "remarks": "",
    }
    data.update(fields)
    for r in rows:
        data.update(r)
    return data


# --- access: every view, allowed and refused ---------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("trainee", 200),
        ("local_coordinator", 200),
        ("supervisor", 200),
        ("outsider", 404),
        ("planner", 403),
    ],
)
def test_trainee_page_by_persona(client, world, draft, persona, status):
    response = login(client, world, persona).get(url("trainee", world.trainee.pk))
    assert response.status_code == status


def test_trainee_page_offers_create_when_the_employment_has_no_plan(client, world):
    html = login(client, world, "leader").get(url("trainee", world.trainee.pk)).content.decode()
    assert "Opprett gjennomføringsplan" in html
    client.force_login(world.users["supervisor"])  # sees, may not edit
    assert (
        "Opprett gjennomføringsplan"
        not in client.get(url("trainee", world.trainee.pk)).content.decode()
    )


def test_anonymous_is_sent_to_login(client, world, draft):
    for target in [
        url("trainee", world.trainee.pk),
        url("revision", draft.pk),
        url("to_sign"),
        url("work_list"),
        url("pdf", draft.pk),
    ]:
        response = client.get(target)
        assert response.status_code == 302 and "/logg-inn/" in response["Location"]


def test_create_plan(client, world):
    response = login(client, world, "leader").post(url("create", world.trainee.pk))
    revision = Revision.objects.get(plan__trainee=world.trainee)
    assert response.status_code == 302 and response["Location"] == url("edit", revision.pk)
    assert revision.employer == world.unn and revision.status == Status.DRAFT


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("outsider", 404)])
def test_create_refused(client, world, persona, status):
    response = login(client, world, persona).post(url("create", world.trainee.pk))
    assert response.status_code == status
    assert not Revision.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("trainee", 200),
        ("supervisor", 200),
        ("local_coordinator", 200),
        ("outsider", 404),
        ("planner", 403),
    ],
)
def test_revision_page_by_persona(client, world, draft, persona, status):
    assert login(client, world, persona).get(url("revision", draft.pk)).status_code == status


def test_revision_page_shows_the_form_and_the_users_actions(client, world, draft):
    html = login(client, world, "leader").get(url("revision", draft.pk)).content.decode()
    for text in [
        "Arbeidstakers navn:",
        "Tora Trainee",
        "Arbeidsgiver/Foretak:",
        world.unn.name,
        "Utdanning til spesialist i:",
        "Ortopedisk kirurgi",
        "Oversikt på spesialiseringsperioder",
        "01.01.2026",
        "30.06.2026",
        "Leder med personalansvar",
        "Arbeidstaker",
        "Rediger utkastet",
        "Send til signering",
        "Dette er første revisjon av planen.",
    ]:
        assert text in html, text
    assert "Godkjenn planen" not in html
    html = login(client, world, "supervisor").get(url("revision", draft.pk)).content.decode()
    assert "Rediger utkastet" not in html and "Send til signering" not in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("trainee", 200),
        ("supervisor", 403),
        ("outsider", 404),
        ("planner", 403),
    ],
)
def test_edit_page_by_persona(client, world, draft, persona, status):
    assert login(client, world, persona).get(url("edit", draft.pk)).status_code == status


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("check", "post"),
        ("period_row", "get"),
        ("submit", "post"),
        ("sign", "post"),
        ("approve", "post"),
        ("return", "post"),
        ("revise", "post"),
        ("pdf", "get"),
    ],
)
def test_revision_endpoints_refuse_outsiders_and_users_without_permission(
    client, world, draft, name, method
):
    login(client, world, "outsider")
    # the outsider is a coordinator at another trust: holds the permissions, not the scope
    expected = 403 if name in {"sign", "submit"} else 404  # signers submit (plan.sign)
    assert getattr(client, method)(url(name, draft.pk)).status_code == expected
    login(client, world, "planner")
    assert getattr(client, method)(url(name, draft.pk)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- the editor ---------------------------------------------------------------------------


def test_edit_page_shows_the_periods_and_the_version(client, world, draft):
    html = login(client, world, "leader").get(url("edit", draft.pk)).content.decode()
    assert f'name="version" value="{draft.version}"' in html
    assert 'name="periods-r0-start" value="2026-01-01"' in html
    assert "Legg til periode" in html and 'hx-post="' + url("check", draft.pk) in html


def test_save_replaces_the_periods(client, world, draft):
    data = plan_post(
        draft,
        world,
        row("a", world.specialty.pk, world.unn.pk, "2026-01-01", "2026-12-31"),
        row(
            "b",
            world.specialty.pk,
            world.nlsh.pk,
            "2027-01-01",
            "2027-06-30",
            contact="Kari Kontakt",
            place="Ortopedisk avdeling",
        ),
        row("blank"),
    )
    response = login(client, world, "leader").post(url("edit", draft.pk), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.employee_number == "4711" and draft.version == 2
    periods = list(draft.periods.order_by("position"))
    assert [(p.institution, p.contact_person) for p in periods] == [
        (world.unn, ""),
        (world.nlsh, "Kari Kontakt"),
    ]


def test_overlap_is_shown_by_its_row_and_the_input_is_kept(client, world, draft):
    data = plan_post(
        draft,
        world,
        row("a", world.specialty.pk, world.unn.pk, "2026-01-01", "2026-12-31"),
        row(
            "b",
            world.specialty.pk,
            world.nlsh.pk,
            "2026-06-01",
            "2027-06-30",
            contact="Skrevet inn",
        ),
        credit_old_scheme_months="80",
    )
    response = login(client, world, "leader").post(url("edit", draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Planen er ikke lagret" in html
    assert "Perioden overlapper periode 1 (01.01.2026–31.12.2026)" in html
    assert 'id="id_periods-b-start_error">Perioden overlapper' in html  # by its row and field
    assert "Periode 2, Tjenestetid fra: Perioden overlapper" in html  # in the summary
    assert "høyst 78 måneder" in html
    assert 'value="Skrevet inn"' in html and 'value="2026-06-01"' in html
    assert 'value="80"' in html
    draft.refresh_from_db()
    assert draft.version == 1 and draft.periods.count() == 1


def test_unparseable_input_is_a_message_not_a_500(client, world, draft):
    data = plan_post(
        draft,
        world,
        row("a", "999999", "abc", "31.02.2026", "nonsense"),
        version="x",
        estimated_start="2024-13-45",
    )
    response = login(client, world, "leader").post(url("edit", draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Skriv datoen som dd.mm.åååå." in html
    assert 'value="nonsense"' in html


def test_stale_version_keeps_the_input(client, world, draft):
    services.revision_update(
        actor=world.users["trainee"],
        revision=draft,
        version=draft.version,
        remarks="Lagret av legen",
    )
    data = plan_post(
        draft,
        world,
        row("a", world.specialty.pk, world.unn.pk, "2026-01-01", "2026-12-31"),
        remarks="Mitt forslag",
    )
    response = login(client, world, "leader").post(url("edit", draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Planen er endret av noen andre siden du åpnet den." in html
    assert "Mitt forslag" in html
    draft.refresh_from_db()
    assert draft.remarks == "Lagret av legen"


def test_live_check_names_the_row(client, world, draft):
    data = plan_post(
        draft,
        world,
        row("a", world.specialty.pk, world.unn.pk, "2026-01-01", "2026-12-31"),
        row("b", world.specialty.pk, world.nlsh.pk, "2026-06-01", "2026-03-01"),
    )
    response = login(client, world, "leader").post(url("check", draft.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_periods-b-end_error" hx-swap-oob="true">«Tjenestetid til» kan ikke' in html
    assert 'id="id_periods-a-end_error" hx-swap-oob="true"></div>' in html
    assert "1 feil må rettes" in html
    draft.refresh_from_db()
    assert draft.version == 1  # nothing saved


def test_new_row(client, world, draft):
    response = login(client, world, "leader").get(url("period_row", draft.pk), {"n": "3"})
    html = response.content.decode()
    assert html.startswith('<tbody class="lp-period"') and "periode 3" in html


def test_edit_of_a_submitted_plan_goes_back_to_the_plan(client, world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    response = login(client, world, "leader").get(url("edit", draft.pk))
    assert response.status_code == 302 and response["Location"] == url("revision", draft.pk)


# --- the workflow through the pages ------------------------------------------------------


def test_workflow_through_the_pages(client, world, draft):
    login(client, world, "leader").post(url("submit", draft.pk))
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_SIGNATURES
    html = client.get(url("revision", draft.pk)).content.decode()
    assert "Signer planen" in html and "Rediger utkastet" not in html
    client.post(url("sign", draft.pk))
    assert "Signer planen" not in client.get(url("revision", draft.pk)).content.decode()
    login(client, world, "trainee").post(url("sign", draft.pk))
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_APPROVAL
    assert login(client, world, "trainee").post(url("approve", draft.pk)).status_code == 403
    login(client, world, "local_coordinator")
    html = client.get(url("revision", draft.pk)).content.decode()
    assert "Godkjenn planen" in html and "Returner planen med kommentar" in html
    # NLSH has no agreement with UNN here: the coordinator must confirm the period.
    assert "Jeg bekrefter periodene uten fagavtale" in html
    client.post(url("approve", draft.pk))
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_APPROVAL
    client.post(url("approve", draft.pk), {"confirm_no_agreement": "1"})
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED and draft.no_agreement_confirmed
    html = client.get(url("revision", draft.pk)).content.decode()
    leader = world.users["leader"]
    assert leader.get_full_name() in html and "Tora Trainee" in html  # signature names
    assert "Godkjenningen gjelder til" in html

    response = login(client, world, "leader").post(url("revise", draft.pk))
    new = Revision.objects.get(plan=draft.plan, number=2)
    assert response["Location"] == url("edit", new.pk)
    data = plan_post(
        new,
        world,
        row("a", world.specialty.pk, world.nlsh.pk, "2026-01-01", "2026-08-31"),
        row("b", world.specialty.pk, world.unn.pk, "2026-09-01", "2027-08-31"),
        employee_number="999",
    )
    assert client.post(url("edit", new.pk), data).status_code == 302
    html = client.get(url("revision", new.pk)).content.decode()
    assert "Endringer fra revisjon 1" in html
    assert "<del>–</del>" in html and "<ins>999</ins>" in html  # employee number
    assert "<del>30.06.2026</del> <ins>31.08.2026</ins>" in html  # the period moved
    assert ">Ny</span>" in html
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED  # stays valid until the revision is approved


def test_sign_refused_for_those_who_do_not_sign(client, world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    assert login(client, world, "supervisor").post(url("sign", draft.pk)).status_code == 403
    assert not draft.signatures.exists()


def test_return_needs_a_comment_and_keeps_it(client, world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    login(client, world, "local_coordinator")
    response = client.post(url("return", draft.pk), {"comment": "  "})
    assert response.status_code == 400
    assert "Skriv hvorfor planen returneres." in response.content.decode()
    response = client.post(url("return", draft.pk), {"comment": "Mangler kontaktperson"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    html = login(client, world, "leader").get(url("revision", draft.pk)).content.decode()
    assert "Returnert med kommentar" in html and "Mangler kontaktperson" in html
    assert (
        login(client, world, "leader").post(url("return", draft.pk), {"comment": "x"}).status_code
        == 403
    )


def test_submit_with_problems_says_what_and_where(client, world, draft):
    from lisplan.trainees.models import Employment

    Employment.objects.filter(trainee=world.trainee).update(start=dt.date(2026, 3, 1))
    response = login(client, world, "leader").post(url("submit", draft.pk), follow=True)
    html = response.content.decode()
    assert "Periode 1, Tjenestetid fra: Perioden ligger utenfor ansettelsesforholdet" in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_expiring_and_expired_are_shown(client, world, approved):
    today = timezone.localdate()
    Revision.objects.filter(pk=approved.pk).update(valid_until=today + dt.timedelta(days=30))
    html = login(client, world, "trainee").get(url("revision", approved.pk)).content.decode()
    assert "Utløper om 30 dager" in html
    Revision.objects.filter(pk=approved.pk).update(valid_until=today - dt.timedelta(days=1))
    html = client.get(url("revision", approved.pk)).content.decode()
    assert "Utløpt: godkjenningen gjaldt til" in html


# --- lists --------------------------------------------------------------------------------


def _more_plans(world, n):
    """n more trainees in the leader's section, each with a submitted plan."""
    for i in range(n):
        t = f.TraineeFactory(last_name=f"Ekstra{i}")
        f.EmploymentFactory(
            trainee=t, institution=world.unn, arena=world.section, specialty=world.specialty
        )
        rev = services.plan_create(actor=world.users["leader"], trainee=t)
        services.revision_submit(actor=world.users["leader"], revision=rev)


def test_to_sign_lists_what_waits_for_me(client, world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    html = login(client, world, "leader").get(url("to_sign")).content.decode()
    assert "Tora Trainee" in html and "1 plan venter på signatur" in html
    services.revision_sign(actor=world.users["leader"], revision=draft)
    html = client.get(url("to_sign")).content.decode()
    assert "Ingen planer venter på din signatur." in html
    html = login(client, world, "trainee").get(url("to_sign")).content.decode()
    assert "Tora Trainee" in html
    assert login(client, world, "planner").get(url("to_sign")).status_code == 403
    assert login(client, world, "local_coordinator").get(url("to_sign")).status_code == 403


def test_to_sign_has_constant_queries(client, world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    login(client, world, "leader")
    client.get(url("to_sign"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("to_sign"))
    _more_plans(world, 4)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url("to_sign"))
    assert response.context["page"].paginator.count == 5
    assert len(five) == len(one)


def test_work_list_counts_tabs_and_refuses_others(client, world, approved):
    today = timezone.localdate()
    Revision.objects.filter(pk=approved.pk).update(valid_until=today + dt.timedelta(days=10))
    _more_plans(world, 1)
    login(client, world, "local_coordinator")
    response = client.get(url("work_list"))
    counts = response.context["counts"]
    # awaiting: none signed yet; expiring: Tora; missing: Kollega, Samme-HF, Ekstra0
    assert counts == {"awaiting": 0, "expiring": 1, "expired": 0, "missing": 3}
    html = client.get(url("work_list"), {"fane": "expiring"}).content.decode()
    assert "Tora Trainee" in html and "om 10 dager" in html
    html = client.get(url("work_list"), {"fane": "missing", "q": "kolle"}).content.decode()
    assert "Kollega" in html and "Samme-HF" not in html
    Revision.objects.filter(pk=approved.pk).update(valid_until=today - dt.timedelta(days=1))
    counts = client.get(url("work_list")).context["counts"]
    assert counts["expired"] == 1 and counts["expiring"] == 0 and counts["missing"] == 4
    for persona in ["leader", "trainee", "planner"]:
        assert login(client, world, persona).get(url("work_list")).status_code == 403
    assert login(client, world, "outsider").get(url("work_list")).context["counts"] == {
        "awaiting": 0,
        "expiring": 0,
        "expired": 0,
        "missing": 1,
    }


def test_temporary_employment_under_six_months_needs_no_plan(client, world):
    long = f.TraineeFactory(last_name="Langvikar")
    f.EmploymentFactory(
        trainee=long,
        institution=world.unn,
        permanent=False,
        start=dt.date(2026, 1, 1),
        end=dt.date(2099, 3, 31),
    )
    f.EmploymentFactory(
        trainee=f.TraineeFactory(last_name="Kort"),
        institution=world.unn,
        permanent=False,
        start=dt.date(2099, 1, 1),
        end=dt.date(2099, 5, 31),
    )
    login(client, world, "local_coordinator")
    html = client.get(url("work_list"), {"fane": "missing"}).content.decode()
    assert "Langvikar" in html and "Kort," not in html


def test_bulk_reminder_notifies_trainee_and_leader(client, world):
    login(client, world, "local_coordinator")
    response = client.post(
        url("remind"),
        {
            "fane": "missing",
            "lege": [world.trainee.pk, world.same_institution.pk, world.other_region.pk],
        },
    )
    assert response.status_code == 302
    notes = Notification.objects.filter(kind="plan.reminder")
    assert {n.user for n in notes} == {world.users["trainee"], world.users["leader"]}
    assert all(n.title.startswith("Gjennomføringsplan mangler") for n in notes)
    # the trainee at Helse Bergen is out of scope: nothing sent about them
    assert not notes.filter(title__contains=world.other_region.last_name).exists()
    assert (
        login(client, world, "leader").post(url("remind"), {"lege": [world.trainee.pk]}).status_code
        == 403
    )


def test_work_list_has_constant_queries(client, world):
    login(client, world, "local_coordinator")
    client.get(url("work_list"), {"fane": "missing"})
    with CaptureQueriesContext(connection) as few:
        client.get(url("work_list"), {"fane": "missing"})
    for i in range(5):
        f.EmploymentFactory(trainee=f.TraineeFactory(last_name=f"Ny{i}"), institution=world.unn)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url("work_list"), {"fane": "missing"})
    assert response.context["counts"]["missing"] == 8
    assert len(more) == len(few)


def test_tasks_for_start_page(world, draft):
    from lisplan.plans.startpage import tasks_for

    notes = world.users["trainee"]
    notify(users=[notes], kind="x", title="Ulest")
    services.revision_submit(actor=world.users["leader"], revision=draft)
    leader = {t["title"]: t for t in tasks_for(world.users["leader"])}
    assert leader["Gjennomføringsplaner til signering"]["count"] == 1
    coordinator = {t["title"]: t["count"] for t in tasks_for(world.users["local_coordinator"])}
    assert coordinator["Til godkjenning"] == 0 and coordinator["Mangler plan"] == 3
    trainee = {t["title"]: t for t in tasks_for(notes)}
    assert trainee["Uleste varsler"]["count"] == 1
    assert trainee["Uleste varsler"]["url"] == "/varsler/"
    assert trainee["Min gjennomføringsplan"]["url"] == f"/planer/lege/{world.trainee.pk}/"


def test_missing_tab_applies_the_six_month_rule_exactly(client, world):
    """Exactly 6 calendar months needs a plan, one day less does not — also where 6 months are
    more than 180 days (the database filter is only an approximation)."""
    cases = {
        "Seksmnd": (dt.date(2099, 3, 1), dt.date(2099, 8, 31)),  # 183 days: required
        "Endagkortere": (dt.date(2099, 3, 1), dt.date(2099, 8, 30)),  # 182 days: not
        "Julidesember": (dt.date(2099, 7, 1), dt.date(2099, 12, 31)),  # 183 days: required
        "Julikort": (dt.date(2099, 7, 1), dt.date(2099, 12, 30)),  # 182 days: not
        "Augustfeb": (dt.date(2099, 8, 31), dt.date(2100, 2, 27)),  # 180 days: required
        "Augustkort": (dt.date(2099, 8, 31), dt.date(2100, 2, 26)),  # 179 days: not
    }
    for name, (start, end) in cases.items():
        f.EmploymentFactory(
            trainee=f.TraineeFactory(last_name=name),
            institution=world.unn,
            permanent=False,
            start=start,
            end=end,
        )
    login(client, world, "local_coordinator")
    response = client.get(url("work_list"), {"fane": "missing"})
    names = {e.trainee.last_name for e in response.context["page"].object_list}
    assert {"Seksmnd", "Julidesember", "Augustfeb"} <= names
    assert not names & {"Endagkortere", "Julikort", "Augustkort"}
    assert response.context["counts"]["missing"] == len(names)


def test_withdraw_through_the_page(client, world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    html = login(client, world, "trainee").get(url("revision", draft.pk)).content.decode()
    assert "Trekk tilbake til utkast" in html and url("withdraw", draft.pk) in html
    for persona, status in [("supervisor", 403), ("local_coordinator", 403), ("outsider", 403)]:
        response = login(client, world, persona).post(url("withdraw", draft.pk))
        assert response.status_code == status, persona
        if persona == "local_coordinator":
            assert "Trekk tilbake" not in client.get(url("revision", draft.pk)).content.decode()
    assert Revision.objects.get(pk=draft.pk).status == Status.AWAITING_SIGNATURES
    response = login(client, world, "trainee").post(url("withdraw", draft.pk), follow=True)
    assert "Planen er trukket tilbake til utkast" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.signatures.exists()
    response = client.post(url("withdraw", draft.pk), follow=True)  # not twice
    assert "ikke mulig" in response.content.decode()


# --- the receiving learning arena of a period ---------------------------------------------


def test_period_arena_is_chosen_among_the_institutions_arenas(client, world, draft):
    data = plan_post(
        draft,
        world,
        {
            **row(
                "a", world.specialty.pk, world.unn.pk, "2026-01-01", "2026-12-31", place="Tromsø"
            ),
            "periods-a-arena": world.section.pk,
        },
    )
    login(client, world, "leader")
    assert client.post(url("edit", draft.pk), data).status_code == 302
    [period] = draft.periods.all()
    assert (period.arena, period.service_place) == (world.section, "Tromsø")

    html = client.get(url("edit", draft.pk)).content.decode()
    assert f'<option value="{world.section.pk}" selected>' in html
    # grouped by clinic: the department and its sections, by name
    assert '<optgroup label="Kirurgi-, kreft- og kvinnehelseklinikken">' in html
    assert "Seksjon for traume (Ortopedisk avdeling)" in html
    # choosing an institution fetches its arenas into the row's arena select
    assert f'hx-get="{url("arena_options", draft.pk)}"' in html
    assert 'hx-target="#id_periods-r0-arena"' in html


def test_period_arena_of_another_institution_is_refused_by_its_field(client, world, draft):
    data = plan_post(
        draft,
        world,
        {
            **row("a", world.specialty.pk, world.nlsh.pk, "2026-01-01", "2026-12-31"),
            "periods-a-arena": world.department.pk,
        },
    )
    response = login(client, world, "leader").post(url("edit", draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Klinikken/avdelingen hører ikke til foretaket i perioden" in html
    assert 'href="#id_periods-a-arena"' in html  # in the error summary, linked to the field
    assert draft.periods.get().institution == world.nlsh  # nothing saved


def test_arena_options_for_the_chosen_institution(client, world, draft):
    login(client, world, "leader")
    endpoint = url("arena_options", draft.pk)
    html = client.get(endpoint, {"periods-x1-institution": world.unn.pk}).content.decode()
    assert html.startswith("<select") and 'id="id_periods-x1-arena"' in html
    assert 'name="periods-x1-arena"' in html and "aria-describedby" in html
    assert "Seksjon for protese" in html and "Gastrokirurgisk avdeling" in html
    html = client.get(endpoint, {"periods-x1-institution": world.nlsh.pk}).content.decode()
    assert "Ingen registrerte avdelinger" in html and "Seksjon" not in html
    html = client.get(endpoint, {"periods-x1-institution": ""}).content.decode()
    assert "Velg foretak først" in html
    assert client.get(endpoint).status_code == 400
    assert (
        login(client, world, "outsider")
        .get(endpoint, {"periods-x1-institution": world.unn.pk})
        .status_code
        == 404
    )
    assert (
        login(client, world, "supervisor")
        .get(endpoint, {"periods-x1-institution": world.unn.pk})
        .status_code
        == 403
    )


@pytest.fixture
def agreements(world):
    """UNN → NLSH in orthopaedics (valid, and an expired one), and agreements that must not be
    offered: another sender, another specialty."""
    from lisplan.rotations.services import agreement_create

    admin = world.users["admin"]
    other = f.SpecialtyFactory(code="XYZ", name="Annen spesialitet")

    def make(**kw):
        data = {
            "sending": world.unn,
            "receiving": world.nlsh,
            "specialty": world.specialty,
            "duration_months": 6,
            "capacity": 1,
            "valid_from": dt.date(2024, 1, 1),
            **kw,
        }
        return agreement_create(actor=admin, **data)

    return type(
        "Agreements",
        (),
        {
            "valid": make(reference="NLSH-ORT-1", valid_to=dt.date(2099, 12, 31)),
            "expired": make(
                reference="GAMMEL", valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2021, 12, 31)
            ),
            "other_sender": make(sending=world.bergen, reference="BERGEN"),
            "other_specialty": make(specialty=other, reference="ANNEN"),
        },
    )


def test_editor_offers_the_employers_agreements_for_the_row(client, world, draft, agreements):
    from lisplan.plans.models import Period

    Period.objects.filter(revision=draft).update(agreement=agreements.valid)
    html = login(client, world, "leader").get(url("edit", draft.pk)).content.decode()
    select = html[html.index('<select name="periods-r0-agreement"') :]
    select = select[: select.index("</select>")]
    assert f'<option value="{agreements.valid.pk}" selected>' in select
    assert "NLSH-ORT-1" in select and "6 mnd." in select and "31.12.2099" in select
    for refused in ("GAMMEL", "BERGEN", "ANNEN"):
        assert refused not in select
    # the institution and the specialty both refresh the row's selects
    assert html.count(f'hx-get="{url("arena_options", draft.pk)}"') == 2
    data = plan_post(
        draft, world, row("a", world.specialty.pk, world.nlsh.pk, "2026-01-01", "2026-06-30")
    )
    data["periods-a-agreement"] = str(agreements.valid.pk)
    assert client.post(url("edit", draft.pk), data).status_code == 302
    assert draft.periods.get().agreement == agreements.valid
    data["periods-a-agreement"] = ""
    data["version"] = draft.version + 1
    assert client.post(url("edit", draft.pk), data).status_code == 302
    assert draft.periods.get().agreement is None  # unlinking is a choice too


def test_row_options_refresh_the_agreement_select(client, world, draft, agreements):
    login(client, world, "leader")
    endpoint = url("arena_options", draft.pk)
    query = {
        "periods-x1-institution": world.nlsh.pk,
        "periods-x1-specialty": world.specialty.pk,
        "periods-x1-agreement": "",
        "employer": world.unn.pk,
    }
    response = client.get(endpoint, query)
    html = response.content.decode()
    assert response["HX-Trigger-After-Swap"] == "lp-rows-changed"  # the live check runs again
    assert html.startswith('<select name="periods-x1-arena"')
    agreement = html[html.index('<select name="periods-x1-agreement"') :]
    assert 'hx-swap-oob="true"' in agreement and 'id="id_periods-x1-agreement"' in agreement
    assert "NLSH-ORT-1" in agreement and "Ingen fagavtale valgt" in agreement
    assert not [ref for ref in ("GAMMEL", "BERGEN", "ANNEN") if ref in agreement]
    # a changed institution drops the old choice that no longer fits
    query.update(
        {"periods-x1-institution": world.bergen.pk, "periods-x1-agreement": agreements.valid.pk}
    )
    html = client.get(endpoint, query).content.decode()
    assert "Ingen gyldig fagavtale" in html and "NLSH-ORT-1" not in html
    assert '<option value="" selected>' in html.split('name="periods-x1-agreement"')[1]
    # the employer's own institution has no agreement; nothing chosen yet says what to do
    query.update({"periods-x1-institution": world.unn.pk, "periods-x1-agreement": ""})
    assert "Ikke aktuelt ved eget foretak" in client.get(endpoint, query).content.decode()
    query.update({"periods-x1-specialty": ""})
    assert "Velg foretak og spesialitet først" in client.get(endpoint, query).content.decode()


def test_a_mismatched_agreement_is_named_by_its_field(client, world, draft, agreements):
    data = plan_post(
        draft, world, row("a", world.specialty.pk, world.nlsh.pk, "2026-01-01", "2026-06-30")
    )
    data["periods-a-agreement"] = str(agreements.other_sender.pk)
    login(client, world, "leader")
    html = client.post(url("check", draft.pk), data).content.decode()  # the live check
    assert (
        'id="id_periods-a-agreement_error" hx-swap-oob="true">Fagavtalen gjelder '
        "Helse Bergen HF → Nordlandssykehuset HF"
    ) in html
    assert "1 feil må rettes" in html
    response = client.post(url("edit", draft.pk), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_periods-a-agreement"' in html and "ikke denne perioden" in html
    # the refused choice stays selected (nothing the user chose is lost), marked as not fitting
    assert f'<option value="{agreements.other_sender.pk}" selected>' in html
    assert "passer ikke til perioden" in html
    assert draft.periods.get().agreement is None  # nothing saved


def test_revision_page_lists_its_events(client, world, draft):
    """What happened to the revision, oldest first, in words: who, when, what (the audit
    events `services` wrote); the trainee sees them like the API's history."""
    html = login(client, world, "trainee").get(url("revision", draft.pk)).content.decode()
    section = html[html.index('id="events-heading"') :]
    assert "Planen er opprettet" in section and world.users["leader"].get_full_name() in section
    services.revision_submit(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    services.revision_approve(
        actor=world.users["local_coordinator"], revision=draft, confirm_no_agreement=True
    )
    html = client.get(url("revision", draft.pk)).content.decode()
    section = html[html.index('id="events-heading"') :]
    order = [
        "Planen er opprettet",
        "Sendt til signering",
        "Signert",
        "Signert",
        "Sendt til godkjenning hos lokal koordinator",
        "Godkjent",
    ]
    positions = [
        section.index(label, section.index(order[i - 1]) + 1 if i else 0)
        for i, label in enumerate(order)
    ]
    assert positions == sorted(positions)
    assert "(Arbeidstaker)" in section and "(Leder med personalansvar)" in section
    assert world.users["local_coordinator"].get_full_name() in section
    new = services.revision_revise(actor=world.users["leader"], revision=draft)
    section = client.get(url("revision", new.pk)).content.decode()
    section = section[section.index('id="events-heading"') :]
    assert "Revisjonen er laget fra den godkjente planen" in section
    assert "Godkjent" not in section.split("</table>")[0]  # only this revision's events


def test_employer_change_refreshes_every_rows_agreement_select(client, world, draft, agreements):
    """Issue #3: the agreements offered are the employer's, so choosing another employer
    fetches every row's agreement select (out of band), as a row's institution does."""
    login(client, world, "leader")
    endpoint = url("agreement_selects", draft.pk)
    html = client.get(url("edit", draft.pk)).content.decode()
    employer = html[html.index('<select name="employer"') :]
    employer = employer[: employer.index(">")]
    assert f'hx-get="{endpoint}"' in employer and 'hx-include="#period-rows"' in employer
    assert 'hx-trigger="change"' in employer and 'hx-swap="none"' in employer
    query = {
        "periods-x1-institution": world.nlsh.pk,
        "periods-x1-specialty": world.specialty.pk,
        "periods-x1-agreement": agreements.valid.pk,
        "periods-x2-institution": world.unn.pk,
        "periods-x2-specialty": world.specialty.pk,
        "periods-x2-agreement": "",
        "employer": world.unn.pk,
    }
    response = client.get(endpoint, query)
    assert response.status_code == 200
    assert response["HX-Trigger-After-Swap"] == "lp-rows-changed"  # the check, with new values
    html = response.content.decode()
    first, second = html.split("</select>")[:2]
    assert 'id="id_periods-x1-agreement"' in first and 'hx-swap-oob="true"' in first
    assert f'<option value="{agreements.valid.pk}" selected>' in first
    assert not [ref for ref in ("GAMMEL", "BERGEN", "ANNEN") if ref in first]
    assert 'id="id_periods-x2-agreement"' in second and "Ikke aktuelt ved eget foretak" in second
    # Helse Bergen as employer: its agreement is offered, UNN's link is dropped
    query["employer"] = world.bergen.pk
    first = client.get(endpoint, query).content.decode().split("</select>")[0]
    assert "BERGEN" in first and "NLSH-ORT-1" not in first
    assert '<option value="" selected>' in first
    # no employer: the rows say what to choose first
    query["employer"] = ""
    html = client.get(endpoint, query).content.decode()
    assert html.count("Velg arbeidsgiver først") == 2
    assert client.get(endpoint, {"employer": world.unn.pk}).content == b""  # no rows
    assert login(client, world, "outsider").get(endpoint, query).status_code == 404
    assert login(client, world, "supervisor").get(endpoint, query).status_code == 403
