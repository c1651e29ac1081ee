from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from lisplan.audit.models import AuditEvent
from lisplan.notifications.models import Notification
from lisplan.plans import services
from lisplan.plans.models import Revision, Status


def _codes(err):
    return {(p.field, p.code) for p in err.value.problems}


def test_create_prefills_from_employment(world, draft):
    assert draft.number == 1 and draft.status == Status.DRAFT
    assert draft.employer == world.unn and draft.specialty == world.specialty
    assert draft.periods.count() == 1
    assert AuditEvent.objects.filter(action="plan.created", trainee_id=world.trainee.pk).exists()


def test_rules_name_field_and_rule(world, period):
    with pytest.raises(services.PlanInvalid) as err:
        services.plan_create(
            actor=world.users["leader"],
            trainee=world.trainee,
            credit_old_scheme_months=Decimal("79"),
            credit_other_specialty_months=Decimal("40"),
            periods=[
                period(),
                period(start=dt.date(2026, 6, 1), end=dt.date(2026, 12, 31)),
                period(start=dt.date(2027, 5, 1), end=dt.date(2027, 1, 1)),
            ],
        )
    assert _codes(err) == {
        ("credit_old_scheme_months", "above_cap"),
        ("credit_other_specialty_months", "above_cap"),
        ("periods[1].start", "overlap"),
        ("periods[2].end", "end_before_start"),
    }
    assert not Revision.objects.exists()


def test_period_outside_employment_needs_leader_confirmation(world, period):
    from lisplan.trainees.models import Employment

    Employment.objects.filter(trainee=world.trainee).update(end=dt.date(2026, 12, 31))
    rev = services.plan_create(
        actor=world.users["leader"],
        trainee=world.trainee,
        periods=[period(dt.date(2026, 10, 1), dt.date(2027, 3, 31))],
    )
    with pytest.raises(services.PlanInvalid) as err:
        services.revision_submit(actor=world.users["leader"], revision=rev)
    assert _codes(err) == {("periods[0].start", "outside_employment")}
    services.revision_update(
        actor=world.users["leader"],
        revision=rev,
        version=rev.version,
        outside_employment_confirmed=True,
    )
    rev.refresh_from_db()
    services.revision_submit(actor=world.users["leader"], revision=rev)


