"""Progress: learning-goal approvals, learning activities, categorised service periods, the
course catalogue, and a cached per-trainee summary for the overviews.

Hospital service time is derived from the trainee's employments (an employment in the
trainee's own specialty is service in the specialty, another specialty is «annen spesialitet»);
`ServicePeriod` stores only what employments cannot say: the ALIS categories (open unselected
practice, other general-practice service, institutional service), and service outside lisplan
(earlier employers, other countries). See docs/decisions/0005-progress-data.md.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _check_period(start: dt.date | None, end: dt.date | None, field: str = "end") -> None:
    if start and end and end < start:
        raise ValidationError({field: _("Sluttdato kan ikke være før startdato.")})


class Course(models.Model):
    """A course in the catalogue: nationally recommended courses and the ALIS courses."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("Grunnkurs")
        EMERGENCY = "emergency", _("Kurs i akuttmedisin")
        TOPIC = "topic", _("Emnekurs")
        EXPERT_WITNESS = "expert_witness", _("Sakkyndighetskurs")
        FKM = "fkm", _("Kurs i felles kompetansemål")
        NATIONAL = "national", _("Nasjonalt anbefalt kurs")
        OTHER = "other", _("Annet kurs")

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    hours = models.DecimalField(_("timer"), max_digits=5, decimal_places=1, null=True, blank=True)
    # What the course counts as in the requirement sets (progress/data/requirements.yaml):
    # `requirement_code` is matched against a requirement's activity_codes (grunnkurs_a,
    # emnekurs, akuttmedisin, anbefalt, …), `counts_as` against its activity_kind.
    requirement_code = models.CharField(_("kravkode"), max_length=40, blank=True)
    counts_as = models.CharField(_("teller som"), max_length=30, default="course")
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    verified = models.BooleanField(_("verifisert"), default=False)

    class Meta:
        verbose_name = _("kurs")
        verbose_name_plural = _("kurs")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Ikke startet")
    IN_PROGRESS = "in_progress", _("Påbegynt")
    APPROVED = "approved", _("Godkjent")


class Assessment(models.TextChoices):
    PANEL = "panel", _("Vurderingskollegium")
    OBSERVATION = "observation", _("Direkte observasjon")
    SUPERVISION = "supervision", _("Veiledningssamtale")
    CASE = "case", _("Kasusdiskusjon")
    COURSE = "course", _("Kurs med godkjent kursprøve")
    PROCEDURE = "procedure", _("Dokumenterte prosedyrer")
    OTHER = "other", _("Annen vurdering")


