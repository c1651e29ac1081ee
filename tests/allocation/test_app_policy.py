"""The region's allocation policy: who may read and change it, validation, the audit trail,
concurrent edits, and runs that use the policy's queue weight."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lisplan.allocation import services
from lisplan.allocation.metrics import QUEUE_WEIGHT
from lisplan.allocation.models import AllocationPolicy, AllocationRun
from lisplan.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def _post(client, region, **values):
    data = {"queue_weight": "0,05", "max_delay_months": "6", "time_limit": "45", "version": "0"}
    data.update({k: str(v) for k, v in values.items()})
    return client.post(reverse("allocation:policy", args=[region.pk]), data)


def _policy(world, **values) -> AllocationPolicy:
    fields = {"queue_weight": 0.5, "max_delay_months": 7, "time_limit": 40}
    fields.update(values)
    return services.save_policy(
        actor=world.users["planner"], region=world.unn.region, version=0, **fields
    )


@pytest.mark.parametrize(
    "persona, status, editable",
    [
        ("planner", 200, True),
        ("admin", 200, True),
        ("regional_coordinator", 200, False),
        ("local_coordinator", 200, False),
        ("trainee", 403, False),
        ("leader", 403, False),
        ("supervisor", 403, False),
    ],
)
def test_policy_list_per_persona(client, world, persona, status, editable):
    client.force_login(world.users[persona])
    response = client.get(reverse("allocation:policies"))
    assert response.status_code == status
    if status == 200:
        edit = reverse("allocation:policy", args=[world.unn.region_id])
        assert (edit in response.content.decode()) is editable
        regions = [row["region"] for row in response.context["rows"]]
        if persona != "admin":  # coordinators and planners see their own region only
            assert regions == [world.unn.region]
        assert (
            "Køvekten får aldri planen til å gi plass til færre ønsker" in response.content.decode()
        )


def test_policy_is_linked_from_the_run_list(client, world):
    client.force_login(world.users["regional_coordinator"])
    page = client.get(reverse("allocation:runs")).content.decode()
    assert reverse("allocation:policies") in page


@pytest.mark.parametrize(
    "persona, status",
    [
        ("planner", 200),
        ("admin", 200),
        ("regional_coordinator", 403),
        ("local_coordinator", 403),
        ("trainee", 403),
        ("education_lead", 403),
    ],
)
def test_policy_edit_per_persona(client, world, persona, status):
    client.force_login(world.users[persona])
    assert (
        client.get(reverse("allocation:policy", args=[world.unn.region_id])).status_code == status
    )
    assert _post(client, world.unn.region).status_code == (302 if status == 200 else status)
    assert AllocationPolicy.objects.exists() is (status == 200)


def test_other_regions_planner_gets_404(client, world):
    west = f.UserFactory(username="planner_west")
    f.assign(west, "planner", region=world.bergen.region)
    client.force_login(west)
    assert client.get(reverse("allocation:policy", args=[world.unn.region_id])).status_code == 404
    assert _post(client, world.unn.region).status_code == 404
    assert not AllocationPolicy.objects.exists()
    # Their own region works.
    assert _post(client, world.bergen.region).status_code == 302
    assert AllocationPolicy.objects.get().region == world.bergen.region
    with pytest.raises(services.PermissionDenied):
        services.save_policy(
            actor=west,
            region=world.unn.region,
            version=0,
            queue_weight=0.1,
            max_delay_months=3,
            time_limit=30,
        )


def test_planner_saves_the_policy_and_it_is_audited(client, world):
    client.force_login(world.users["planner"])
    page = client.get(reverse("allocation:policy", args=[world.unn.region_id]))
    assert page.context["form"].initial == {
        "queue_weight": QUEUE_WEIGHT,
        "max_delay_months": 3,
        "time_limit": 30,
        "version": 0,
    }
    response = _post(client, world.unn.region)  # "0,05": a decimal comma
    assert response.status_code == 302 and response.url == reverse("allocation:policies")
    policy = AllocationPolicy.objects.get()
    assert (
        policy.queue_weight,
        policy.max_delay_months,
        policy.time_limit,
        policy.version,
        policy.updated_by,
    ) == (0.05, 6, 45, 1, world.users["planner"])
    response = _post(client, world.unn.region, queue_weight="0,2", version=1)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.queue_weight == 0.2 and policy.version == 2
    events = list(
        AuditEvent.objects.filter(object_type="allocation.allocationpolicy").order_by("pk")
    )
    assert [e.action for e in events] == ["allocation.policy_created", "allocation.policy_changed"]
    assert events[0].changes["queue_weight"] == [None, 0.05]
    assert events[1].changes == {"queue_weight": [0.05, 0.2]}
    listing = client.get(reverse("allocation:policies")).content.decode()
    assert "0,2" in listing


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("queue_weight", "1,5", "Køvekten kan ikke være over 1."),
        ("queue_weight", "-0,1", "Køvekten kan ikke være under 0."),
        ("queue_weight", "mye", "Køvekten må være et tall fra 0 til 1, med komma som desimaltegn"),
        ("queue_weight", "", "Oppgi køvekten, et tall fra 0 til 1"),
        ("max_delay_months", "30", "Største forsinkelse kan ikke være over 24 måneder."),
        ("max_delay_months", "-1", "Største forsinkelse kan ikke være under 0 måneder."),
        ("time_limit", "2", "Tidsgrensen må være minst 5 sekunder."),
        ("time_limit", "601", "Tidsgrensen kan ikke være over 600 sekunder."),
        ("version", "", "Skjemaet mangler versjonen. Last inn siden på nytt."),
    ],
)
def test_validation_names_the_rule_and_keeps_input(client, world, field, value, message):
    client.force_login(world.users["planner"])
    response = _post(client, world.unn.region, **{field: value})
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert "1.0" not in text and "0.0" not in text  # numbers as people write them
    assert 'value="45"' in text or field == "time_limit"  # what the user typed stays
    assert not AllocationPolicy.objects.exists()


@pytest.mark.parametrize("weight", [float("nan"), 1.01, -0.001, True, "0.1"])
def test_service_refuses_a_bad_weight(world, weight):
    with pytest.raises(services.AllocationError) as error:
        _policy(world, queue_weight=weight)
    assert error.value.field == "queue_weight"
    assert "Køvekten må være et tall fra 0 til 1." in str(error.value)


def test_concurrent_edits_are_detected(client, world):
    admin = world.users["admin"]
    # Both open the page on the defaults (version 0); the planner saves first.
    _policy(world, queue_weight=0.3)
    client.force_login(admin)
    response = _post(client, world.unn.region, queue_weight="0,9", version=0)
    assert response.status_code == 409
    text = response.content.decode()
    assert f"er endret av {world.users['planner'].get_full_name()} siden du åpnet dem" in text
    assert "køvekt 0,3" in text
    assert 'value="0,9"' in text  # the admin's input is kept
    policy = AllocationPolicy.objects.get()
    assert policy.queue_weight == 0.3 and policy.version == 1
    # The page now carries the current version: saving again knowingly replaces it.
    assert response.context["form"].data["version"] == "1"
    assert _post(client, world.unn.region, queue_weight="0,9", version=1).status_code == 302
    policy.refresh_from_db()
    assert policy.queue_weight == 0.9 and policy.version == 2 and policy.updated_by == admin
    # An edit that started from version 1 is now stale too (service level).
    with pytest.raises(services.StaleVersion):
        services.save_policy(
            actor=world.users["planner"],
            region=world.unn.region,
            version=1,
            queue_weight=0.1,
            max_delay_months=3,
            time_limit=30,
        )


def test_run_form_starts_from_the_policy(client, world):
    _policy(world, max_delay_months=7, time_limit=40)
    client.force_login(world.users["regional_coordinator"])
    response = client.get(reverse("allocation:new"))
    text = response.content.decode()
    assert response.context["form"]["max_delay_months"].value() == 7
    assert response.context["form"]["time_limit"].value() == 40
    assert "køvekt 0,5" in text
    # The planner may also run the whole country: national starts from the defaults.
    client.force_login(world.users["planner"])
    form = client.get(reverse("allocation:new") + "?scope=national").context["form"]
    assert form["scope"].value() == "national"
    assert form["max_delay_months"].value() == 3 and form["time_limit"].value() == 30


def test_a_run_uses_the_policy_weight(client, world, register, immediate_tasks):
    _policy(world, queue_weight=0.5)
    client.force_login(world.users["regional_coordinator"])
    response = client.post(
        reverse("allocation:new"),
        {"scope": f"region:{world.unn.region_id}", "max_delay_months": "3", "time_limit": "5"},
    )
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert run.status == AllocationRun.Status.DONE, run.error
    assert run.queue_weight == 0.5 and run.result["queue_weight"] == 0.5
    started = AuditEvent.objects.get(action="allocation.run_started")
    assert started.changes["queue_weight"] == [None, 0.5]
    # the weight is in «Om beregningen», on the analysis tab
    page = client.get(run.get_absolute_url() + "?fane=analyse").content.decode()
    assert "0,5 – hvor strengt planen følger rekkefølgen i køen" in page


def test_national_runs_use_the_default_weight(world, register, immediate_tasks):
    _policy(world, queue_weight=0.5)
    run = services.start_run(
        actor=world.users["planner"], region=None, max_delay_months=3, time_limit=5
    )
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE, run.error
    assert run.queue_weight == QUEUE_WEIGHT and run.result["queue_weight"] == QUEUE_WEIGHT
    # A region without a policy row runs with the default too; an explicit weight wins.
    other = services.start_run(
        actor=world.users["admin"],
        region=world.bergen.region,
        max_delay_months=0,
        time_limit=5,
        queue_weight=0.25,
    )
    assert other.queue_weight == 0.25
    assert services.policy_for(world.bergen.region).queue_weight == QUEUE_WEIGHT
