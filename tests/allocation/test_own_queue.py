"""A trainee's own requests with their queue place: the queue is read and checked once, and
the trainee's own checks come from it — the query count does not grow with the queue
(issue #18), and the checks are the same as checking the requests on their own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lisplan.rotations import queries
from lisplan.rotations import services as rotation_services
from lisplan.rotations.models import RotationRequest, add_months
from tests import factories as f

pytestmark = pytest.mark.django_db


def _queue_more(world, register, n: int) -> None:
    actor = world.users["local_coordinator"]
    for i in range(n):
        trainee = f.TraineeFactory(last_name=f"Kø{i}")
        f.EmploymentFactory(
            trainee=trainee,
            institution=world.unn,
            arena=world.trainee.employments.first().arena,
            specialty=world.specialty,
            permanent=True,
        )
        r = rotation_services.request_create(
            actor=actor,
            trainee=trainee,
            receiving=world.nlsh,
            specialty=world.specialty,
            desired_start=register.first,
        )
        rotation_services.request_register_wish(actor=actor, request=r)
        rotation_services.request_forward(actor=actor, request=r)
        RotationRequest.objects.filter(pk=r.pk).update(forwarded_on=add_months(register.first, -1))


def _read(trainee):
    with CaptureQueriesContext(connection) as seen:
        rows = queries.own_requests(trainee)
    return rows, len(seen.captured_queries)


def test_own_requests_cost_the_same_whatever_the_queue(world, register):
    rows, few = _read(world.trainee)
    assert [o.queue_length for o in rows] == [3]
    _queue_more(world, register, 5)
    rows, many = _read(world.trainee)
    assert [o.queue_length for o in rows] == [8]
    assert many == few
    alone = queries.eligibility([o.request for o in rows])
    assert {o.request.pk: o.eligibility for o in rows} == alone
