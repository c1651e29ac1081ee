"""What the plan's pages, its public page and its PDF show: one context, built from a plan read
with `queries.plan_detail` (no further queries but the agreement-prerequisite union)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lisplan.programmes.models import Approver, ProgrammePlan


def _goals(goals) -> list[dict]:
    """One line per code (the newest version's text where an agreement names several)."""
    newest = {}
    for g in sorted(goals, key=lambda g: (g.code, g.valid_from)):
        newest[g.code] = g
    return [{"code": g.code, "text": g.text.removeprefix("[Demo] ")} for g in newest.values()]


def document_context(plan: ProgrammePlan) -> dict:
    """The plan as a document: phases, arenas at home with their goals and prerequisites,
    partner periods with the agreement's place and goals, who approves. No personal data."""
    phases = list(plan.phases.all())
    arenas = [
        {
            "arena": a.arena.name,
            "phase": a.phase.name if a.phase_id else "",
            "months": a.months,
            "activities": a.activities,
            "goals": _goals(a.goals.all()),
            "prerequisites": _goals(a.prerequisites.all()),
        }
        for a in plan.arenas.all()
    ]
    periods = []
    for p in plan.partner_periods.all():
        agreement = p.agreement
        required = {g.code: g for g in agreement.prerequisites.all()}
        required.update({g.code: g for g in p.prerequisites.all()})
        approver = (
            plan.institution.name if p.approver == Approver.EMPLOYER else agreement.receiving.name
        )
        periods.append(
            {
                "receiving": agreement.receiving.name,
                "agreement": agreement,
                "arenas": ", ".join(a.name for a in agreement.arenas.all()),
                "phase": p.phase.name if p.phase_id else "",
                "months": agreement.duration_months,
                "description": p.description,
                "goals": _goals(agreement.goals.all()),
                "prerequisites": _goals(required.values()),
                "approver": approver,
                "valid_to": agreement.valid_to,
            }
        )
    return {
        "plan": plan,
        "phases": phases,
        "arenas": arenas,
        "periods": periods,
        "total_months": sum(p.months for p in phases),
        "sections": [
            (_("Veiledning og supervisjon"), plan.supervision),
            (_("Vurdering og vurderingskollegium"), plan.assessment),
            (_("Kurs og internundervisning"), plan.courses),
        ],
    }
