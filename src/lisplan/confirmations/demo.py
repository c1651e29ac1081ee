"""Service confirmations in the demo: a few in every state, made through the real services (so
the snapshot is the demo ledger's and the history is audited) by the people who would act —
the trainee requests, a coordinator of the employer issues, the leader of the unit signs.

The demo personas see one each: the trainee persona has a request under way, the coordinator
persona has requests to issue, the leader persona one to sign. Cheap: a few dozen, each a
ledger of one trainee. `lisplan demo` runs it after the other demo data; the demo trainees'
deletion takes the confirmations with them (cascade)."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from lisplan.confirmations import services
from lisplan.confirmations.models import ServiceConfirmation

SIGNED, CORRECTED, AWAITING, REQUESTED = "signed", "corrected", "awaiting", "requested"
PLAN = [SIGNED] * 10 + [CORRECTED] * 2 + [AWAITING] * 6 + [REQUESTED] * 6


@dataclass
class ConfirmationDemoResult:
    seconds: float = 0.0
    states: dict[str, int] = field(default_factory=dict)


def _coordinator(employment):
    from lisplan.accounts.models import Role, RoleAssignment

    row = (
        RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR, institution_id=employment.institution_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return row.user if row else None


def _leader(version):
    return services.signer_users(version).order_by("pk").first()


def load_confirmation_demo(*, seed: int, today: dt.date | None = None) -> ConfirmationDemoResult:
    from lisplan.accounts.models import User
    from lisplan.trainees.models import Employment

    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(seed * 104729 + 9)
    result = ConfirmationDemoResult()
    persona = User.objects.filter(username="trainee", demo=True).first()
    leader_persona = User.objects.filter(username="leader", demo=True).first()
    candidates = list(
        Employment.objects.filter(
            trainee__demo=True, trainee__user__isnull=False, start__lte=today - dt.timedelta(90)
        )
        .exclude(arena=None)
        .select_related("trainee__user", "institution", "arena")
        .order_by("pk")
    )
    rng.shuffle(candidates)
    # the personas' own: the trainee persona's request, one for the leader persona to sign
    first = [e for e in candidates if persona and e.trainee.user_id == persona.pk][:1]
    leads = []
    if leader_persona is not None:
        from lisplan.accounts.access import grants

        paths = grants(leader_persona).arena_paths.get("confirmation.sign", ())
        leads = [
            e
            for e in candidates
            if e not in first and any(e.arena.path.startswith(p) for p in paths)
        ][:2]
    rest = [e for e in candidates if e not in first and e not in leads]
    chosen = [(e, REQUESTED) for e in first] + [(e, AWAITING) for e in leads[:1]]
    chosen += [(e, SIGNED) for e in leads[1:2]]
    chosen += list(zip(rest, PLAN, strict=False))
    with transaction.atomic():
        ServiceConfirmation.objects.filter(trainee__demo=True).delete()
        for employment, state in chosen:
            coordinator = _coordinator(employment)
            if coordinator is None:
                continue
            version = services.confirmation_request(
                actor=employment.trainee.user, employment=employment
            )
            if state == REQUESTED:
                result.states[state] = result.states.get(state, 0) + 1
                continue
            version = services.confirmation_issue(actor=coordinator, confirmation=version)
            leader = _leader(version)
            if state == AWAITING or leader is None:
                result.states[AWAITING] = result.states.get(AWAITING, 0) + 1
                continue
            version = services.confirmation_sign(actor=leader, confirmation=version)
            if state == CORRECTED:  # a correction: version 2 signed, version 1 superseded
                version = services.confirmation_request(
                    actor=coordinator, employment=employment, note="Rettet permisjon"
                )
                version = services.confirmation_issue(actor=coordinator, confirmation=version)
                services.confirmation_sign(actor=leader, confirmation=version)
            result.states[state] = result.states.get(state, 0) + 1
    result.seconds = time.perf_counter() - started
    return result
