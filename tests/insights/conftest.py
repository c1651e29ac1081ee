"""A hand-built world for the indicator tests (values worked out in each test's docstring).

Helse Nord (region N) has two institutions, A (with the arena «Ortopedisk avdeling», ORT) and
B; Helse Vest has C. On `AT` (today):

| trainee | employment                 | plan                      | IUP                          | supervisor | progress        |
| ------- | -------------------------- | ------------------------- | ---------------------------- | ---------- | --------------- |
| t1      | A, arena, ORT, permanent   | approved 30 d ago (valid) | signed 30 d ago              | yes        | on track, completes in 6 mnd |
| t2      | A, arena, ORT, permanent   | approved 400 d ago (expired) | none                      | yes        | at risk         |
| t3      | A, no arena, MED, 3-month temp | none (not required)  | signed 8 mnd ago, no panel   | no         | behind          |
| t4      | B, ORT, permanent          | none                      | signed 10 mnd ago, panel 60 d ago | yes   | (no summary)    |
| t5      | C (Vest), ORT, permanent   | none                      | none                         | no         | complete        |

Activities in the last 12 months: t1 three supervision meetings and one assessment panel; t2 one
supervision meeting 13 months ago (outside); t4 the panel. Goals: t1 two approved 100 days ago,
one approved 400 days ago (outside); t2 one in progress. Register: t1 a request forwarded to B
(in the queue); t2 a request forwarded 200 days ago, started 50 days ago (wait ≈ 4.9 months);
t4 an offer declined 20 days ago; t1 an offer accepted 10 days ago (start in 2 months) on the
agreement A→B, ORT, capacity 1, 6 months (2 periods a year at B).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from lisplan.catalogue.models import LearningGoal
from lisplan.iup.models import EducationPlan
from lisplan.iup.models import Revision as IupRevision
from lisplan.organisations.models import LearningArena
from lisplan.plans.models import ImplementationPlan
from lisplan.plans.models import Revision as PlanRevision
from lisplan.progress.models import ActivityRecord, GoalApproval, ProgressSummary
from lisplan.rotations.models import CollaborationAgreement, RotationRequest
from tests import factories as f


@dataclass
class W:
    at: dt.date
    nord: object
    vest: object
    a: object
    b: object
    c: object
    arena: object
    ort: object
    med: object
    t: dict
    users: dict


def _days(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def _moment(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def w(db) -> W:
    at = timezone.localdate()
    nord = f.RegionFactory(code="NORD", name="Helse Nord RHF")
    vest = f.RegionFactory(code="VEST", name="Helse Vest RHF")
    a = f.InstitutionFactory(code="A", name="Sykehus A", region=nord)
    b = f.InstitutionFactory(code="B", name="Sykehus B", region=nord)
    c = f.InstitutionFactory(code="C", name="Sykehus C", region=vest)
    ort = f.SpecialtyFactory(code="ORT", name="Ortopedisk kirurgi")
    med = f.SpecialtyFactory(code="MED", name="Indremedisin")
    arena = f.ArenaFactory(
        institution=a,
        name="Ortopedisk avdeling",
        specialty=ort,
        level=LearningArena.Level.DEPARTMENT,
    )
    sup = f.UserFactory(username="veileder")
    users = {
        name: f.UserFactory(username=name)
        for name in [
            "leader",
            "education_lead",
            "local_coordinator",
            "local_b",
            "regional_coordinator",
            "planner",
            "admin",
            "outsider",
        ]
    }
    f.assign(users["leader"], "leader", arena=arena)
    f.assign(users["education_lead"], "education_lead", institution=a, specialty=ort)
    f.assign(users["local_coordinator"], "local_coordinator", institution=a)
    f.assign(users["local_b"], "local_coordinator", institution=b)
    f.assign(users["regional_coordinator"], "regional_coordinator", region=nord)
    f.assign(users["planner"], "planner", region=nord)
    f.assign(users["admin"], "admin")
    f.assign(users["outsider"], "local_coordinator", institution=c)

    def trainee(name, inst, spec, arena_=None, permanent=True, start=None, end=None):
        start = start or _days(900)
        t = f.TraineeFactory(first_name=name, last_name=f"Lege{name[-1]}")
        e = f.EmploymentFactory(
            trainee=t,
            institution=inst,
            specialty=spec,
            arena=arena_,
            permanent=permanent,
            start=start,
            end=end,
        )
        t.emp = e
        return t

    t1 = trainee("t1", a, ort, arena)
    t2 = trainee("t2", a, ort, arena)
    t3 = trainee(
        "t3", a, med, permanent=False, start=_days(30), end=_days(30) + dt.timedelta(days=89)
    )
    t4 = trainee("t4", b, ort)
    t5 = trainee("t5", c, ort)
    for t in (t1, t2, t4):
        f.SupervisionFactory(trainee=t, supervisor=sup, start=_days(800))

    def plan(t, approved_days_ago):
        p = ImplementationPlan.objects.create(trainee=t, employment=t.emp)
        approved = _moment(approved_days_ago)
        PlanRevision.objects.create(
            plan=p,
            number=1,
            status="approved",
            employer=t.emp.institution,
            specialty=t.emp.specialty,
            approved_at=approved,
            valid_until=timezone.localdate(approved) + dt.timedelta(days=365),
        )

    plan(t1, 30)
    plan(t2, 400)

    def iup(t, signed_days_ago):
        p = EducationPlan.objects.create(trainee=t, employment=t.emp, kind="hospital")
        IupRevision.objects.create(
            plan=p, number=1, status="signed", signed_at=_moment(signed_days_ago)
        )

    iup(t1, 30)
    iup(t3, 240)
    iup(t4, 300)

    def summary(t, status, completion=None):
        ProgressSummary.objects.create(
            trainee=t,
            status=status,
            computed_at=timezone.now(),
            computed_on=at,
            projected_completion=completion,
        )

    summary(t1, "on_track", at + dt.timedelta(days=180))
    summary(t2, "at_risk", at + dt.timedelta(days=900))
    summary(t3, "behind")
    summary(t5, "complete", at + dt.timedelta(days=30))

    for days in (10, 40, 70):
        ActivityRecord.objects.create(
            trainee=t1,
            kind="supervision_meeting",
            date=_days(days),
            minutes_by="trainee",
            title="Veiledning",
        )
    ActivityRecord.objects.create(
        trainee=t2, kind="supervision_meeting", date=_days(395), minutes_by="trainee"
    )
    ActivityRecord.objects.create(
        trainee=t1, kind="assessment_panel", date=_days(100), participants="UAO, leder"
    )
    ActivityRecord.objects.create(
        trainee=t4, kind="assessment_panel", date=_days(60), participants="UAO, leder"
    )

    def goal(code):
        return LearningGoal.objects.create(
            code=code, specialty=ort, part="3", text=code, valid_from=dt.date(2019, 3, 1)
        )

    for code, t, status, days in (
        ("ORT-001", t1, "approved", 100),
        ("ORT-002", t1, "approved", 100),
        ("ORT-003", t1, "approved", 400),
        ("ORT-004", t2, "in_progress", None),
    ):
        GoalApproval.objects.create(
            trainee=t,
            goal=goal(code),
            status=status,
            assessment="panel" if days else "",
            approved_by=sup if days else None,
            approved_on=_days(days) if days else None,
        )

    agreement = CollaborationAgreement.objects.create(
        sending=a, receiving=b, specialty=ort, duration_months=6, capacity=1, valid_from=_days(1000)
    )

    def request(t, status, **kw):
        return RotationRequest.objects.create(
            trainee=t,
            sending=t.emp.institution,
            receiving=kw.pop("receiving", b),
            specialty=ort,
            agreement=agreement,
            desired_start=kw.pop("desired_start", at),
            duration_months=6,
            status=status,
            need_on=_days(500),
            **kw,
        )

    request(t1, "forwarded", forwarded_on=_days(30))
    request(
        t2, "in_progress", forwarded_on=_days(200), started_on=_days(50), agreed_start=_days(50)
    )
    request(
        t4,
        "declined",
        receiving=a,
        forwarded_on=_days(90),
        offered_on=_days(20),
        answered_on=_days(15),
    )
    request(
        t1,
        "accepted",
        forwarded_on=_days(120),
        offered_on=_days(10),
        answered_on=_days(9),
        desired_start=at + dt.timedelta(days=60),
    )
    return W(
        at,
        nord,
        vest,
        a,
        b,
        c,
        arena,
        ort,
        med,
        {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5},
        users,
    )
