from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lisplan.accounts import services as account_services
from lisplan.audit.models import AuditEvent
from lisplan.trainees import services
from lisplan.trainees.models import Employment, Trainee


def test_create_trainee_is_audited(world):
    actor = world.users["local_coordinator"]
    t = services.trainee_create(
        actor=actor, first_name="Ada", last_name="Berg", hpr_number="0012345"
    )
    assert Trainee.objects.get(pk=t.pk).hpr_number == "0012345"  # leading zeros kept
    event = AuditEvent.objects.get(action="trainee.created", object_id=str(t.pk))
    assert event.actor == actor and event.trainee_id == t.pk
    assert event.changes["hpr_number"] == [None, "0012345"]


@pytest.mark.parametrize("hpr", ["12a", "1234567890", "12 34"])
def test_hpr_number_is_digits_only_up_to_nine(world, hpr):
    with pytest.raises(ValidationError) as err:
        services.trainee_create(actor=None, first_name="A", last_name="B", hpr_number=hpr)
    assert "hpr_number" in err.value.message_dict
    assert not Trainee.objects.filter(first_name="A", last_name="B").exists()


def test_update_employment_records_changed_fields_only(world):
    emp = world.trainee.employments.get()
    services.employment_update(
        actor=world.users["local_coordinator"], employment=emp, position_percent=80
    )
    event = AuditEvent.objects.get(action="employment.changed")
    assert event.changes == {"position_percent": [100, 80]}
    assert event.trainee_id == world.trainee.pk


def test_employment_rules(world):
    actor = world.users["local_coordinator"]
    base = dict(trainee=world.trainee, institution=world.unn, specialty=world.specialty)
    with pytest.raises(ValidationError) as err:
        services.employment_create(
            actor=actor, **base, start=dt.date(2025, 1, 1), end=dt.date(2024, 1, 1)
        )
    assert "end" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.employment_create(actor=actor, **base, start=dt.date(2025, 1, 1), permanent=False)
    assert "Et vikariat må ha sluttdato." in err.value.message_dict["end"]
    with pytest.raises(ValidationError) as err:
        services.employment_create(
            actor=actor, **base, start=dt.date(2025, 1, 1), position_percent=120
        )
    assert "position_percent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.employment_create(
            actor=actor,
            trainee=world.trainee,
            institution=world.nlsh,
            specialty=world.specialty,
            arena=world.section,
            start=dt.date(2025, 1, 1),
        )
    assert "arena" in err.value.message_dict
    assert Employment.objects.filter(trainee=world.trainee).count() == 1


def test_delete_is_audited_with_old_values(world):
    emp = world.trainee.employments.get()
    services.employment_delete(actor=world.users["admin"], employment=emp)
    event = AuditEvent.objects.get(action="employment.deleted")
    assert event.changes["position_percent"] == [100, None]


def test_role_assignment_scope_rules(world):
    admin = world.users["admin"]
    user = world.users["outsider"]
    with pytest.raises(ValidationError):
        account_services.role_assign(actor=admin, user=user, role="leader", institution=world.unn)
    with pytest.raises(ValidationError):
        account_services.role_assign(actor=admin, user=user, role="regional_coordinator")
    a = account_services.role_assign(actor=admin, user=user, role="leader", arena=world.section)
    account_services.role_revoke(actor=admin, assignment=a)
    assert list(
        AuditEvent.objects.filter(object_type="accounts.roleassignment")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["role.assigned", "role.revoked"]


def test_audit_events_are_append_only(world):
    services.trainee_update(actor=None, trainee=world.trainee, phone="99999999")
    event = AuditEvent.objects.get(action="trainee.changed")
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_audit_update_on_postgresql(world):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    services.trainee_update(actor=None, trainee=world.trainee, phone="99999999")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().update(action="tampered")


@pytest.mark.django_db(transaction=True)
def test_deleting_a_user_only_unlinks_their_audit_events_on_postgresql(world):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    actor = world.users["local_coordinator"]
    services.trainee_update(actor=actor, trainee=world.trainee, phone="99999999")
    event = AuditEvent.objects.get(action="trainee.changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=None, action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    actor.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None and event.actor_name and event.action == "trainee.changed"


def test_new_permanent_employment_enters_the_rotation_register(world):
    from lisplan.rotations.models import RegisterEntry

    t = services.trainee_create(actor=None, first_name="Ny", last_name="Lege")
    services.employment_create(
        actor=world.users["local_coordinator"],
        trainee=t,
        institution=world.nlsh,
        specialty=world.specialty,
        start=dt.date(2025, 1, 1),
    )
    assert RegisterEntry.objects.filter(trainee=t, institution=world.nlsh).exists()
    services.employment_create(
        actor=None,
        trainee=t,
        institution=world.unn,
        specialty=world.specialty,
        permanent=False,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
    )
    assert not RegisterEntry.objects.filter(trainee=t, institution=world.unn).exists()


def test_leave_refreshes_the_progress_summary(world):
    from lisplan.progress.models import ProgressSummary

    services.leave_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        kind="parental",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 30),
    )
    assert ProgressSummary.objects.filter(trainee=world.trainee).exists()


@pytest.mark.django_db(transaction=True)
def test_only_the_demos_own_events_may_be_deleted_on_postgresql(world):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    services.trainee_update(actor=None, trainee=world.trainee, phone="99999999")
    demo = AuditEvent.objects.create(
        action="plan.created", object_type="plans.revision", object_id="1", request_id="demo"
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=demo.pk).update(request_id="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.exclude(pk=demo.pk).delete()
    AuditEvent.objects.filter(pk=demo.pk).delete()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["trainee.changed"]
