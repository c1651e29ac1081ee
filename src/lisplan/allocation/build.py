"""An allocation instance (`lisplan-allocation/1`, allocation-format.md) from the register.

The mapping, rule by rule:

- **Requests** are those forwarded to a receiving institution (status «sendt til mottaker»),
  in the region's receiving institutions (or the whole country). `registered` is the seniority date
  (`rotations.queries.seniority`: the register date, or the forwarding date), `desired_start` the desired start's month. The acceptable agreements are the
  valid agreements between the same sending and receiving institution in the specialty, the
  request's own agreement first. A request without one cannot be placed and is left out (noted).
  An extension (`extends`) of another queued request of the same trainee comes `after` it.
- **Trainees** are the requests' trainees, one per sending institution (`home`): `permanent`
  from their current employment in the specialty at the sender, `sending_rank` the best rank the
  sender gave their requests, `approved_goals` the agreements' prerequisites they have approved
  and `expected_goals` those an earlier agreed or planned period is expected to reach (from the
  month after it ends; `rotations.queries.goal_states`),
  `unavailable` their leave and every period already offered, accepted, agreed or running
  anywhere.
- **Agreements** valid in the horizon: capacity, duration, start months (a semester-only quota
  narrows them to that semester's months), prerequisites (goal codes), validity in whole months.
  A quota of N starts per semester cannot be expressed in the format: noted, capacity applies.
- **Arenas**: the register has no capacity per learning arena, so each receiving institution and
  specialty is one arena whose capacity is the sum of its agreements' (never binding; noted).
- **Occupied**: periods offered, accepted, agreed or running under an agreement in scope.

The document is checked by the engine's own parser before it is returned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lisplan.allocation.instance import Instance, month_index, month_text
from lisplan.allocation.parse import FORMAT, parse_instance
from lisplan.rotations import queries
from lisplan.rotations.models import (
    OCCUPYING_STATUSES,
    CollaborationAgreement,
    RotationRequest,
    Status,
    add_months,
)

HORIZON_MONTHS = 60
# Periods that take capacity: an open offer holds its place until it is answered.
TAKING_STATUSES = (Status.OFFERED, *OCCUPYING_STATUSES)
SEMESTER_MONTHS = {"spring": (1, 2, 3, 4, 5, 6), "autumn": (7, 8, 9, 10, 11, 12)}


def request_key(pk: int) -> str:
    return f"R-{pk}"


def agreement_key(pk: int) -> str:
    return f"A-{pk}"


def key_pk(key: str) -> int:
    """'R-17' → 17 (also 'A-…', 'T-…')."""
    return int(key.split("-")[1])


def month_date(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def first_month(today: dt.date | None = None) -> dt.date:
    """Plans start with the month after today."""
    return add_months((today or timezone.localdate()).replace(day=1), 1)


@dataclass
class Built:
    document: dict
    instance: Instance
    start_month: dt.date
    notes: list[str] = field(default_factory=list)


def build_instance(region=None, *, max_delay: int = 0, today: dt.date | None = None) -> Built:
    """The instance for one region's receiving institutions, or the country (`region=None`)."""
    first = first_month(today)
    start = month_index(first.isoformat()[:7])
    last_day = add_months(first, HORIZON_MONTHS) - dt.timedelta(days=1)
    notes: list[str] = []

    agreements = list(
        CollaborationAgreement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first), valid_from__lte=last_day
        )
        .filter(**({"receiving__region": region} if region is not None else {}))
        .select_related("sending", "receiving", "specialty")
        .prefetch_related("prerequisites")
        .order_by("pk")
    )
    docs, quota = {}, 0
    from lisplan.programmes.queries import rotation_prerequisites  # the plan's, and the agreement's

    required = rotation_prerequisites([a.pk for a in agreements])
    for agreement in agreements:
        doc = _agreement(agreement)
        if doc is not None:
            doc["prerequisites"] = sorted({g.code for g in required.get(agreement.pk, [])})
            docs[agreement.pk] = doc
            quota += agreement.semester_quota is not None
    if quota:
        notes.append(
            ngettext(
                "%(n)d fagavtale har kvote per semester. Formatet kan ikke uttrykke den; "
                "kapasiteten (samtidige leger) gjelder.",
                "%(n)d fagavtaler har kvote per semester. Formatet kan ikke uttrykke den; "
                "kapasiteten (samtidige leger) gjelder.",
                quota,
            )
            % {"n": quota}
        )
    by_parties: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for agreement in agreements:
        if agreement.pk in docs:
            by_parties[
                (agreement.sending_id, agreement.receiving_id, agreement.specialty_id)
            ].append(agreement.pk)

    queued = list(
        RotationRequest.objects.filter(status=Status.FORWARDED, forwarded_on__isnull=False)
        .filter(**({"receiving__region": region} if region is not None else {}))
        .select_related("trainee", "sending", "receiving", "specialty")
        .order_by("pk")
    )
    accepted: dict[int, list[str]] = {}
    missing = 0
    other_duration = 0
    for r in queued:
        pks = list(by_parties.get((r.sending_id, r.receiving_id, r.specialty_id), []))
        if r.agreement_id in pks:
            pks.remove(r.agreement_id)
            pks.insert(0, r.agreement_id)
        if not pks:
            missing += 1
            continue
        accepted[r.pk] = [agreement_key(pk) for pk in pks]
        other_duration += docs[pks[0]]["duration_months"] != r.duration_months
    if missing:
        notes.append(
            ngettext(
                "%(n)d ønske har ingen gyldig fagavtale i perioden og er ikke med i planen.",
                "%(n)d ønsker har ingen gyldig fagavtale i perioden og er ikke med i planen.",
                missing,
            )
            % {"n": missing}
        )
    if other_duration:
        notes.append(
            ngettext(
                "%(n)d ønske har en annen varighet enn fagavtalen; planen bruker fagavtalens "
                "normerte varighet.",
                "%(n)d ønsker har en annen varighet enn fagavtalen; planen bruker fagavtalens "
                "normerte varighet.",
                other_duration,
            )
            % {"n": other_duration}
        )
    queued = [r for r in queued if r.pk in accepted]

    taking = list(
        RotationRequest.objects.filter(
            status__in=TAKING_STATUSES, trainee_id__in={r.trainee_id for r in queued}
        ).values_list("trainee_id", "agreed_start", "desired_start", "duration_months")
    )
    occupied = [
        {
            "agreement": agreement_key(agreement_id),
            "trainee": f"T-{trainee_id}",
            "from": month_text(month_index(s.isoformat()[:7])),
            "to": month_text(month_index(s.isoformat()[:7]) + months - 1),
        }
        for agreement_id, trainee_id, s, months in (
            (a, t, agreed or desired, m)
            for a, t, agreed, desired, m in RotationRequest.objects.filter(
                status__in=TAKING_STATUSES, agreement_id__in=docs
            )
            .values_list(
                "agreement_id", "trainee_id", "agreed_start", "desired_start", "duration_months"
            )
            .order_by("pk")
        )
        if month_index(s.isoformat()[:7]) + months - 1 >= start
    ]

    arenas: dict[str, dict] = {}
    for doc in docs.values():
        arena = arenas.setdefault(
            doc["arena"], {"id": doc["arena"], "institution": doc["receiving"], "capacity": 0}
        )
        arena["capacity"] += doc["capacity"]
    if arenas:
        notes.append(
            _(
                "Læringsarenaenes samlede kapasitet er ikke registrert: hver fagavtales "
                "kapasitet gjelder for seg."
            )
        )

    trainees = _trainees(queued, accepted, docs, taking, start, last_day)
    document = {
        "format": FORMAT,
        "start_month": month_text(start),
        "horizon_months": HORIZON_MONTHS,
        "policy": {"max_delay_months": max_delay},
        "arenas": sorted(arenas.values(), key=lambda a: a["id"]),
        "agreements": [docs[pk] for pk in sorted(docs)],
        "trainees": trainees,
        "occupied": occupied,
    }
    return Built(document, parse_instance(document), first, notes)


