"""Checks that the demo tells one coherent story per trainee (issue #12 item 8).

`problems()` reads the loaded demo back and returns what a coordinator would spot, in words
(empty when the demo is coherent). Used by tests/demo/test_consistency.py (2,500 trainees) and
tests/benchmarks/test_demo_consistency.py (7,000), and usable on any demo database:

    lisplan shell -c "from lisplan.demo.consistency import problems; print(problems())"

What it checks, per demo trainee:

* the IUP belongs to one of the trainee's employments, and its specialty is the employment's;
* a tentative period at another unit (table 5) is one the specialty rotates to
  (`iup.demo.OTHER_UNIT`) and overlaps no period at another trust in the approved
  implementation plan;
* no tentative period carries the word «tentativ» in its note (the form marks it already);
* the clinical work in the own unit fits the specialty (no operating programme for psychiatry);
* table 3 «læringsmål i annet helseforetak» names only the institutions of the trainee's own
  periods at another trust (table 5), and names each of them;
* a signed revision's frozen status table (table 4) is dated on or before its signing day;
* approved implementation plan periods are in the plan's specialty (ALIS: institution
  service in another specialty is part of the programme);
* every period at another institution, in every revision, links a collaboration agreement of
  the employer with that institution in the period's specialty, valid when the period starts,
  and keeps its normed duration, start months and validity (`plans.services.agreement_problems`
  would find nothing);
* every rotation request of a demo trainee follows a period at a partner in the trainee's
  approved plan revision (`plan_period`): same employer, institution, specialty, agreement,
  start and months — or, cancelled, one an earlier approved revision had before the newest
  moved it (as `rotations.services.sync_from_plan` cancels it); and every period of an
  approved revision has exactly one request (the demo's story has no request without a plan
  period).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F
from django.utils import timezone

LIMIT = 20  # problems listed per check (the count is always given)


def problems() -> list[str]:
    from lisplan.iup.demo import OTHER_UNIT, PSYCHIATRIC
    from lisplan.iup.models import CoursePeriod, Kind, Revision, Status
    from lisplan.organisations.models import Institution
    from lisplan.plans.models import Period
    from lisplan.plans.models import Status as PlanStatus

    found: dict[str, list[str]] = defaultdict(list)

    # the newest approved implementation plan's periods at another institution, per trainee
    newest: dict[int, int] = {}
    partners: dict[int, list[tuple[str, dt.date, dt.date]]] = defaultdict(list)
    for tid, rev, name, start, end in (
        Period.objects.filter(
            revision__plan__trainee__demo=True, revision__status=PlanStatus.APPROVED
        )
        .exclude(institution_id=F("revision__employer_id"))
        .order_by("revision__plan__trainee_id", "-revision__approved_at", "start")
        .values_list(
            "revision__plan__trainee_id", "revision_id", "institution__name", "start", "end"
        )
    ):
        if newest.setdefault(tid, rev) == rev:
            partners[tid].append((name, start, end))

    for pk, tid, spec, plan_spec in (
        Period.objects.filter(
            revision__plan__trainee__demo=True, revision__status=PlanStatus.APPROVED
        )
        .exclude(specialty_id=F("revision__specialty_id"))
        .exclude(revision__specialty__code="ALM")  # ALIS: institution service elsewhere
        .values_list(
            "pk", "revision__plan__trainee_id", "specialty__code", "revision__specialty__code"
        )[:LIMIT]
    ):
        found["plan_specialty"].append(
            f"Gjennomføringsplanen til lege {tid} har en periode i {spec}, men planen gjelder "
            f"{plan_spec} (periode {pk})."
        )

    names = list(Institution.objects.values_list("name", flat=True))
    revisions = Revision.objects.filter(plan__trainee__demo=True).values(
        "pk",
        "plan__trainee_id",
        "plan__kind",
        "status",
        "signed_at",
        "status_snapshot",
        "goals_other_trust",
        "clinical_own_unit",
        "plan__employment__trainee_id",
        "plan__employment__specialty__code",
    )
    for r in revisions:
        tid, spec = r["plan__trainee_id"], r["plan__employment__specialty__code"]
        if r["plan__employment__trainee_id"] not in (None, tid):
            found["employment"].append(
                f"Utdanningsplanen (revisjon {r['pk']}) til lege {tid} "
                "gjelder en annen leges ansettelse."
            )
        if r["status"] in (Status.SIGNED, Status.SUPERSEDED) and r["status_snapshot"]:
            day = dt.date.fromisoformat(r["status_snapshot"]["computed_on"])
            signed = timezone.localdate(r["signed_at"])
            if day > signed:
                found["snapshot"].append(
                    f"Tabell 4 i revisjon {r['pk']} er «låst ved signering» {signed:%d.%m.%Y}, "
                    f"men datert {day:%d.%m.%Y}."
                )
        if r["plan__kind"] != Kind.HOSPITAL:
            continue
        if spec in PSYCHIATRIC and "operasjon" in (r["clinical_own_unit"] or "").lower():
            found["own_unit"].append(
                f"Lege {tid} i {spec} har operasjonsprogram i egen enhet (revisjon {r['pk']})."
            )
        text = r["goals_other_trust"] or ""
        own = {name for name, _a, _b in partners.get(tid, [])}
        named = {n for n in names if n in text}
        if named - own:
            found["table3"].append(
                f"Tabell 3 i revisjon {r['pk']} nevner {', '.join(sorted(named - own))}, men "
                "tabell 5 (gjennomføringsplanen) har ingen periode der."
            )
        if own - named:
            found["table3"].append(
                f"Tabell 5 for revisjon {r['pk']} har periode ved {', '.join(sorted(own - named))}"
                ", men tabell 3 nevner den ikke."
            )

    for pk, tid, spec, place, start, end, note in CoursePeriod.objects.filter(
        revision__plan__trainee__demo=True
    ).values_list(
        "revision_id",
        "revision__plan__trainee_id",
        "revision__plan__employment__specialty__code",
        "place",
        "start",
        "end",
        "note",
    ):
        if "tentativ" in (note or "").lower():
            found["note"].append(f"Revisjon {pk}: merknaden «{note}» gjentar «tentativ».")
        allowed = OTHER_UNIT.get(spec)
        if allowed is None or place != allowed[0]:
            found["other_unit"].append(
                f"Lege {tid} i {spec} har en tentativ periode ved {place} (revisjon {pk})."
            )
        for name, a, b in partners.get(tid, []):
            if start and end and start <= b and a <= end:
                found["overlap"].append(
                    f"Lege {tid}: tentativ periode ved {place} {start:%d.%m.%Y}–{end:%d.%m.%Y} "
                    f"overlapper perioden ved {name} {a:%d.%m.%Y}–{b:%d.%m.%Y} (revisjon {pk})."
                )

    _agreements_and_requests(found)

    out = []
    for key, rows in found.items():
        out += rows[:LIMIT]
        if len(rows) > LIMIT:
            out.append(f"… og {len(rows) - LIMIT} til av samme slag ({key}).")
    return out


def _agreements_and_requests(found: dict[str, list[str]]) -> None:
    """The plans' periods at partners against the agreements, and the requests against the
    approved plans' periods (issue #12 item 8). Three queries."""
    from lisplan.plans.models import Period
    from lisplan.plans.models import Status as PlanStatus
    from lisplan.plans.rules import add_months
    from lisplan.progress.engine import whole_months
    from lisplan.rotations.models import CollaborationAgreement, RotationRequest
    from lisplan.rotations.models import Status as RequestStatus

    agreements = {a.pk: a for a in CollaborationAgreement.objects.all()}
    approved: dict[int, tuple] = {}
    superseded: dict[int, tuple] = {}  # a later approval moved it: its request is cancelled
    for pk, tid, status, employer, inst, spec, agreement, start, end in (
        Period.objects.filter(revision__plan__trainee__demo=True)
        .exclude(institution_id=F("revision__employer_id"))
        .values_list(
            "pk",
            "revision__plan__trainee_id",
            "revision__status",
            "revision__employer_id",
            "institution_id",
            "specialty_id",
            "agreement_id",
            "start",
            "end",
        )
    ):
        where = f"Lege {tid}: perioden {start:%d.%m.%Y}–{end:%d.%m.%Y} (periode {pk})"
        a = agreements.get(agreement)
        if a is None:
            found["no_agreement"].append(f"{where} hos et annet foretak har ingen fagavtale.")
        elif (a.sending_id, a.receiving_id, a.specialty_id) != (employer, inst, spec):
            found["agreement_parties"].append(
                f"{where} viser til fagavtalen {a.reference}, som gjelder andre parter eller "
                "en annen spesialitet."
            )
        elif not a.valid_on(start) or (a.valid_to and end > a.valid_to):
            found["agreement_validity"].append(
                f"{where} ligger utenfor gyldigheten til fagavtalen {a.reference}."
            )
        elif end >= add_months(start, a.duration_months):
            found["agreement_duration"].append(
                f"{where} er lengre enn normert tid ({a.duration_months} mnd.) i fagavtalen "
                f"{a.reference}."
            )
        elif a.start_months and start.month not in a.start_months:
            found["agreement_start_month"].append(
                f"{where} starter i en måned fagavtalen {a.reference} ikke tillater."
            )
        if status == PlanStatus.APPROVED:
            approved[pk] = (tid, employer, inst, spec, agreement, start, end)
        elif status == PlanStatus.SUPERSEDED:
            superseded[pk] = (tid, employer, inst, spec, agreement, start, end)

    requested: dict[int, int] = defaultdict(int)
    for (
        pk,
        tid,
        period,
        sending,
        receiving,
        spec,
        agreement,
        desired,
        agreed,
        months,
        status,
    ) in RotationRequest.objects.filter(trainee__demo=True).values_list(
        "pk",
        "trainee_id",
        "plan_period_id",
        "sending_id",
        "receiving_id",
        "specialty_id",
        "agreement_id",
        "desired_start",
        "agreed_start",
        "duration_months",
        "status",
    ):
        p = approved.get(period)
        if p is None and status == RequestStatus.CANCELLED:
            p = superseded.get(period)
        if p is None:
            found["request_without_period"].append(
                f"Ønsket {pk} (lege {tid}) følger ingen periode i en godkjent gjennomføringsplan "
                "(et avbrutt ønske: i en tidligere godkjent revisjon)."
            )
            continue
        if period in approved:
            requested[period] += 1
        p_tid, employer, inst, p_spec, p_agreement, start, end = p
        if (tid, sending, receiving, spec, agreement) != (
            p_tid,
            employer,
            inst,
            p_spec,
            p_agreement,
        ):
            found["request_parties"].append(
                f"Ønsket {pk} (lege {tid}) gjelder et annet foretak, en annen spesialitet eller "
                f"en annen fagavtale enn perioden {period} i gjennomføringsplanen."
            )
        elif desired != start or agreed not in (None, start) or months != whole_months(start, end):
            found["request_dates"].append(
                f"Ønsket {pk} (lege {tid}) har andre datoer eller en annen varighet enn perioden "
                f"{start:%d.%m.%Y}–{end:%d.%m.%Y} i gjennomføringsplanen."
            )
    for pk, (tid, *_rest, start, end) in approved.items():
        if requested[pk] != 1:
            found["period_requests"].append(
                f"Lege {tid}: perioden {start:%d.%m.%Y}–{end:%d.%m.%Y} hos et annet foretak i "
                f"den godkjente gjennomføringsplanen har {requested[pk]} ønsker (periode {pk})."
            )
