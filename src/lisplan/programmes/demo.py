"""Programme plans for the demo region (after `rotations.demo`: agreements exist).

`load_programme_demo(seed=S, today=D)`: for every course of the demo region (an institution
and a specialty it has learning arenas in — the trusts' hospital specialties and the
municipalities' general practice), a plan from the national template:

* most courses have a published version 1; some have a published version and a draft of the
  next one, a few only a draft (the education lead is still working on it);
* a partner period per valid agreement the course sends trainees under (some approved by the
  employer); up to two of the goals those agreements cover are reached only there, the other
  goals are spread over the course's own arenas — except, in some courses, one goal that no
  arena and no agreement offers: a real gap, with candidate places at other institutions;
* `education_lead`'s own course (UNN, DEMO_HOME) is left without a plan, so the persona can
  draft one from the template.

Everything is written with `bulk_create` (a handful of statements whatever the size).
`clear_programmes()` deletes it; the generator calls it before the agreements and arenas go.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.organisations.models import LearningArena
from lisplan.programmes import richtext
from lisplan.programmes.models import (
    Approver,
    PartnerPeriod,
    Phase,
    PlanArena,
    ProgrammePlan,
    Status,
)
from lisplan.programmes.services import template_for
from lisplan.rotations.models import CollaborationAgreement

REGION = "NORD"


@dataclass
class ProgrammeDemo:
    published: int = 0
    drafts: int = 0
    gaps: int = 0
    seconds: float = 0.0


def clear_programmes() -> None:
    ProgrammePlan.objects.filter(demo=True).delete()


def _texts(institution: str, specialty: str) -> dict:
    return {
        "introduction": richtext.sanitise(
            f"Utdanningsløpet i {specialty.lower()} ved {institution} følger den nasjonale "
            "malen: del 2 først, så del 3 med fordypning.\n\nLIS roterer mellom seksjonene "
            "i avdelingen og har perioder hos samarbeidspartnere der et læringsmål ikke kan "
            "nås i egen virksomhet."
        ),
        "supervision": richtext.sanitise(
            "Hver LIS har en fast individuell veileder og veiledningssamtale minst hver "
            "sjette uke. Gruppeveiledning annenhver måned. Supervisjon ved alle prosedyrer "
            "til LIS er vurdert som selvstendig."
        ),
        "assessment": richtext.sanitise(
            "Vurderingskollegiet møtes to ganger i året, med seksjonsoverlegene og "
            "utdanningsansvarlig overlege. Læringsmål godkjennes av leder etter kollegiets "
            "vurdering."
        ),
        "courses": richtext.sanitise(
            "Obligatoriske kurs etter Helsedirektoratets liste; internundervisning hver "
            "torsdag, der LIS underviser to ganger i året."
        ),
        "contact": "utdanningsansvarlig overlege",
    }


def load_programme_demo(*, seed: int, today: dt.date | None = None) -> ProgrammeDemo:
    from django.utils import timezone

    from lisplan.demo.generator import DEMO_HOME

    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(seed * 7919 + 13)
    result = ProgrammeDemo()
    with transaction.atomic():
        clear_programmes()
        arenas: dict[tuple[int, int], list[int]] = defaultdict(list)
        names: dict[int, str] = {}
        inst_names: dict[int, str] = {}
        for pk, inst, inst_code, inst_name, spec in (
            LearningArena.objects.filter(institution__region__code=REGION, specialty__isnull=False)
            .order_by("institution_id", "specialty_id", "path")
            .values_list(
                "pk", "institution_id", "institution__code", "institution__name", "specialty_id"
            )
        ):
            arenas[(inst, spec)].append(pk)
            names[inst] = inst_code
            inst_names[inst] = inst_name
        if not arenas:
            return result
        specs = Specialty.objects.in_bulk({s for _i, s in arenas})
        goals: dict[int, list[int]] = defaultdict(list)
        code_of: dict[int, str] = {}
        for pk, spec, code in (
            LearningGoal.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today),
                valid_from__lte=today,
                specialty_id__in=list(specs),
            )
            .order_by("code")
            .values_list("pk", "specialty_id", "code")
        ):
            goals[spec].append(pk)
            code_of[pk] = code
        agreements: dict[tuple[int, int], list[int]] = defaultdict(list)
        for pk, sending, spec in (
            CollaborationAgreement.objects.valid_on(today)
            .filter(sending_id__in=list(names))
            .order_by("pk")
            .values_list("pk", "sending_id", "specialty_id")
        ):
            agreements[(sending, spec)].append(pk)
        covered: dict[int, set[int]] = defaultdict(set)
        for agreement, goal in CollaborationAgreement.goals.through.objects.filter(
            collaborationagreement_id__in=[a for v in agreements.values() for a in v]
        ).values_list("collaborationagreement_id", "learninggoal_id"):
            covered[agreement].add(goal)
        templates = {s: template_for(specs[s]) for s in specs}

        plans, children = [], []
        for (inst, spec), arena_ids in sorted(arenas.items()):
            if not goals.get(spec):
                continue
            if (names[inst], specs[spec].code) == DEMO_HOME:
                continue  # the education lead's persona drafts this one from the template
            roll = rng.random()
            states = (
                [Status.DRAFT]
                if roll < 0.06
                else [Status.PUBLISHED, Status.DRAFT]
                if roll < 0.16
                else [Status.PUBLISHED]
            )
            # the goals the partner periods are for: up to two of those the agreements cover
            via_agreement = sorted(
                {g for a in agreements.get((inst, spec), []) for g in covered[a]} & set(goals[spec])
            )
            away = set(rng.sample(via_agreement, min(2, len(via_agreement))))
            home = [g for g in goals[spec] if g not in away]
            gap = None
            free = [g for g in home if g not in via_agreement]
            if len(home) > 2 and free and rng.random() < 0.4:
                gap = rng.choice(free)
                home.remove(gap)
            for number, status in enumerate(states, start=1):
                plans.append(
                    ProgrammePlan(
                        institution_id=inst,
                        specialty_id=spec,
                        number=number,
                        status=status,
                        template=templates[spec],
                        demo=True,
                        published_on=(
                            today - dt.timedelta(days=rng.randint(20, 400))
                            if status == Status.PUBLISHED
                            else None
                        ),
                        **_texts(inst_names[inst], specs[spec].name),
                    )
                )
                children.append((inst, spec, arena_ids, home, gap, status))
                if status == Status.PUBLISHED:
                    result.published += 1
                    result.gaps += gap is not None
                else:
                    result.drafts += 1
        ProgrammePlan.objects.bulk_create(plans)
        if not plans[0].pk:  # databases without RETURNING on bulk inserts
            plans = list(ProgrammePlan.objects.filter(demo=True).order_by("pk"))

        phases = []
        for plan, (_inst, spec, *_rest) in zip(plans, children, strict=True):
            for i, p in enumerate(templates[spec].phases):
                phases.append(
                    Phase(
                        plan=plan,
                        order=i,
                        name=p["name"],
                        months=p["months"],
                        description=p.get("description", ""),
                    )
                )
        Phase.objects.bulk_create(phases)
        first_phase = dict(
            Phase.objects.filter(plan__demo=True, order=0).values_list("plan_id", "pk")
        )
        last_phase = dict(
            Phase.objects.filter(plan__demo=True).order_by("order").values_list("plan_id", "pk")
        )

        plan_arenas, arena_goals, periods = [], [], []
        for plan, (inst, spec, arena_ids, home, _gap, _status) in zip(plans, children, strict=True):
            used = arena_ids[:3]
            for i, arena in enumerate(used):
                plan_arenas.append(
                    (
                        PlanArena(
                            plan=plan,
                            order=i,
                            arena_id=arena,
                            months=rng.choice((6, 12, 12, 18)),
                            phase_id=first_phase.get(plan.pk)
                            if i == 0
                            else last_phase.get(plan.pk),
                            activities=richtext.sanitise(
                                "Poliklinikk, vaktarbeid og operasjoner under supervisjon; "
                                "prosedyrer registreres i Kompetanseportalen."
                            ),
                        ),
                        [g for j, g in enumerate(home) if j % len(used) == i],
                    )
                )
            for i, agreement in enumerate(agreements.get((inst, spec), [])):
                periods.append(
                    (
                        PartnerPeriod(
                            plan=plan,
                            order=i,
                            agreement_id=agreement,
                            phase_id=last_phase.get(plan.pk),
                            approver=Approver.EMPLOYER
                            if rng.random() < 0.2
                            else Approver.RECEIVING,
                            description=richtext.sanitise(
                                "Perioden dekker læringsmålene i fagavtalen. Søk gjennom fiktiv enhet "
                                "senest seks måneder før ønsket start."
                            ),
                        ),
                        home,
                    )
                )
        PlanArena.objects.bulk_create([pa for pa, _g in plan_arenas])
        if plan_arenas and not plan_arenas[0][0].pk:
            rows = list(PlanArena.objects.filter(plan__demo=True).order_by("pk"))
            plan_arenas = [(row, g) for row, (_old, g) in zip(rows, plan_arenas, strict=True)]
        for pa, goal_ids in plan_arenas:
            arena_goals += [
                PlanArena.goals.through(planarena_id=pa.pk, learninggoal_id=g) for g in goal_ids
            ]
        PlanArena.goals.through.objects.bulk_create(arena_goals)
        PartnerPeriod.objects.bulk_create([p for p, _h in periods])
        if periods and not periods[0][0].pk:
            rows = list(PartnerPeriod.objects.filter(plan__demo=True).order_by("pk"))
            periods = [(row, h) for row, (_old, h) in zip(rows, periods, strict=True)]
        # about a third of the periods require one of the course's home goals before start
        PartnerPeriod.prerequisites.through.objects.bulk_create(
            [
                PartnerPeriod.prerequisites.through(partnerperiod_id=p.pk, learninggoal_id=home[0])
                for p, home in periods
                if home and rng.random() < 0.35
            ]
        )
    result.seconds = time.perf_counter() - started
    return result