def _first_full_month(day: dt.date) -> int:
    index = month_index(day.isoformat()[:7])
    return index if day.day == 1 else index + 1


def _last_full_month(day: dt.date) -> int:
    index = month_index(day.isoformat()[:7])
    return index if (day + dt.timedelta(days=1)).day == 1 else index - 1


def _agreement(agreement: CollaborationAgreement) -> dict | None:
    months = sorted(
        {m for m in agreement.start_months or () if isinstance(m, int) and 1 <= m <= 12}
    )
    semester = SEMESTER_MONTHS.get(agreement.quota_semester)
    if semester:
        months = [m for m in (months or range(1, 13)) if m in semester]
        if not months:
            return None  # its start months lie outside its semester: it never starts
    valid_from = _first_full_month(agreement.valid_from)
    valid_to = None if agreement.valid_to is None else _last_full_month(agreement.valid_to)
    if valid_to is not None and valid_to < valid_from:
        return None
    return {
        "id": agreement_key(agreement.pk),
        "sending": agreement.sending.code,
        "receiving": agreement.receiving.code,
        "arena": f"{agreement.receiving.code}/{agreement.specialty.code}",
        "specialty": agreement.specialty.code,
        "duration_months": agreement.duration_months,
        "capacity": agreement.capacity,
        "start_months": months,
        "prerequisites": sorted({g.code for g in agreement.prerequisites.all()}),
        "valid_from": month_text(valid_from),
        "valid_to": None if valid_to is None else month_text(valid_to),
    }


