"""The demo has service confirmations in every state, made through the services, and each
persona has one to act on: the trainee's request, the coordinator's to issue, the leader's to
sign."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from lisplan.accounts.models import User
from lisplan.confirmations import queries
from lisplan.confirmations.models import ConfirmationVersion, Status

pytestmark = pytest.mark.django_db


def test_demo_confirmations_in_every_state():
    out = StringIO()
    call_command("demo", stdout=out, trainees=60)
    assert "Bekreftelser på tjeneste" in out.getvalue()
    states = set(ConfirmationVersion.objects.values_list("status", flat=True))
    assert states >= {Status.REQUESTED, Status.AWAITING_SIGNATURES, Status.SIGNED}
    assert ConfirmationVersion.objects.filter(status=Status.SUPERSEDED).exists()
    for v in ConfirmationVersion.objects.filter(status=Status.SIGNED):
        assert v.snapshot["counted"]["months"] >= 0 and v.signatures.count() == 1
    coordinator = User.objects.get(username="local_coordinator")
    assert queries.to_issue(coordinator).exists()
    leader = User.objects.get(username="leader")
    assert queries.awaiting_my_signature(leader).exists()
    # a second run replaces them
    call_command("demo", stdout=StringIO(), trainees=60)
    assert ConfirmationVersion.objects.filter(number=1).count() == len(
        set(ConfirmationVersion.objects.values_list("confirmation_id", flat=True))
    )
