"""Service confirmations: who may do what, the snapshot from the ledger, immutability and the
correction that supersedes (issue 12, item 9).

Seed 004 (Helse Sør-Øst, «Handlingsplan for spesialistutdanning av leger 2023-2025», IKT-verktøy):
«Vurdere løsning for bekreftelse på tjenestetid i KP.» Issue 12 spells it out: «The employer
confirms a trainee's service for the specialist application: a «Bekreftelse på tjeneste»
document per employment with the periods, position percentage, leave that does not count, the
specialty/ALIS category, counted months and days from the ledger, signed by the leader and
issued by the coordinator; versioned (a correction makes a new version), audited».
"""

from __future__ import annotations

import datetime as dt

import pytest

from lisplan.audit.models import AuditEvent
from lisplan.confirmations import pages, services
from lisplan.confirmations.models import ConfirmationVersion, Status
from lisplan.documents.signing import StateError
from lisplan.errors import Invalid, Refused
from lisplan.notifications.models import Notification
from lisplan.progress import engine
from tests.confirmations.conftest import ISSUED_ON, ask, issue, sign

pytestmark = pytest.mark.django_db


def actions(version):
    return list(
        AuditEvent.objects.filter(
            object_type="confirmations.confirmationversion", object_id=str(version.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_trainee_requests_coordinator_issues_leader_signs(world, employment, travel):
    with travel(ISSUED_ON):
        version = ask(world, employment, note="Til søknaden om spesialistgodkjenning")
        assert (version.number, version.status) == (1, Status.REQUESTED)
        assert Notification.objects.filter(
            user=world.users["local_coordinator"], kind="confirmation.requested"
        ).exists()

        version = issue(world, version)
        assert version.status == Status.AWAITING_SIGNATURES
        assert version.issued_by == world.users["local_coordinator"]
        assert Notification.objects.filter(
            user=world.users["leader"], kind="confirmation.awaiting_signatures"
        ).exists()

        version = sign(world, version)
    assert version.status == Status.SIGNED
    assert version.signatures.get().user == world.users["leader"]
    assert actions(version) == [
        "confirmation.requested",
        "confirmation.issued",
        "confirmation.signed",
        "confirmation.completed",
    ]
    assert Notification.objects.filter(user=world.users["trainee"], kind="confirmation").exists()


def test_snapshot_is_the_ledger_in_months_and_days(world, signed):
    """The whole of 2025 at 100 %, with March on parental leave (does not count, § 31):
    12 months of service, 1 month of leave deducted, 11 months that count — whole calendar
    months read as whole months, as the ledger reads them."""
    snap = signed.snapshot
    assert snap["as_of"] == ISSUED_ON.isoformat()
    assert snap["counted_to"] == "2025-12-31"
    assert snap["employer"] == world.unn.name
    assert snap["arena"] == world.section.name
    assert snap["specialty"]["code"] == "ORT"
    assert (snap["position_percent"], snap["permanent"], snap["programme"]) == (100, True, "lis")
    assert snap["duration"] == {"months": 12, "days": 0}
    assert (snap["counted"]["months"], snap["counted"]["days"]) == (11, 0)
    assert (snap["leave_deducted"]["months"], snap["leave_deducted"]["days"]) == (1, 0)
    assert snap["leave"] == [
        {
            "kind": "parental",
            "start": "2025-03-01",
            "end": "2025-03-31",
            "percent": 100,
            "counts": False,
        }
    ]
    doc = pages.document(signed)
    assert (doc["duration"], doc["leave_deducted"], doc["counted"]) == (
        "12 mnd.",
        "1 mnd.",
        "11 mnd.",
    )
    assert doc["leave"][0]["kind"] == "Foreldrepermisjon"


def test_part_time_counts_pro_rata_with_the_one_month_count(world, employment, travel):
    """01.01.–30.06.2025 at 50 %: six calendar months (`period_months`), 90½ full-time days
    = 3 months (`months_and_days`: the part of a day dropped, and 90 days are no more than
    three calendar months can hold)."""
    employment.end, employment.position_percent = dt.date(2025, 6, 30), 50
    employment.save()
    world.trainee.leave_periods.all().delete()
    with travel(ISSUED_ON):
        version = issue(world, ask(world, employment))
    snap = version.snapshot
    assert snap["duration"] == {"months": 6, "days": 0}
    assert engine.period_months(dt.date(2025, 1, 1), dt.date(2025, 6, 30)) == (6, 0)
    assert (snap["counted"]["months"], snap["counted"]["days"]) == (3, 0)
    assert snap["counted"]["fte_days"] == "90.50"
    assert pages.document(version)["counted"] == "3 mnd."


def test_ongoing_employment_is_counted_to_the_issue_date(world, travel):
    employment = world.trainee.employments.get()  # from 01.01.2024, no end
    with travel(dt.date(2024, 7, 1)):
        version = issue(world, ask(world, employment))
    assert version.snapshot["counted_to"] == "2024-07-01"
    assert version.snapshot["end"] is None
    assert pages.document(version)["ongoing"] is True


@pytest.mark.parametrize("persona", ["trainee", "leader", "outsider", "supervisor"])
def test_only_the_employers_coordinator_issues(world, employment, travel, persona):
    with travel(ISSUED_ON):
        version = ask(world, employment)
        with pytest.raises(Refused):
            issue(world, version, persona)
    version.refresh_from_db()
    assert version.status == Status.REQUESTED


@pytest.mark.parametrize("persona", ["trainee", "local_coordinator", "admin", "other_leader"])
def test_only_the_leader_of_the_unit_signs(world, employment, travel, other_leader, persona):
    with travel(ISSUED_ON):
        version = issue(world, ask(world, employment))
        actor = other_leader if persona == "other_leader" else world.users[persona]
        with pytest.raises(StateError) as refused:
            services.confirmation_sign(actor=actor, confirmation=version)
    assert refused.value.code == "not_signer"
    assert refused.value.status == 403


def test_nobody_requests_for_another_trainee(world, travel):
    colleague_employment = world.colleague.employments.get()
    for persona in ("trainee", "leader", "outsider"):
        with pytest.raises(Refused):
            ask(world, colleague_employment, persona)
    # the employer's coordinator may request for the trainee
    assert ask(world, colleague_employment, "local_coordinator").status == Status.REQUESTED


def test_one_open_request_per_employment(world, employment, travel):
    with travel(ISSUED_ON):
        ask(world, employment)
        with pytest.raises(StateError) as refused:
            ask(world, employment)
    assert refused.value.code == "already_requested"


def test_signed_version_is_immutable(world, signed):
    for action in (services.confirmation_issue, services.confirmation_sign):
        with pytest.raises(StateError):
            action(actor=world.users["local_coordinator"], confirmation=signed)
    with pytest.raises(StateError):
        services.confirmation_sign(actor=world.users["leader"], confirmation=signed)
    with pytest.raises(StateError):
        services.confirmation_return(
            actor=world.users["leader"], confirmation=signed, comment="Feil"
        )
    snapshot = dict(signed.snapshot)
    signed.refresh_from_db()
    assert signed.status == Status.SIGNED and signed.snapshot == snapshot


def test_a_correction_is_a_new_version_that_supersedes(world, employment, signed, travel):
    first_snapshot = dict(signed.snapshot)
    # the leave was registered wrongly: two weeks, not a month
    leave = world.trainee.leave_periods.get()
    leave.end = dt.date(2025, 3, 14)
    leave.save()
    with travel(ISSUED_ON + dt.timedelta(days=7)):
        correction = ask(world, employment, note="Permisjonen var bare to uker")
        assert correction.number == 2
        signed.refresh_from_db()
        assert signed.status == Status.SIGNED  # valid until the correction is signed
        correction = sign(world, issue(world, correction))
    signed.refresh_from_db()
    assert signed.status == Status.SUPERSEDED
    assert signed.snapshot == first_snapshot  # the old document does not change
    assert correction.status == Status.SIGNED
    assert correction.snapshot["leave"][0]["end"] == "2025-03-14"
    doc = pages.document(correction)
    assert (doc["leave_deducted"], doc["counted"]) == ("14 dager", "11 mnd. 14 dager")
    assert "confirmation.superseded" in actions(signed)


def test_stale_version_is_refused(world, employment, travel):
    with travel(ISSUED_ON):
        version = ask(world, employment)
        with pytest.raises(services.StaleVersion) as stale:
            services.confirmation_issue(
                actor=world.users["local_coordinator"], confirmation=version, version=99
            )
    assert stale.value.current == version.version


def test_leader_sends_back_with_a_reason_and_the_snapshot_is_taken_again(world, employment, travel):
    with travel(ISSUED_ON):
        version = issue(world, ask(world, employment))
        with pytest.raises(Invalid):
            services.confirmation_return(
                actor=world.users["leader"], confirmation=version, comment=" "
            )
        version = services.confirmation_return(
            actor=world.users["leader"], confirmation=version, comment="Mangler en permisjon"
        )
    assert version.status == Status.REQUESTED and version.snapshot is None
    assert version.comment == "Mangler en permisjon"
    assert "confirmation.returned" in actions(version)


def test_coordinator_declines_with_a_reason(world, employment, travel):
    with travel(ISSUED_ON):
        version = ask(world, employment)
        with pytest.raises(Refused):
            services.confirmation_decline(
                actor=world.users["trainee"], confirmation=version, comment="Nei"
            )
        version = services.confirmation_decline(
            actor=world.users["local_coordinator"],
            confirmation=version,
            comment="Bestilt to ganger",
        )
        assert version.status == Status.DECLINED
        # a declined request leaves room for a new one
        assert ask(world, employment).number == 2


def test_an_employment_not_started_cannot_be_confirmed(world, employment, travel):
    with travel(dt.date(2024, 12, 1)):
        version = ask(world, employment)
        with pytest.raises(StateError) as refused:
            issue(world, version)
    assert refused.value.code == "not_started"


def test_leader_of_an_arena_without_employment_arena(world, employment, travel, other_leader):
    """An employment registered without a learning arena: a leader of an arena at the
    employer in the employment's specialty signs (the department is ORT)."""
    employment.arena = None
    employment.save()
    with travel(ISSUED_ON):
        version = issue(world, ask(world, employment))
        assert services.signing_role(other_leader, version) is None  # no specialty match
        assert sign(world, version).status == Status.SIGNED


def test_versions_are_one_series_per_employment(world, employment, signed, travel):
    with travel(ISSUED_ON):
        ask(world, employment)
    assert ConfirmationVersion.objects.filter(confirmation__employment=employment).count() == 2
    assert {v.confirmation_id for v in ConfirmationVersion.objects.all()} == {
        signed.confirmation_id
    }


def test_the_art_15_export_includes_the_confirmations(world, signed):
    """GDPR Art. 15: everything lisplan holds about the trainee — their confirmations too,
    and the coordinator's and leader's part in them."""
    from lisplan.operations import subject_access

    data = subject_access.collect(world.users["trainee"])["data"]
    assert data["confirmations.ServiceConfirmation"][0]["id"] == signed.confirmation_id
    assert data["confirmations.ConfirmationVersion"][0]["fields"]["status"] == Status.SIGNED
    assert len(data["confirmations.ConfirmationSignature"]) == 1
    leader = subject_access.collect(world.users["leader"])["data"]
    assert len(leader["confirmations.ConfirmationSignature"]) == 1
