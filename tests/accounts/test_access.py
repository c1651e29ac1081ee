"""The persona matrix: each role sees exactly its scope of trainees."""

from __future__ import annotations

import pytest

from lisplan.accounts.access import can, has_permission, scope_filter
from lisplan.trainees.models import Employment, Trainee

EXPECTED = {
    # persona: which of (trainee, colleague, same_institution, same_region, other_region)
    "trainee": {"trainee"},
    "supervisor": {"trainee"},
    "leader": {"trainee", "colleague"},
    "education_lead": {"trainee", "colleague", "same_institution"},
    "local_coordinator": {"trainee", "colleague", "same_institution"},
    "regional_coordinator": {"trainee", "colleague", "same_institution", "same_region"},
    "planner": {"trainee", "colleague", "same_institution", "same_region"},
    "admin": {"trainee", "colleague", "same_institution", "same_region", "other_region"},
    "outsider": {"other_region"},
}
KEYS = ["trainee", "colleague", "same_institution", "same_region", "other_region"]


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_role_sees_exactly_its_scope(world, persona):
    user = world.users[persona]
    visible = set(scope_filter(user, "trainee.view", Trainee.objects.all()))
    expected = {getattr(world, key) for key in EXPECTED[persona]}
    assert visible == expected
    for key in KEYS:
        assert can(user, "trainee.view", getattr(world, key)) == (key in EXPECTED[persona])


def test_nobody_without_roles_sees_anything(world):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    assert not scope_filter(nobody, "trainee.view", Trainee.objects.all()).exists()
    assert not has_permission(nobody, "trainee.view")


def test_education_lead_is_limited_to_their_specialty(world):
    from tests.factories import EmploymentFactory, SpecialtyFactory, TraineeFactory

    med = SpecialtyFactory(code="MED")
    other = TraineeFactory()
    EmploymentFactory(trainee=other, institution=world.unn, specialty=med)
    assert not can(world.users["education_lead"], "trainee.view", other)
    assert can(world.users["local_coordinator"], "trainee.view", other)


def test_ended_employment_leaves_scope(world):
    import datetime as dt

    Employment.objects.filter(trainee=world.colleague).update(
        end=dt.date(2020, 12, 31), start=dt.date(2020, 1, 1)
    )
    assert not can(world.users["leader"], "trainee.view", world.colleague)


def test_employments_follow_trainee_scope(world):
    rows = scope_filter(world.users["leader"], "trainee.view", Employment.objects.all())
    assert {e.trainee for e in rows} == {world.trainee, world.colleague}


def test_permissions_by_role(world):
    assert has_permission(world.users["local_coordinator"], "trainee.change")
    assert not has_permission(world.users["leader"], "trainee.change")
    assert not has_permission(world.users["trainee"], "audit.view")
    assert has_permission(world.users["admin"], "catalogue.import")
    with pytest.raises(KeyError):
        has_permission(world.users["admin"], "no.such.permission")
