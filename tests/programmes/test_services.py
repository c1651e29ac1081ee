"""Programme plans: drafted from the national template by the education lead, published by the
local coordinator, immutable once published, superseded by the next version."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from lisplan.audit.models import AuditEvent
from lisplan.programmes import services
from lisplan.programmes.models import ProgrammePlan, Status
from tests.programmes.conftest import publish_plan

pytestmark = pytest.mark.django_db


def test_draft_from_template_has_the_skeleton(world, course):
    plan = services.draft_create(actor=course.uao, institution=world.unn, specialty=world.specialty)
    assert plan.status == Status.DRAFT and plan.number == 1
    tpl = services.template_for(world.specialty)
    assert [p.name for p in plan.phases.all()] == [p["name"] for p in tpl.phases]
    # the institution's arenas in the specialty, without goals yet; the agreement as a period
    assert [a.arena_id for a in plan.arenas.all()] == [world.department.pk]
    assert [p.agreement_id for p in plan.partner_periods.all()] == [course.agreement.pk]
    assert plan.introduction.startswith("<p>")
    assert AuditEvent.objects.filter(action="programme.draft_created").count() == 1


def test_only_the_education_lead_drafts_and_only_the_coordinator_publishes(world, course):
    with pytest.raises(PermissionDenied):
        services.draft_create(
            actor=course.coordinator, institution=world.unn, specialty=world.specialty
        )
    with pytest.raises(PermissionDenied):  # another institution's education lead
        services.draft_create(actor=course.uao, institution=world.nlsh, specialty=world.specialty)
    plan = services.draft_create(actor=course.uao, institution=world.unn, specialty=world.specialty)
    with pytest.raises(PermissionDenied):
        services.publish(actor=course.uao, plan=plan, version=plan.version)
    with pytest.raises(PermissionDenied):  # the partner's coordinator
        services.publish(actor=course.nlsh_coordinator, plan=plan, version=plan.version)


def test_publish_needs_goals_then_is_immutable_and_superseded(world, course):
    plan = services.draft_create(actor=course.uao, institution=world.unn, specialty=world.specialty)
    with pytest.raises(services.PlanInvalid) as problems:
        services.publish(actor=course.coordinator, plan=plan, version=plan.version)
    assert [p.field for p in problems.value.problems] == ["arenas"]
    first = publish_plan(world, course)
    assert first.status == Status.PUBLISHED and first.published_on is not None
    with pytest.raises(services.StateError):
        services.draft_update(
            actor=course.uao,
            plan=first,
            version=first.version,
            content=services.Content(fields={"courses": "x"}),
        )
    # the next version starts as a copy of the published one
    draft = services.draft_create(
        actor=course.uao, institution=world.unn, specialty=world.specialty
    )
    assert draft.number == 2
    assert sorted(g.code for a in draft.arenas.all() for g in a.goals.all()) == [
        "ORT-001",
        "ORT-002",
        "ORT-003",
        "ORT-004",
    ]
    second = services.publish(actor=course.coordinator, plan=draft, version=draft.version)
    first.refresh_from_db()
    assert second.status == Status.PUBLISHED and first.status == Status.SUPERSEDED
    assert ProgrammePlan.objects.filter(status=Status.PUBLISHED).count() == 1


def test_stale_version_is_refused(world, course):
    plan = services.draft_create(actor=course.uao, institution=world.unn, specialty=world.specialty)
    services.draft_update(
        actor=course.uao,
        plan=plan,
        version=plan.version,
        content=services.Content(fields={"courses": "Kurs"}),
    )
    with pytest.raises(services.StaleVersion):
        services.draft_update(
            actor=course.uao,
            plan=plan,
            version=1,
            content=services.Content(fields={"courses": "Annet"}),
        )
    with pytest.raises(services.StaleVersion):
        services.publish(actor=course.coordinator, plan=plan, version=1)


def test_rich_text_is_sanitised_and_bad_rows_name_their_field(world, course):
    plan = services.draft_create(actor=course.uao, institution=world.unn, specialty=world.specialty)
    plan = services.draft_update(
        actor=course.uao,
        plan=plan,
        version=plan.version,
        content=services.Content(
            fields={
                "supervision": '<p onclick="x()">Veiledning<script>alert(1)'
                '</script> <a href="javascript:x">lenke</a>'
                "</p>"
            }
        ),
    )
    assert "script" not in plan.supervision and "onclick" not in plan.supervision
    assert "javascript" not in plan.supervision and "Veiledning" in plan.supervision
    with pytest.raises(services.PlanInvalid) as problems:
        services.draft_update(
            actor=course.uao,
            plan=plan,
            version=plan.version,
            content=services.Content(
                arenas=[
                    services.ArenaData(course.nlsh_arena.pk, ["ORT-001"]),
                    services.ArenaData(world.section.pk, ["XYZ-001"]),
                ]
            ),
        )
    fields = {p.field for p in problems.value.problems}
    assert fields == {"arenas[0].arena"}
    with pytest.raises(services.PlanInvalid) as problems:
        services.draft_update(
            actor=course.uao,
            plan=plan,
            version=plan.version,
            content=services.Content(arenas=[services.ArenaData(world.section.pk, ["ORT-099"])]),
        )
    assert [p.field for p in problems.value.problems] == ["arenas[0].goals"]
    plan.refresh_from_db()
    assert plan.arenas.count() == 1  # nothing written