def _trainees(
    queued: list[RotationRequest],
    accepted: dict[int, list[str]],
    docs: dict,
    taking: list,
    start: int,
    last_day: dt.date,
) -> list[dict]:
    from lisplan.catalogue.models import LearningGoal
    from lisplan.trainees.models import LeavePeriod

    groups: dict[tuple[int, int], list[RotationRequest]] = defaultdict(list)
    for r in queued:
        groups[(r.trainee_id, r.sending_id)].append(r)
    homes = defaultdict(set)
    for trainee_id, sending_id in groups:
        homes[trainee_id].add(sending_id)
    eligible = queries.eligibility(queued)
    seniority = queries.seniority(queued)
    goal_codes = {code for doc in docs.values() for code in doc["prerequisites"]}
    goal_ids = dict(LearningGoal.objects.filter(code__in=goal_codes).values_list("pk", "code"))
    approved: dict[int, set[str]] = defaultdict(set)
    expected: dict[int, dict[str, str]] = defaultdict(dict)
    if goal_ids:
        for (trainee_id, goal_id), state in queries.goal_states(
            {r.trainee_id for r in queued}, set(goal_ids)
        ).items():
            code = goal_ids[goal_id]
            if state.approved_on is not None:
                approved[trainee_id].add(code)
            elif state.expected_on is not None:
                # Reached by the end of a period ending that day: a start from the next day.
                month = (state.expected_on + dt.timedelta(days=1)).isoformat()[:7]
                expected[trainee_id][code] = min(month, expected[trainee_id].get(code, month))
    busy: dict[int, list[dict]] = defaultdict(list)
    for trainee_id, fro, to in (
        LeavePeriod.objects.filter(
            trainee_id__in=homes, end__gte=month_date(start), start__lte=last_day
        )
        .values_list("trainee_id", "start", "end")
        .order_by("start")
    ):
        busy[trainee_id].append({"from": fro.isoformat()[:7], "to": to.isoformat()[:7]})
    for trainee_id, agreed, desired, months in taking:
        first = month_index((agreed or desired).isoformat()[:7])
        if first + months - 1 >= start:
            busy[trainee_id].append(
                {"from": month_text(first), "to": month_text(first + months - 1)}
            )
    out = []
    for (trainee_id, _sending_id), requests in sorted(groups.items()):
        ident = (
            f"T-{trainee_id}"
            if len(homes[trainee_id]) == 1
            else f"T-{trainee_id}-{requests[0].sending.code}"
        )
        keys = {r.pk for r in requests}
        ranks = [r.sending_rank for r in requests if r.sending_rank is not None]
        out.append(
            {
                "id": ident,
                "home": requests[0].sending.code,
                "specialty": requests[0].specialty.code,
                "permanent": any(eligible[r.pk].permanent for r in requests),
                **({"sending_rank": min(ranks)} if ranks else {}),
                "approved_goals": sorted(approved.get(trainee_id, ())),
                "expected_goals": {
                    code: month
                    for code, month in expected.get(trainee_id, {}).items()
                    if code not in approved.get(trainee_id, ())
                },
                "unavailable": busy.get(trainee_id, []),
                "requests": [
                    {
                        "id": request_key(r.pk),
                        "agreements": accepted[r.pk],
                        "registered": seniority[r.pk].date.isoformat(),
                        "desired_start": r.desired_start.isoformat()[:7],
                        "after": request_key(r.extends_id) if r.extends_id in keys else None,
                    }
                    for r in requests
                ],
            }
        )
    return out