def test_full_workflow_and_partner_notification(
    world, draft, django_capture_on_commit_callbacks, travel
):
    services.revision_submit(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_SIGNATURES
    with pytest.raises(services.StateError):
        services.revision_sign(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    draft.refresh_from_db()
    assert draft.status == Status.AWAITING_APPROVAL
    assert Notification.objects.filter(
        user=world.users["local_coordinator"], kind="plan.awaiting_approval"
    ).exists()
    nlsh_coord = _coordinator_at(world.nlsh)
    with django_capture_on_commit_callbacks(execute=True), travel(dt.date(2028, 2, 29)):
        services.revision_approve(
            actor=world.users["local_coordinator"], revision=draft, confirm_no_agreement=True
        )
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED
    # 12 months from a leap day (the old assertion, localdate().replace(year=+1), broke then)
    assert draft.valid_until == dt.date(2029, 2, 28)
    note = Notification.objects.get(user=nlsh_coord, kind="plan.partner_periods")
    assert "Ny eller endret" in note.body
    assert [m.to for m in mail.outbox if m.subject == note.title] == [[nlsh_coord.email]]


def _coordinator_at(institution):
    from tests.factories import UserFactory, assign

    user = UserFactory(username=f"coord-{institution.code}", email=f"k@{institution.code}.no")
    assign(user, "local_coordinator", institution=institution)
    return user


def test_outsiders_cannot_sign_or_approve(world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    for name in ["supervisor", "local_coordinator", "outsider"]:
        with pytest.raises(services.StateError):
            services.revision_sign(actor=world.users[name], revision=draft)


def test_no_edit_after_submission_and_stale_version(world, draft):
    v = draft.version
    services.revision_update(
        actor=world.users["leader"], revision=draft, version=v, remarks="Første"
    )
    with pytest.raises(services.StaleVersion):
        services.revision_update(
            actor=world.users["trainee"], revision=draft, version=v, remarks="Overskriver"
        )
    draft.refresh_from_db()
    assert draft.remarks == "Første"
    services.revision_submit(actor=world.users["leader"], revision=draft)
    draft.refresh_from_db()
    with pytest.raises(services.StateError):
        services.revision_update(
            actor=world.users["leader"], revision=draft, version=draft.version, remarks="x"
        )


def test_return_clears_signatures_and_keeps_comment(world, draft):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    with pytest.raises(services.PlanInvalid):
        services.revision_return(
            actor=world.users["local_coordinator"], revision=draft, comment=" "
        )
    services.revision_return(
        actor=world.users["local_coordinator"], revision=draft, comment="Mangler kontaktperson"
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.return_comment == "Mangler kontaktperson"
    assert not draft.signatures.exists()


def test_revision_keeps_old_valid_until_approved(world, approved, period):
    new = services.revision_revise(actor=world.users["leader"], revision=approved)
    assert new.number == 2 and new.status == Status.DRAFT
    assert new.periods.count() == 1
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    with pytest.raises(services.StateError):
        services.revision_revise(actor=world.users["leader"], revision=approved)
    services.revision_update(
        actor=world.users["leader"], revision=new, version=new.version, periods=[]
    )
    nlsh_coord = _coordinator_at(world.nlsh)
    for step in (services.revision_submit,):
        step(actor=world.users["leader"], revision=new)
    services.revision_sign(actor=world.users["leader"], revision=new)
    services.revision_sign(actor=world.users["trainee"], revision=new)
    services.revision_approve(
        actor=world.users["local_coordinator"], revision=new, confirm_no_agreement=True
    )
    approved.refresh_from_db()
    assert approved.status == Status.SUPERSEDED
    note = Notification.objects.get(user=nlsh_coord, kind="plan.partner_periods")
    assert "Fjernet" in note.body


def test_expired_is_derived(world, approved):
    later = approved.valid_until + dt.timedelta(days=1)
    assert approved.effective_status(later) == Status.EXPIRED
    assert approved.effective_status(approved.valid_until) == Status.APPROVED


def test_only_the_trainees_own_leader_signs_as_leader(world, draft):
    """An administrator holds every permission but is not «leder med personalansvar»."""
    services.revision_submit(actor=world.users["leader"], revision=draft)
    with pytest.raises(services.StateError):
        services.revision_sign(actor=world.users["admin"], revision=draft)
    assert services.signing_role(world.users["leader"], draft) == "leader"
    assert services.signing_role(world.users["trainee"], draft) == "trainee"


@pytest.mark.parametrize("persona", ["trainee", "leader"])
def test_withdraw_to_draft_clears_signatures_and_is_audited(world, draft, persona):
    services.revision_submit(actor=world.users["leader"], revision=draft)
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    rev = services.revision_withdraw(actor=world.users[persona], revision=draft)
    rev.refresh_from_db()
    assert rev.status == Status.DRAFT and rev.submitted_at is None
    assert not rev.signatures.exists()
    event = AuditEvent.objects.get(action="plan.withdrawn")
    assert event.actor == world.users[persona] and event.trainee_id == world.trainee.pk
    assert event.changes["status"] == ["awaiting_signatures", "draft"]
    assert event.changes["signatures"] == [["Arbeidstaker"], []]
    # a draft again: it can be edited and sent for signing once more
    services.revision_update(
        actor=world.users["trainee"],
        revision=rev,
        version=rev.version,
        remarks="Endret etter tilbaketrekking",
    )
    services.revision_submit(actor=world.users["trainee"], revision=rev)


def test_withdraw_only_by_signers_and_only_while_awaiting_signatures(world, draft):
    with pytest.raises(services.StateError):
        services.revision_withdraw(actor=world.users["leader"], revision=draft)  # a draft
    services.revision_submit(actor=world.users["leader"], revision=draft)
    for persona in ["local_coordinator", "supervisor", "admin"]:
        with pytest.raises(services.StateError) as err:
            services.revision_withdraw(actor=world.users[persona], revision=draft)
        assert err.value.code == "not_signer"
    services.revision_sign(actor=world.users["trainee"], revision=draft)
    services.revision_sign(actor=world.users["leader"], revision=draft)
    with pytest.raises(services.StateError):  # awaiting approval: the coordinator returns it
        services.revision_withdraw(actor=world.users["trainee"], revision=draft)
    assert Revision.objects.get(pk=draft.pk).status == Status.AWAITING_APPROVAL


def test_approval_puts_partner_periods_in_the_rotation_register(world, approved):
    from lisplan.rotations.models import RegisterEntry, RotationRequest

    request = RotationRequest.objects.get(trainee=world.trainee)
    assert (request.sending, request.receiving) == (world.unn, world.nlsh)
    assert request.desired_start == dt.date(2026, 1, 1)
    assert RegisterEntry.objects.filter(trainee=world.trainee, institution=world.unn).exists()
