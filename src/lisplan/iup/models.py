"""Individual education plans (individuell utdanningsplan, IUP): hospital (seed 001, tables
1–7) and general practice/ALIS (seed 002). A series per trainee and employment; its revisions
carry the content, are signed by trainee, supervisor and leader, and are immutable once fully
signed. The status tables (table 4 / ALIS section 4) are computed from the progress ledger
(`iup.status`) while a revision is open and frozen into `status_snapshot` when it is signed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    HOSPITAL = "hospital", _("Sykehus (LIS)")
    ALIS = "alis", _("Allmennmedisin (ALIS)")


class EducationPlan(models.Model):
    """The series: one per trainee and employment."""

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.PROTECT,
        related_name="education_plans",
    )
    employment = models.ForeignKey(
        "trainees.Employment",
        verbose_name=_("ansettelse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="education_plans",
    )
    kind = models.CharField(_("skjema"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("første gang utarbeidet"), auto_now_add=True)

    class Meta:
        verbose_name = _("individuell utdanningsplan")
        verbose_name_plural = _("individuelle utdanningsplaner")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Utdanningsplan')} – {self.trainee}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Til signering")
    SIGNED = "signed", _("Signert")
    SUPERSEDED = "superseded", _("Erstattet")


class MinutesBy(models.TextChoices):
    TRAINEE = "trainee", _("ALIS")
    SUPERVISOR = "supervisor", _("Veileder")


def _text(label):
    return models.TextField(label, blank=True)


class Revision(models.Model):
    plan = models.ForeignKey(
        EducationPlan,
        verbose_name=_("utdanningsplan"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    number = models.PositiveIntegerField(_("revisjon"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Optimistic lock: every write bumps it; a write carrying an older value is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist oppdatert"), auto_now=True)
    submitted_at = models.DateTimeField(_("sendt til signering"), null=True, blank=True)
    signed_at = models.DateTimeField(_("ferdig signert"), null=True, blank=True, db_index=True)
    # Table 4 / ALIS section 4 as computed when the revision was fully signed (iup.status).
    status_snapshot = models.JSONField(
        _("status ved signering"), null=True, blank=True, editable=False
    )

    # --- common: period, made by, place, next meeting ------------------------------------
    valid_from = models.DateField(_("gjelder fra"), null=True, blank=True)
    valid_to = models.DateField(_("gjelder til"), null=True, blank=True)
    made_by = models.CharField(_("utarbeidet/revidert av"), max_length=300, blank=True)
    place = models.CharField(_("sted"), max_length=100, blank=True)
    next_meeting = models.DateField(_("dato for neste møte"), null=True, blank=True)

    # --- hospital table 1 ------------------------------------------------------------------
    workplace = models.CharField(_("arbeidssted"), max_length=200, blank=True)
    scheme = models.CharField(
        _("spesialiseringsordning"),
        max_length=3,
        blank=True,
        choices=[("new", _("Ny")), ("old", _("Gammel"))],
    )
    # --- hospital table 2 (supervisors and meetings are child rows) -------------------------
    last_panel = models.DateField(_("vurderingskollegium sist gjennomført"), null=True, blank=True)
    next_panel = models.DateField(_("vurderingskollegium neste planlagte"), null=True, blank=True)
    # --- hospital table 3 (pre-filled from the UAO's template) ------------------------------
    programme_plan_url = models.URLField(_("lenke til utdanningsplan"), max_length=500, blank=True)
    requirements_notes = _text(_("spesielle forhold i utdanningsløpet"))
    goals_own_unit = _text(_("læringsmål i egen enhet"))
    goals_other_unit = _text(_("læringsmål ved annen enhet i helseforetaket"))
    goals_other_trust = _text(_("læringsmål i annet helseforetak"))
    goals_adjacent = _text(_("læringsmål i tilgrensende spesialitet"))
    internal_teaching = _text(_("internundervisning (LIS underviser)"))
    template_applied = models.ForeignKey(
        "iup.RequirementsTemplate",
        verbose_name=_("mal for tabell 3"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # --- hospital table 4 comments (the numbers are computed) --------------------------------
    degree = models.CharField(
        _("grunnutdanning: sted og år for avsluttende eksamen"), max_length=200, blank=True
    )
    lis1_comment = _text(_("turnustjeneste/LIS1: sted og tidsperiode(r)"))
    specialty_time_comment = _text(_("kommentar til tjeneste i spesialiteten"))
    arenas_remaining = _text(_("læringsarenaer utestående og estimert varighet"))
    other_specialties_comment = _text(_("kommentar til tjeneste i andre spesialiteter"))
    courses_comment = _text(_("kommentar til nasjonalt anbefalte kurs"))
    other_courses = _text(_("andre kurs"))
    fkm_project_comment = _text(_("kommentar til prosjektoppgaven"))
    # --- hospital table 6 ------------------------------------------------------------------
    clinical_own_unit = _text(_("klinisk tjeneste: egen avdeling"))
    clinical_other_unit = _text(_("klinisk tjeneste: annen avdeling"))
    clinical_other_trust = _text(_("klinisk tjeneste: annet foretak"))
    procedure_requirements = _text(_("spesielle prosedyrekrav"))
    fkm_in_clinical = _text(_("hvordan felles kompetansemål oppnås i klinisk tjeneste"))
    priority_goals = _text(_("læringsmål som skal prioriteres"))
    courses_national = _text(_("kurs: nasjonalt anbefalte"))
    courses_local = _text(_("kurs: lokale"))
    courses_other = _text(_("kurs: andre"))
    observation_stays = _text(_("hospitering"))
    fkm_project = _text(_("FKM: prosjektoppgave «Kunnskap og forbedring»"))
    fkm_research = _text(_("FKM: forskning"))
    fkm_patient_education = _text(_("FKM: pasient-/brukeropplæring"))
    fkm_supervisor_course = _text(_("FKM: veilederkurs"))
    fkm_other_courses = _text(_("FKM: andre relevante kurs"))
    fkm_group_supervision = _text(_("FKM: gruppeveiledning"))
    fkm_self_study = _text(_("FKM: selvstudium, e-læring og andre læringsaktiviteter"))
    literature = _text(_("litteraturlesing/selvstudium"))
    teaching_topics = _text(_("internundervisning: aktuelle tema"))
    own_supervision_tasks = _text(_("egne veilederoppgaver"))
    personal_goal = _text(_("personlig mål for faglig utvikling"))
    other_content = _text(_("andre tema: faglig innhold"))
    planned_leave = _text(_("planlagte permisjoner/fravær"))
    other_work = _text(_("andre tema: annet arbeid"))
    # --- hospital table 7 ------------------------------------------------------------------
    other_competence = _text(_("annen kompetanse/kommentarer"))

    # --- ALIS 1: municipality --------------------------------------------------------------
    municipality_registered = models.BooleanField(
        _("kommunen er registrert som utdanningsvirksomhet"), null=True, blank=True
    )
    municipality_leader = models.CharField(
        _("leder i kompetanseportalen"), max_length=200, blank=True
    )
    alis_coordinator = models.CharField(
        _("ALIS-koordinator/kontaktperson"), max_length=200, blank=True
    )
    # --- ALIS 2: the ALIS -------------------------------------------------------------------
    contact = models.CharField(_("e-post/telefon"), max_length=200, blank=True)
    # (workplace above is «læringsarena/arbeidssted»)
    # --- ALIS 3: individual supervision -----------------------------------------------------
    supervisor_name = models.CharField(_("individuell veileders navn"), max_length=200, blank=True)
    supervisor_contact = models.CharField(_("veileders e-post/telefon"), max_length=200, blank=True)
    minutes_by = models.CharField(
        _("hvem skriver referat"), max_length=20, blank=True, choices=MinutesBy.choices
    )
    # --- ALIS 4 comments: the numbers are computed ------------------------------------------
    status_comment = _text(_("kommentar til status"))
    # --- ALIS 5: progress plan for the coming period ----------------------------------------
    plan_open_practice = _text(_("åpen uselektert praksis"))
    plan_other_gp = _text(_("eventuelt annen allmennmedisinsk tjeneste"))
    plan_institution = _text(_("institusjonstjeneste"))
    plan_courses = _text(_("kurs"))
    plan_group_supervision = _text(_("gruppeveiledning"))
    plan_out_of_hours = _text(_("legevakt"))
    plan_other_activities = _text(_("andre læringsaktiviteter"))
    plan_in_depth = _text(_("faglig fordypning"))
    # (planned_leave above is «planlagt permisjon/fravær»)
    # --- ALIS 6: plan for the whole course ---------------------------------------------------
    plan_overall = _text(_("plan for hele utdanningsløpet"))

    class Meta:
        verbose_name = _("revisjon av utdanningsplan")
        verbose_name_plural = _("revisjoner av utdanningsplaner")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="iup_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.trainee} – {_('revisjon')} {self.number}"

    @property
    def editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def kind(self) -> str:
        return self.plan.kind


class SupervisorRow(models.Model):
    """Table 2: a supervisor with specialty (several allowed, e.g. psychotherapy supervisor)."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="supervisors")
    position = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veileder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("veileders navn"), max_length=200)
    specialty = models.CharField(_("veileders spesialitet"), max_length=200, blank=True)
    role = models.CharField(_("type veiledning"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("veileder i utdanningsplan")
        verbose_name_plural = _("veiledere i utdanningsplan")
        ordering = ["revision", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.specialty})" if self.specialty else self.name


class Meeting(models.Model):
    """A planned supervision meeting (table 2, recommended monthly) or assessment panel."""

    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("Veiledningssamtale")
        ASSESSMENT_PANEL = "assessment_panel", _("Vurderingskollegium")

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=Kind.SUPERVISION
    )
    date = models.DateField(_("dato"))
    time = models.TimeField(_("klokkeslett"), null=True, blank=True)
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("planlagt møte")
        verbose_name_plural = _("planlagte møter")
        ordering = ["revision", "date", "time", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"


class CoursePeriod(models.Model):
    """Table 5 / ALIS 6: a tentative period typed into the plan (the approved implementation
    plan's periods are shown beside them, read from `plans`)."""

    class Where(models.TextChoices):
        OWN_UNIT = "own_unit", _("Egen avdeling/seksjon/enhet")
        OTHER_UNIT = "other_unit", _("Annen avdeling/seksjon i helseforetaket")
        OTHER_TRUST = "other_trust", _("Annet helseforetak")

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="periods")
    position = models.PositiveSmallIntegerField(default=0)
    where = models.CharField(_("tjenesteperiode"), max_length=20, choices=Where.choices)
    place = models.CharField(_("foretak/avdeling/seksjon"), max_length=200)
    start = models.DateField(_("fra"), null=True, blank=True)
    end = models.DateField(_("til"), null=True, blank=True)
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tentativ tjenesteperiode")
        verbose_name_plural = _("tentative tjenesteperioder")
        ordering = ["revision", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_where_display()}: {self.place}"


