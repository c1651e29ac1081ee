"""Services of the education plan: pre-fill, edit with optimistic lock, signing by the three
roles, immutability, revise and diff, the education lead's template."""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.audit.models import AuditEvent
from lisplan.iup import compare, services
from lisplan.iup.models import Kind, Revision, Signature, Status
from lisplan.notifications.models import Notification
from tests import factories as f
from tests.iup.outputs import sign_all


def test_create_prefills_from_records(world):
    revision = services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    assert revision.number == 1 and revision.status == Status.DRAFT
    assert revision.plan.kind == Kind.HOSPITAL
    assert revision.workplace == str(world.section)
    assert revision.scheme == "new"
    assert [s.user for s in revision.supervisors.all()] == [world.users["supervisor"]]
    assert AuditEvent.objects.filter(action="iup.created", object_id=str(revision.pk)).exists()


def test_create_twice_for_same_employment_is_refused(world):
    services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    with pytest.raises(services.StateError) as e:
        services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    assert e.value.code == "plan_exists"


def test_template_prefills_table_3(world):
    services.template_save(
        actor=world.users["education_lead"],
        institution=world.unn,
        specialty=world.specialty,
        programme_plan_url="https://unn.no/ortopedi",
        goals_own_unit="ORT-001–ORT-030",
        internal_teaching="To ganger i året",
    )
    revision = services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    assert revision.programme_plan_url == "https://unn.no/ortopedi"
    assert revision.goals_own_unit == "ORT-001–ORT-030"
    assert revision.internal_teaching == "To ganger i året"
    assert revision.template_applied is not None
    # Another course (other institution) is not pre-filled.
    other = services.plan_create(actor=world.users["admin"], trainee=world.same_region)
    assert other.goals_own_unit == "" and other.template_applied is None


def test_template_stale_version(world):
    tpl = services.template_save(
        actor=world.users["education_lead"],
        institution=world.unn,
        specialty=world.specialty,
        goals_own_unit="A",
    )
    services.template_save(
        actor=world.users["education_lead"],
        institution=world.unn,
        specialty=world.specialty,
        version=tpl.version,
        goals_own_unit="B",
    )
    with pytest.raises(services.StaleVersion):
        services.template_save(
            actor=world.users["education_lead"],
            institution=world.unn,
            specialty=world.specialty,
            version=tpl.version,
            goals_own_unit="C",
        )


def test_template_apply_to_draft(world, draft):
    services.template_save(
        actor=world.users["education_lead"],
        institution=world.unn,
        specialty=world.specialty,
        goals_adjacent="Plastikkirurgi 3 mnd.",
    )
    revision = services.template_apply(
        actor=world.users["leader"], revision=draft, version=draft.version
    )
    assert revision.goals_adjacent == "Plastikkirurgi 3 mnd."


def test_update_stale_version_refused(world, draft):
    stale = draft.version - 1
    with pytest.raises(services.StaleVersion) as e:
        services.revision_update(
            actor=world.users["trainee"], revision=draft, version=stale, personal_goal="x"
        )
    assert e.value.current == draft.version
    assert Revision.objects.get(pk=draft.pk).personal_goal != "x"


def test_update_unknown_field_and_bad_period(world, draft):
    with pytest.raises(services.PlanInvalid) as e:
        services.revision_update(
            actor=world.users["trainee"],
            revision=draft,
            version=draft.version,
            plan_overall="ALIS only",
        )
    assert e.value.problems[0].code == "unknown_field"
    with pytest.raises(services.PlanInvalid) as e:
        services.revision_update(
            actor=world.users["trainee"],
            revision=draft,
            version=draft.version,
            periods=[
                services.PeriodData(
                    "own_unit", "Ortopedi", dt.date(2027, 2, 1), dt.date(2027, 1, 1)
                )
            ],
        )
    assert e.value.problems[0].field == "periods[0].end"


