"""Administration services (issue 17, item 6): users, roles with scope and validity,
institutions and arenas, the catalogue — checked, validated and audited."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError

from lisplan.accounts import services as accounts
from lisplan.accounts.access import grants, has_permission, scope_filter
from lisplan.accounts.models import LoginSession, RoleAssignment, User
from lisplan.audit.models import AuditEvent
from lisplan.catalogue import services as catalogue
from lisplan.errors import Refused, StateError
from lisplan.organisations import services as organisations
from lisplan.organisations.models import Institution
from lisplan.trainees.models import Trainee
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 6)


def security(caplog) -> list[dict]:
    return [r.fields for r in caplog.records if r.name == "lisplan.security"]


def test_only_the_administrator_holds_the_administration_permissions(world):
    for permission in ("user.manage", "role.assign", "organisation.change", "catalogue.change"):
        assert has_permission(world.users["admin"], permission)
        for role in ("local_coordinator", "regional_coordinator", "leader", "planner"):
            assert not has_permission(world.users[role], permission), (role, permission)


def test_create_user_without_password_audited_without_the_hash(world):
    admin = world.users["admin"]
    user = accounts.user_create(
        actor=admin,
        first_name="Kari",
        last_name="Nilsen",
        email="kari@unn.no",
        hpr_number="1234567",
    )
    assert user.username == "kari.nilsen" and not user.has_usable_password()
    assert not user.role_assignments.exists()  # deny by default
    event = AuditEvent.objects.get(action="user.created")
    assert event.changes["hpr_number"] == [None, "1234567"]
    assert "password" not in event.changes
    second = accounts.user_create(actor=admin, first_name="Kari", last_name="Nilsen")
    assert second.username == "kari.nilsen2"


def test_user_rules_name_the_rule(world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError) as caught:
        accounts.user_create(actor=admin, first_name="Ola", hpr_number="12ab")
    assert "bare sifre" in caught.value.message_dict["hpr_number"][0]
    accounts.user_create(actor=admin, first_name="Ola", hpr_number="7654321")
    with pytest.raises(ValidationError) as caught:
        accounts.user_create(actor=admin, first_name="Per", hpr_number="7654321")
    assert "HelseID" in caught.value.message_dict["hpr_number"][0]
    with pytest.raises(ValidationError) as caught:
        accounts.user_create(actor=admin, username="tom")
    assert "fornavn eller etternavn" in caught.value.message_dict["last_name"][0]


def test_non_administrators_are_refused(world):
    coordinator = world.users["local_coordinator"]
    with pytest.raises(Refused):
        accounts.user_create(actor=coordinator, first_name="Ola")
    with pytest.raises(Refused):
        accounts.role_assign(
            actor=coordinator,
            user=world.users["outsider"],
            role="supervisor",
            institution=world.unn,
        )
    with pytest.raises(Refused):
        accounts.user_deactivate(actor=coordinator, user=world.users["trainee"])
    with pytest.raises(Refused):
        organisations.institution_update(actor=coordinator, institution=world.unn, name="X")
    with pytest.raises(Refused):
        catalogue.specialty_update(actor=coordinator, specialty=world.specialty, name="X")


def test_edit_name_email_hpr_audited(world):
    user = world.users["supervisor"]
    accounts.user_update(
        actor=world.users["admin"], user=user, first_name="Siv", email="siv@unn.no"
    )
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("Siv", "siv@unn.no")
    event = AuditEvent.objects.get(action="user.changed")
    assert event.changes["email"][1] == "siv@unn.no"
    with pytest.raises(TypeError):
        accounts.user_update(actor=world.users["admin"], user=user, is_superuser=True)


def test_deactivation_ends_every_session_and_is_logged(world, caplog, client):
    caplog.set_level(logging.INFO, logger="lisplan.security")
    user = world.users["supervisor"]
    client.force_login(user)
    key = client.session.session_key
    assert LoginSession.objects.filter(user=user, session_key=key).exists()
    accounts.user_deactivate(actor=world.users["admin"], user=user)
    assert not Session.objects.filter(session_key=key).exists()
    assert not User.objects.get(pk=user.pk).is_active
    assert AuditEvent.objects.filter(action="user.deactivated").exists()
    assert "user.deactivated" in [e["event"] for e in security(caplog)]
    with pytest.raises(StateError):
        accounts.user_deactivate(actor=world.users["admin"], user=user)
    with pytest.raises(StateError):  # a deactivated user gets no role
        accounts.role_assign(
            actor=world.users["admin"], user=user, role="supervisor", institution=world.unn
        )
    accounts.user_reactivate(actor=world.users["admin"], user=user)
    assert User.objects.get(pk=user.pk).is_active


def test_an_administrator_cannot_lock_themselves_out_or_touch_a_superuser(world):
    admin = world.users["admin"]
    with pytest.raises(StateError):
        accounts.user_deactivate(actor=admin, user=admin)
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(Refused):
        accounts.user_deactivate(actor=admin, user=root)
    with pytest.raises(Refused):
        accounts.user_update(actor=admin, user=root, email="x@y.no")


def test_a_scoped_role_gives_exactly_its_scope(world, travel, caplog):
    caplog.set_level(logging.INFO, logger="lisplan.security")
    with travel(DAY):
        kari = accounts.user_create(actor=world.users["admin"], first_name="Kari", last_name="N")
        accounts.role_assign(
            actor=world.users["admin"],
            user=kari,
            role="local_coordinator",
            institution=world.unn,
            valid_from=DAY,
        )
        kari = User.objects.get(pk=kari.pk)
        seen = set(scope_filter(kari, "trainee.view", Trainee.objects.all()))
        assert seen == {world.trainee, world.colleague, world.same_institution}
        assert grants(kari).institutions["plan.approve"] == ((world.unn.pk, None),)
    assert "role.assigned" in [e["event"] for e in security(caplog)]
    assert AuditEvent.objects.filter(action="role.assigned").count() == 1


def test_role_rules_name_the_rule(world):
    admin, user = world.users["admin"], world.users["outsider"]
    with pytest.raises(ValidationError) as caught:
        accounts.role_assign(
            actor=admin, user=user, role="local_coordinator", region=world.unn.region
        )
    assert "utdanningsvirksomhet" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        accounts.role_assign(
            actor=admin,
            user=user,
            role="supervisor",
            institution=world.unn,
            specialty=world.specialty,
        )
    assert "UAO" in caught.value.message_dict["specialty"][0]
    with pytest.raises(ValidationError) as caught:
        accounts.role_assign(
            actor=admin,
            user=user,
            role="planner",
            region=world.unn.region,
            valid_from=DAY,
            valid_to=DAY - dt.timedelta(days=1),
        )
    assert "Gyldig til" in caught.value.message_dict["valid_to"][0]


def test_ending_a_role_takes_access_away_now_and_keeps_it_as_ended(world, travel, caplog):
    caplog.set_level(logging.INFO, logger="lisplan.security")
    admin = world.users["admin"]
    assignment = RoleAssignment.objects.get(user=world.users["local_coordinator"])
    with travel(DAY):
        accounts.role_end(actor=admin, assignment=assignment)
        assignment.refresh_from_db()
        assert assignment.valid_to == DAY - dt.timedelta(days=1)
        user = User.objects.get(pk=world.users["local_coordinator"].pk)
        assert not has_permission(user, "plan.approve")
        with pytest.raises(StateError):
            accounts.role_end(actor=admin, assignment=assignment)
        # A role that has not started yet is removed instead (still in both logs).
        future = accounts.role_assign(
            actor=admin,
            user=world.users["outsider"],
            role="planner",
            region=world.unn.region,
            valid_from=DAY + dt.timedelta(days=30),
        )
        assert accounts.role_end(actor=admin, assignment=future) == "removed"
        assert not RoleAssignment.objects.filter(pk=future.pk).exists()
        # An end date in the future: the role runs until then.
        later = RoleAssignment.objects.get(user=world.users["planner"])
        accounts.role_end(actor=admin, assignment=later, last_day=DAY + dt.timedelta(days=10))
        assert RoleAssignment.objects.active(DAY + dt.timedelta(days=10)).filter(pk=later.pk)
        assert not RoleAssignment.objects.active(DAY + dt.timedelta(days=11)).filter(pk=later.pk)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions.count("role.ended") == 2 and "role.revoked" in actions
    assert {"role.changed", "role.revoked"} <= {e["event"] for e in security(caplog)}


def test_institutions_and_arenas(world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError) as caught:
        organisations.institution_create(
            actor=admin,
            code="fin",
            name="Finnmarkssykehuset HF",
            kind="health_trust",
            region=world.unn.region,
            org_number="12345",
        )
    assert "ni sifre" in caught.value.message_dict["org_number"][0]
    fin = organisations.institution_create(
        actor=admin,
        code="fin",
        name="Finnmarkssykehuset HF",
        kind="health_trust",
        region=world.unn.region,
        org_number="983974899",
    )
    assert fin.code == "FIN"
    clinic = organisations.arena_create(
        actor=admin, institution=fin, name="Klinikk Hammerfest", level="clinic"
    )
    dept = organisations.arena_create(
        actor=admin, institution=fin, name="Kirurgisk avdeling", level="department", parent=clinic
    )
    assert dept.path == f"{clinic.path}{dept.pk}/"
    with pytest.raises(ValidationError) as caught:  # a parent from another institution
        organisations.arena_update(actor=admin, arena=dept, parent=world.department)
    assert "samme utdanningsvirksomhet" in caught.value.message_dict["parent"][0]
    organisations.institution_update(actor=admin, institution=fin, name="Finnmarkssykehuset")
    assert Institution.objects.get(pk=fin.pk).name == "Finnmarkssykehuset"
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "institution.created",
        "institution.changed",
        "arena.created",
    }


def test_catalogue_edits_only_what_is_safe(world):
    admin = world.users["admin"]
    catalogue.specialty_update(
        actor=admin, specialty=world.specialty, name_en="Orthopaedics", verified=True
    )
    world.specialty.refresh_from_db()
    assert world.specialty.verified and world.specialty.name_en == "Orthopaedics"
    with pytest.raises(TypeError):
        catalogue.specialty_update(actor=admin, specialty=world.specialty, code="XYZ")
    assert AuditEvent.objects.filter(action="specialty.changed").exists()