class Signature(models.Model):
    class Role(models.TextChoices):
        TRAINEE = "trainee", _("LIS/ALIS")
        SUPERVISOR = "supervisor", _("Veileder")
        LEADER = "leader", _("Leder")

    revision = models.ForeignKey(
        Revision, verbose_name=_("revisjon"), on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signert av"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("navn"), max_length=200)
    signed_at = models.DateTimeField(_("signert"))

    class Meta:
        verbose_name = _("signatur på utdanningsplan")
        verbose_name_plural = _("signaturer på utdanningsplaner")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "role"], name="iup_signature_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class RequirementsTemplate(models.Model):
    """Table 3 filled in once per specialty and institution by the education lead (UAO);
    pre-fills every new IUP on that course."""

    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("utdanningsvirksomhet"),
        on_delete=models.CASCADE,
        related_name="iup_templates",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.CASCADE,
        related_name="iup_templates",
    )
    programme_plan_url = models.URLField(_("lenke til utdanningsplan"), max_length=500, blank=True)
    requirements_notes = _text(_("spesielle forhold i utdanningsløpet"))
    goals_own_unit = _text(_("læringsmål i egen enhet"))
    goals_other_unit = _text(_("læringsmål ved annen enhet i helseforetaket"))
    goals_other_trust = _text(_("læringsmål i annet helseforetak"))
    goals_adjacent = _text(_("læringsmål i tilgrensende spesialitet"))
    internal_teaching = _text(_("internundervisning (LIS underviser)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sist endret av"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("mal for formelle krav (tabell 3)")
        verbose_name_plural = _("maler for formelle krav (tabell 3)")
        ordering = ["institution", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "specialty"], name="iup_template_once_per_course"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialty} – {self.institution}"


TEMPLATE_FIELDS = [
    "programme_plan_url",
    "requirements_notes",
    "goals_own_unit",
    "goals_other_unit",
    "goals_other_trust",
    "goals_adjacent",
    "internal_teaching",
]


class DeadlineSummary(models.Model):
    """A trainee's IUP deadline, kept so the work list, its counts and the start page are
    one indexed query each (issue #18). Marked stale whenever an input changes (signals on
    employments, leave, revisions, meetings and assessment panels, in the same transaction) and
    recomputed by `iup.deadlines` before the next read, and when `fresh_until` has passed: the
    inputs that move with the date (a
    planned panel passing, an employment ending, a panel or leave leaving the look-back window)
    make the row due for recomputation on that day. The state (missing/overdue/due soon/ok)
    depends on today and is computed in the query from `due` and `signed`."""

    trainee = models.OneToOneField(
        "trainees.Trainee", on_delete=models.CASCADE, primary_key=True, related_name="iup_deadline"
    )
    due = models.DateField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=20, blank=True)
    signed = models.BooleanField(default=False)  # a revision counts for the current position
    employed = models.BooleanField(default=False)  # has a current (not ended) employment
    last_signed = models.DateField(null=True, blank=True)
    open_status = models.CharField(max_length=20, blank=True)
    open_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fresh_until = models.DateField(null=True, blank=True, db_index=True)
    computed_on = models.DateField()

    class Meta:
        verbose_name = _("frist for utdanningsplan")
        verbose_name_plural = _("frister for utdanningsplaner")

    def __str__(self) -> str:
        return f"{self.trainee_id}: {self.due} ({self.reason})"