def test_sign_needs_complete_plan(world):
    revision = services.plan_create(actor=world.users["leader"], trainee=world.trainee)
    with pytest.raises(services.PlanInvalid) as e:
        services.revision_sign(actor=world.users["trainee"], revision=revision)
    fields = {p.field for p in e.value.problems}
    assert {"degree", "priority_goals", "meetings", "next_panel"} <= fields
    assert Revision.objects.get(pk=revision.pk).status == Status.DRAFT


def test_three_signatures_make_it_immutable(world, draft):
    r = services.revision_sign(actor=world.users["trainee"], revision=draft)
    assert r.status == Status.AWAITING_SIGNATURES
    # the other signers are told
    assert Notification.objects.filter(
        user=world.users["supervisor"], kind="iup.awaiting_signatures"
    ).exists()
    with pytest.raises(services.StateError) as e:
        services.revision_sign(actor=world.users["trainee"], revision=r)
    assert e.value.code == "already_signed"
    with pytest.raises(services.StateError) as e:
        services.revision_sign(actor=world.users["outsider"], revision=r)
    assert e.value.code == "not_signer"
    r = services.revision_sign(actor=world.users["supervisor"], revision=r)
    r = services.revision_sign(actor=world.users["leader"], revision=r)
    assert r.status == Status.SIGNED and r.signed_at is not None
    assert r.status_snapshot and r.status_snapshot["kind"] == "hospital"
    assert set(r.signatures.values_list("role", flat=True)) == set(Signature.Role.values)
    with pytest.raises(services.StateError) as e:
        services.revision_update(
            actor=world.users["leader"], revision=r, version=r.version, personal_goal="endret"
        )
    assert e.value.code == "not_draft"


def test_withdraw_clears_signatures(world, draft):
    r = services.revision_sign(actor=world.users["trainee"], revision=draft)
    r = services.revision_withdraw(actor=world.users["leader"], revision=r)
    assert r.status == Status.DRAFT and not r.signatures.exists()


def test_revise_keeps_signed_and_diff(world, signed):
    new = services.revision_revise(actor=world.users["trainee"], revision=signed)
    assert new.number == 2 and new.status == Status.DRAFT
    assert Revision.objects.get(pk=signed.pk).status == Status.SIGNED
    assert new.personal_goal == signed.personal_goal
    assert new.supervisors.count() == signed.supervisors.count()
    with pytest.raises(services.StateError):
        services.revision_revise(actor=world.users["trainee"], revision=signed)
    new = services.revision_update(
        actor=world.users["trainee"],
        revision=new,
        version=new.version,
        personal_goal="Ta bakvakt alene",
        supervisors=[services.SupervisorData("Ny Veileder", "ORT")],
    )
    changes = {c.field: c for c in compare.compare(signed, new)}
    assert set(changes) == {"personal_goal", "supervisors"}
    assert changes["personal_goal"].new == "Ta bakvakt alene"
    assert "Ny Veileder" in changes["supervisors"].new
    new = sign_all(world, new)
    assert Revision.objects.get(pk=signed.pk).status == Status.SUPERSEDED
    assert new.status == Status.SIGNED


def test_leader_of_other_arena_cannot_sign(world, draft):
    other = f.UserFactory(username="other_leader")
    arena = f.ArenaFactory(institution=world.unn, name="Annen avdeling")
    f.assign(other, "leader", arena=arena)
    assert services.signing_role(other, draft) is None
    assert services.signing_role(world.users["leader"], draft) == "leader"
    assert services.signing_role(world.users["supervisor"], draft) == "supervisor"


def test_alis_plan(world, alis):
    revision = alis.revision()
    assert revision.plan.kind == Kind.ALIS
    signed = alis.sign(revision)
    assert signed.status == Status.SIGNED
    values = signed.status_snapshot["form_values"]
    assert values["lv_40"] == "12 vakter"  # the 12 shifts registered in the ledger
    assert values["lv_40_rest"] == "28 vakter"
    assert "usel_praks_rest" in values