class GoalApproval(models.Model):
    """The trainee's status on one version of a learning goal.

    The row points at the goal *version*. When a goal is tightened (a new version from 1 March
    or 1 September), an approval of the earlier version no longer counts: it is kept, shown as
    «godkjent etter tidligere versjon», and the goal must be approved again. Activities count
    for the goal code, whatever the version."""

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.CASCADE,
        related_name="goal_approvals",
    )
    goal = models.ForeignKey(
        "catalogue.LearningGoal",
        verbose_name=_("læringsmål"),
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.IN_PROGRESS
    )
    assessment = models.CharField(
        _("vurderingsform"), max_length=20, choices=Assessment.choices, blank=True
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("oppnådd ved (virksomhet)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("oppnådd ved (læringsarena)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("godkjent av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("godkjent dato"), null=True, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sist endret av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    class Meta:
        verbose_name = _("læringsmål for lege")
        verbose_name_plural = _("læringsmål for leger")
        ordering = ["goal__code", "-goal__valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "goal"], name="goal_approval_once"),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_by__isnull=False, approved_on__isnull=False),
                name="goal_approval_has_approver",
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "status"]),
            # the start page's «læringsmål til godkjenning» counts these over a whole region
            models.Index(
                fields=["trainee"],
                condition=Q(status="in_progress"),
                name="goalapproval_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} – {self.goal_id and self.goal.code}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.status == GoalStatus.APPROVED:
            missing = {}
            if not self.approved_on:
                missing["approved_on"] = _("Et godkjent læringsmål må ha godkjenningsdato.")
            if not self.assessment:
                missing["assessment"] = _("Oppgi hvordan læringsmålet ble vurdert.")
            if missing:
                raise ValidationError(missing)
        if self.approved_on and self.goal_id:
            goal = self.goal
            if self.approved_on < goal.valid_from:
                raise ValidationError(
                    {
                        "approved_on": _(
                            "Godkjenningsdatoen er før denne versjonen av læringsmålet gjaldt (fra "
                            "%(date)s)."
                        )
                        % {"date": f"{goal.valid_from:%d.%m.%Y}"}
                    }
                )
        if (
            self.arena_id
            and self.institution_id
            and self.arena.institution_id != self.institution_id
        ):
            raise ValidationError({"arena": _("Læringsarenaen må høre til virksomheten.")})


class ActivityKind(models.TextChoices):
    COURSE = "course", _("Kurs")
    PROCEDURE = "procedure", _("Prosedyre")
    OUT_OF_HOURS = "out_of_hours", _("Legevakt")
    GROUP_SUPERVISION = "group_supervision", _("Gruppeveiledning")
    SUPERVISION_MEETING = "supervision_meeting", _("Veiledningssamtale")
    ASSESSMENT_PANEL = "assessment_panel", _("Vurderingskollegium")
    OTHER = "other", _("Annen læringsaktivitet")


class MinutesBy(models.TextChoices):
    TRAINEE = "trainee", _("Legen i spesialisering")
    SUPERVISOR = "supervisor", _("Veilederen")


class ActivityRecord(models.Model):
    """One registered learning activity. One table for all kinds, so the ledger and the
    overviews read them with one query; the fields each kind needs are checked in `clean`."""

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("type"), max_length=30, choices=ActivityKind.choices)
    date = models.DateField(_("dato"))
    end_date = models.DateField(_("til dato"), null=True, blank=True)
    course = models.ForeignKey(
        Course,
        verbose_name=_("kurs"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    title = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("timer"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("Antall timer kan ikke være negativt."))],
    )
    count = models.PositiveIntegerField(
        _("antall"),
        default=1,
        validators=[
            MinValueValidator(1, _("Antallet må være minst 1.")),
            MaxValueValidator(10000, _("Antallet kan ikke være over 10 000.")),
        ],
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veileder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes_by = models.CharField(
        _("referent"), max_length=20, choices=MinutesBy.choices, blank=True
    )
    participants = models.TextField(_("deltakere"), blank=True)
    summary = models.TextField(_("oppsummering"), blank=True)
    goals = models.ManyToManyField(
        "catalogue.LearningGoal", verbose_name=_("læringsmål"), blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("sted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("læringsaktivitet")
        verbose_name_plural = _("læringsaktiviteter")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["trainee", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("date")),
                name="activity_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}: {self.label}"

    @property
    def label(self) -> str:
        if self.course_id:
            return str(self.course)
        return self.title or str(self.get_kind_display())

    def clean(self) -> None:
        _check_period(self.date, self.end_date, "end_date")
        errors: dict[str, str] = {}
        kind = self.kind
        if kind == ActivityKind.COURSE and not (self.course_id or self.title):
            errors["course"] = _("Velg kurset fra kurskatalogen, eller skriv navnet på kurset.")
        if kind == ActivityKind.PROCEDURE and not self.title:
            errors["title"] = _("Skriv hvilken prosedyre som er utført.")
        if kind == ActivityKind.GROUP_SUPERVISION:
            if not self.end_date:
                errors["end_date"] = _(
                    "Gruppeveiledning registreres som en periode: oppgi til dato."
                )
            if self.hours is None:
                errors["hours"] = _("Oppgi antall timer gruppeveiledning i perioden.")
        if kind == ActivityKind.SUPERVISION_MEETING and not self.minutes_by:
            errors["minutes_by"] = _("Oppgi hvem som skrev referatet fra veiledningssamtalen.")
        if kind == ActivityKind.ASSESSMENT_PANEL and not self.participants.strip():
            errors["participants"] = _("Oppgi hvem som deltok i vurderingskollegiet.")
        if kind != ActivityKind.COURSE and self.course_id:
            errors["course"] = _("Kurs kan bare velges for aktiviteter av typen kurs.")
        if errors:
            raise ValidationError(errors)


class ServiceCategory(models.TextChoices):
    # Allmennmedisin (ALIS): seed 002, § 5 of domain.md
    OPEN_PRACTICE = "open_practice", _("Åpen uselektert allmennpraksis")
    NURSING_HOME = "nursing_home", _("Annen allmennmedisinsk tjeneste: sykehjem")
    ACUTE_BEDS = "acute_beds", _("Annen allmennmedisinsk tjeneste: kommunale akutte døgnplasser")
    OUT_OF_HOURS = "out_of_hours", _("Annen allmennmedisinsk tjeneste: legevakt")
    HEALTH_STATION = (
        "health_station",
        _("Annen allmennmedisinsk tjeneste: helsestasjon/skolehelsetjeneste"),
    )
    OTHER_GP = "other_gp", _("Annen allmennmedisinsk tjeneste: annet")
    INSTITUTIONAL = "institutional", _("Institusjonstjeneste")
    # Sykehus: service outside the employments lisplan holds
    SPECIALTY = "specialty", _("Tjeneste i spesialiteten (del 2/3)")
    OTHER_SPECIALTY = "other_specialty", _("Tjeneste i annen spesialitet")
    LIS1 = "lis1", _("LIS1 / turnustjeneste")
    # Samfunnsmedisin (SAM): docs/rules.md, requirements.yaml (set «sam»)
    COMMUNITY_MEDICINE = "community_medicine", _("Samfunnsmedisinsk arbeid")
    CLINICAL = "clinical", _("Klinisk tjeneste (primær- eller spesialisthelsetjenesten)")


# ServiceCategory -> the requirement engine's ledger category (progress/engine.py).
LEDGER_CATEGORY = {
    ServiceCategory.OPEN_PRACTICE: "open_practice",
    ServiceCategory.NURSING_HOME: "other_gp",
    ServiceCategory.ACUTE_BEDS: "other_gp",
    ServiceCategory.OUT_OF_HOURS: "other_gp",
    ServiceCategory.HEALTH_STATION: "other_gp",
    ServiceCategory.OTHER_GP: "other_gp",
    ServiceCategory.INSTITUTIONAL: "institution",
    ServiceCategory.SPECIALTY: "specialty",
    ServiceCategory.OTHER_SPECIALTY: "other_specialty",
    ServiceCategory.LIS1: "lis1",
    ServiceCategory.COMMUNITY_MEDICINE: "community_medicine",
    ServiceCategory.CLINICAL: "clinical",
}

GP_CATEGORIES = {
    ServiceCategory.OPEN_PRACTICE,
    ServiceCategory.NURSING_HOME,
    ServiceCategory.ACUTE_BEDS,
    ServiceCategory.OUT_OF_HOURS,
    ServiceCategory.HEALTH_STATION,
    ServiceCategory.OTHER_GP,
    ServiceCategory.INSTITUTIONAL,
}


class ServicePeriod(models.Model):
    """A categorised service period the employments cannot tell (see the module docstring)."""

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.CASCADE,
        related_name="service_periods",
    )
    category = models.CharField(_("kategori"), max_length=30, choices=ServiceCategory.choices)
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("stillingsprosent"),
        default=100,
        validators=[
            MinValueValidator(1, _("Stillingsprosenten må være minst 1.")),
            MaxValueValidator(100, _("Stillingsprosenten kan ikke være over 100.")),
        ],
    )
    employment = models.ForeignKey(
        "trainees.Employment",
        verbose_name=_("ansettelse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_periods",
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("tjenestested"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("tjenestested (fritekst)"), max_length=200, blank=True)
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("merknad"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Optimistic concurrency: every change adds one; a change based on an older version is
    # refused (409 in the API).
    version = models.PositiveIntegerField(_("versjon"), default=1)

    class Meta:
        verbose_name = _("tjenesteperiode")
        verbose_name_plural = _("tjenesteperioder")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="service_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.end:%d.%m.%Y}" if self.end else "…"
        return f"{self.get_category_display()} {self.start:%d.%m.%Y}–{end}"

    def clean(self) -> None:
        _check_period(self.start, self.end)
        if self.employment_id and self.trainee_id and self.employment.trainee_id != self.trainee_id:
            raise ValidationError({"employment": _("Ansettelsen må høre til samme lege.")})
        if self.category == ServiceCategory.OTHER_SPECIALTY and not self.specialty_id:
            raise ValidationError({"specialty": _("Oppgi hvilken spesialitet tjenesten var i.")})
        if self.trainee_id and self.start:
            far = dt.date.max
            clash = (
                ServicePeriod.objects.filter(
                    Q(end__isnull=True) | Q(end__gte=self.start),
                    trainee_id=self.trainee_id,
                    start__lte=self.end or far,
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    {
                        "start": _(
                            "Perioden overlapper en annen tjenesteperiode (%(period)s). To "
                            "tjenesteperioder kan ikke telle samme dager."
                        )
                        % {"period": clash}
                    }
                )


class ProgressStatus(models.TextChoices):
    COMPLETE = "complete", _("Fullført")
    ON_TRACK = "on_track", _("I rute")
    BEHIND = "behind", _("Forsinket")
    AT_RISK = "at_risk", _("I faresonen")
    UNKNOWN = "unknown", _("Ikke beregnet")
    # Started before 1 March 2019 (seed 000: «Konvertering fra gammel til ny
    # utdanningsordning»): no requirement set of the old rules as data; assessed by hand.
    OLD_SCHEME = "old_scheme", _("Gammel ordning – vurderes manuelt")


# The new scheme (spesialistforskriften) applies to those who started on or after this day.
NEW_SCHEME_FROM = dt.date(2019, 3, 1)


class ProgressSummary(models.Model):
    """A cached result of the requirement engine for one trainee, so the overviews of
    thousands of trainees read one row each (constant queries). Written by the progress
    services after every write, and by `lisplan refresh_progress` (nightly: time passes)."""

    trainee = models.OneToOneField(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="progress_summary",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProgressStatus.choices,
        default=ProgressStatus.UNKNOWN,
        db_index=True,
    )
    requirements_met = models.PositiveIntegerField(_("krav oppfylt"), default=0)
    requirements_total = models.PositiveIntegerField(_("krav i alt"), default=0)
    goals_approved = models.PositiveIntegerField(_("læringsmål godkjent"), default=0)
    goals_total = models.PositiveIntegerField(_("læringsmål i alt"), default=0)
    service_months = models.DecimalField(
        _("tjenestetid (mnd.)"), max_digits=6, decimal_places=1, default=0
    )
    service_required_months = models.DecimalField(
        _("påkrevd tjenestetid (mnd.)"), max_digits=6, decimal_places=1, default=0
    )
    projected_completion = models.DateField(_("forventet ferdig"), null=True, blank=True)
    planned_completion = models.DateField(_("planlagt ferdig"), null=True, blank=True)
    driver = models.CharField(_("avgjørende krav"), max_length=300, blank=True)
    # The same driver as the engine's reason (`progress.present.to_json`), so the overview says
    # it in the reader's language; `driver` (bokmål) is the fallback.
    driver_reason = models.JSONField(_("avgjørende krav (begrunnelse)"), null=True, blank=True)
    computed_at = models.DateTimeField(_("beregnet"))
    # The local date the row was computed for: statuses depend on the date, so a row computed
    # before today is out of date (`lisplan refresh_progress --stale-only`, nightly).
    computed_on = models.DateField(_("beregnet for dato"), null=True, blank=True, db_index=True)
    # Set when an input changed outside the progress services (employments, leave, plans,
    # goal versions) — see progress/signals.py; cleared when the row is recomputed.
    stale = models.BooleanField(_("utdatert"), default=False, db_index=True)

    class Meta:
        verbose_name = _("progresjonssammendrag")
        verbose_name_plural = _("progresjonssammendrag")

    def __str__(self) -> str:
        return f"{self.trainee_id}: {self.get_status_display()}"

    @property
    def driver_text(self) -> str:
        """What decides the status, in the reader's language (the stored reason), else the
        stored bokmål text."""
        from lisplan.progress import present

        reason = present.from_json(self.driver_reason)
        return present.text(reason) if reason is not None else self.driver
