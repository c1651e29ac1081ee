"""Builders for the IUP output tests (PDF, export, calendar, API): a filled-in hospital plan for
the `world` trainee and an ALIS plan in a municipality, and signing by all three."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lisplan.iup import services
from lisplan.iup.models import Meeting
from lisplan.organisations.models import Institution
from lisplan.progress.models import ActivityRecord
from tests import factories as f

TODAY = timezone.localdate()
# Planned meetings ahead of today (the calendar drops what lies more than a quarter behind).
MEETING_1 = TODAY + dt.timedelta(days=11)
MEETING_2 = TODAY + dt.timedelta(days=46)
PANEL = TODAY + dt.timedelta(days=108)
NEXT_MEETING = TODAY + dt.timedelta(days=74)

HOSPITAL_CONTENT = {
    "workplace": "Ortopedisk avdeling, Tromsø",
    "scheme": "new",
    "next_panel": PANEL,
    "last_panel": dt.date(2026, 9, 8),
    "programme_plan_url": "https://unn.no/utdanningsplan-ortopedi",
    "goals_own_unit": "ORT-001 til ORT-040 i egen avdeling",
    "goals_other_trust": "Håndkirurgi ved Nordlandssykehuset",
    "degree": "Universitetet i Tromsø 2019",
    "clinical_own_unit": "Traumevakt og poliklinikk",
    "priority_goals": "Artroskopi og frakturbehandling",
    "personal_goal": "Selvstendig på bakvakt",
    "planned_leave": "Foreldrepermisjon høsten 2027",
    "other_competence": "Instruktør i ATLS",
    "made_by": "Tora Trainee og Vera Veileder",
}


def hospital_revision(world, **content):
    """Revision 1 of the `world` trainee's hospital plan, filled in (a draft)."""
    leader = world.users["leader"]
    revision = services.plan_create(actor=leader, trainee=world.trainee)
    return services.revision_update(
        actor=leader,
        revision=revision,
        version=revision.version,
        supervisors=[
            services.SupervisorData(
                "Vera Veileder", "Ortopedisk kirurgi", user=world.users["supervisor"]
            ),
            services.SupervisorData("Per Psykoterapi", "Psykiatri", "psykoterapi"),
        ],
        meetings=[
            services.MeetingData(MEETING_1, time=dt.time(14, 0)),
            services.MeetingData(MEETING_2, time=dt.time(14, 0), note="Rom 3"),
            services.MeetingData(PANEL, Meeting.Kind.ASSESSMENT_PANEL, time=dt.time(9, 0)),
        ],
        periods=[
            services.PeriodData(
                "other_trust",
                "Nordlandssykehuset, håndkirurgi",
                dt.date(2027, 9, 1),
                dt.date(2028, 2, 29),
            )
        ],
        **{**HOSPITAL_CONTENT, **content},
    )


def sign_all(world, revision, users=None):
    users = users or [world.users["trainee"], world.users["supervisor"], world.users["leader"]]
    for user in users:
        revision = services.revision_sign(actor=user, revision=revision)
    return revision


class Alis:
    def __init__(self, world):
        municipality = f.InstitutionFactory(
            code="TK",
            name="Tromsø kommune",
            kind=Institution.Kind.MUNICIPALITY,
            region=world.unn.region,
        )
        specialty = f.SpecialtyFactory(code="ALM", name="Allmennmedisin", kind="community")
        self.arena = f.ArenaFactory(
            institution=municipality, name="Sentrum legesenter", specialty=specialty
        )
        self.leader = f.UserFactory(username="kommuneleder", first_name="Kari", last_name="Kommune")
        self.arena.leader = self.leader
        self.arena.save()
        f.assign(self.leader, "leader", arena=self.arena)
        self.user = f.UserFactory(username="alis", first_name="Alma", last_name="Alis")
        self.trainee = f.TraineeFactory(
            user=self.user, first_name="Alma", last_name="Alis", hpr_number="123456789"
        )
        f.assign(self.user, "trainee")
        f.EmploymentFactory(
            trainee=self.trainee,
            institution=municipality,
            arena=self.arena,
            specialty=specialty,
            start=dt.date(2025, 1, 1),
        )
        self.supervisor = world.users["supervisor"]
        f.SupervisionFactory(
            trainee=self.trainee, supervisor=self.supervisor, start=dt.date(2025, 1, 1)
        )
        ActivityRecord.objects.create(
            trainee=self.trainee,
            kind="out_of_hours",
            date=dt.date(2025, 6, 1),
            count=12,
            title="Legevakt Tromsø",
        )
        self.municipality = municipality

    def revision(self):
        revision = services.plan_create(actor=self.leader, trainee=self.trainee)
        return services.revision_update(
            actor=self.leader,
            revision=revision,
            version=revision.version,
            municipality_registered=True,
            municipality_leader="Kari Kommune",
            alis_coordinator="Ola Koordinator",
            contact="alma@tromso.kommune.no",
            workplace="Sentrum legesenter",
            supervisor_name="Vera Veileder",
            supervisor_contact="vera@tromso.kommune.no",
            minutes_by="trainee",
            plan_open_practice="Fastlegeliste 1200 pasienter",
            plan_other_gp="Sykehjem 20 %",
            plan_institution="6 mnd. ved UNN 2027",
            plan_courses="Grunnkurs B og C",
            plan_group_supervision="Gruppe 2 fortsetter",
            plan_out_of_hours="2 vakter/mnd.",
            plan_other_activities="Praksisbesøk",
            plan_in_depth="Geriatri",
            planned_leave="Ingen",
            plan_overall="Spesialistgodkjenning våren 2030",
            place="Tromsø",
            next_meeting=NEXT_MEETING,
            valid_from=dt.date(2026, 11, 1),
            valid_to=dt.date(2027, 4, 30),
            meetings=[services.MeetingData(MEETING_1, time=dt.time(8, 30))],
        )

    def sign(self, revision):
        for user in (self.user, self.supervisor, self.leader):
            revision = services.revision_sign(actor=user, revision=revision)
        return revision
