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
  service in another specialty is part of the programme).
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

    out = []
    for key, rows in found.items():
        out += rows[:LIMIT]
        if len(rows) > LIMIT:
            out.append(f"… og {len(rows) - LIMIT} til av samme slag ({key}).")
    return out
