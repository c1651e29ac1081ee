"""The demo tells one coherent story per trainee (issue #12 item 8), checked on a 2,500-trainee
demo (the default size; the 7,000-trainee check is tests/benchmarks/test_demo_consistency.py,
run apart since loading the national demo takes minutes on a shared CI machine).

Seed-free wording of what a coordinator spotted: «a psychiatry trainee with a surgical programme
and an intensive-care rotation overlapping another trust's period; IUP table 3 (UNN 6 months)
contradicting table 5 (Nordlandssykehuset 12 months); «(Tentativt) (tentativ)»; table-4
snapshots «locked at signing» dated after signing» — and the rotation story: agreements first,
the plans' periods at partners among the employer's agreements, the requests following the
plans' periods."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from lisplan.demo.consistency import problems
from lisplan.iup.models import CoursePeriod, Revision, Status
from lisplan.plans.models import Period
from lisplan.rotations.models import RotationRequest

pytestmark = pytest.mark.django_db


def test_demo_is_consistent_at_2500_trainees():
    call_command("demo", stdout=StringIO(), trainees=2500)
    assert problems() == []
    # the checks had something to check
    assert CoursePeriod.objects.exists()
    assert Revision.objects.filter(status=Status.SIGNED).exclude(status_snapshot=None).exists()
    assert (
        Revision.objects.exclude(goals_other_trust="")
        .filter(goals_other_trust__contains="jf. godkjent gjennomføringsplan")
        .exists()
    )
    # the rotation story had something to check: linked periods, requests following them
    assert Period.objects.filter(agreement__isnull=False).exists()
    requests = RotationRequest.objects.filter(demo=True)
    assert requests.exists() and not requests.filter(plan_period=None).exists()
    assert requests.filter(source=RotationRequest.Source.PLAN).exists()
