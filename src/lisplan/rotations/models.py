"""Collaboration agreements (fagavtaler), the rotation register (fiktiv enhet) and its requests,
and vacancies at receiving learning arenas (ledige gjennomstrømningsstillinger).

Vocabulary and rules: seed 003 (UNN's checklist) and design/domain.md § 6. Every write goes
through `rotations/services.py` (one transaction, one audit event, notifications to both sides);
the models only hold data and the invariants of one row.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Periods shorter than this are paid by the main employer through refunds (seed 003).
REFUND_BELOW_MONTHS = 3
# A temporary employment of at least this many months puts the trainee in the register.
REGISTER_TEMPORARY_MONTHS = 6
# The signed agreement is a PDF of at most this size (checked by the upload form).
DOCUMENT_MAX_BYTES = 10_000_000


class AgreementQuerySet(models.QuerySet):
    def valid_on(self, on: dt.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class CollaborationAgreement(models.Model):
    """A fagavtale: the sending institution's trainees in `specialty` reach `goals` at the
    receiving institution's `arenas` in the normed `duration_months`, `capacity` at one time.

    The receiving party is an `Institution`: a health trust, a private hospital, or — as kind
    «annen virksomhet» — a private specialist (avtalespesialist) or clinic."""

    class QuotaSemester(models.TextChoices):
        ANY = "any", _("Hvert semester")
        SPRING = "spring", _("Vårsemesteret")
        AUTUMN = "autumn", _("Høstsemesteret")

    reference = models.CharField(_("avtalereferanse"), max_length=50, blank=True)
    sending = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("avgivende foretak"),
        on_delete=models.PROTECT,
        related_name="agreements_sending",
    )
    receiving = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("mottakende foretak / samarbeidsaktør"),
        on_delete=models.PROTECT,
        related_name="agreements_receiving",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    arenas = models.ManyToManyField(
        "organisations.LearningArena",
        verbose_name=_("læringsarenaer hos mottaker"),
        related_name="agreements",
        blank=True,
    )
    goals = models.ManyToManyField(
        "catalogue.LearningGoal",
        verbose_name=_("læringsmål som dekkes"),
        related_name="agreements",
        blank=True,
    )
    prerequisites = models.ManyToManyField(
        "catalogue.LearningGoal",
        verbose_name=_("læringsmål som må være oppnådd før start"),
        related_name="prerequisite_of",
        blank=True,
    )
    duration_months = models.PositiveSmallIntegerField(
        _("normert varighet (mnd.)"),
        validators=[
            MinValueValidator(1, _("Normert varighet må være minst 1 måned.")),
            MaxValueValidator(60, _("Normert varighet kan ikke være over 60 måneder.")),
        ],
    )
    capacity = models.PositiveSmallIntegerField(
        _("kapasitet (samtidige LIS)"),
        default=1,
        validators=[MinValueValidator(1, _("Kapasiteten må være minst 1."))],
    )
    semester_quota = models.PositiveSmallIntegerField(
        _("kvote per semester"),
        null=True,
        blank=True,
        help_text=_("Høyst så mange starter per semester, f.eks. 1 per vårsemester."),
    )
    quota_semester = models.CharField(
        _("kvoten gjelder"),
        max_length=10,
        choices=QuotaSemester.choices,
        default=QuotaSemester.ANY,
    )
    # Calendar months 1–12 in which a period may start; empty means any month.
    start_months = models.JSONField(_("mulige startmåneder"), default=list, blank=True)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    document = models.FileField(
        _("signert avtale"),
        upload_to="agreements/%Y/",
        blank=True,
        max_length=300,
        help_text=_("PDF, høyst 10 MB. Bare de som kan se avtalen, kan laste den ned."),
    )
    notes = models.TextField(_("merknader"), blank=True)
    demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("fagavtale")
        verbose_name_plural = _("fagavtaler")
        ordering = ["specialty__name", "receiving__name", "sending__name", "id"]
        indexes = [
            models.Index(fields=["receiving", "specialty"]),
            models.Index(fields=["sending", "specialty"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agreement_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=~Q(sending=models.F("receiving")), name="agreement_two_parties"
            ),
        ]

    def __str__(self) -> str:
        return self.name_from(self.specialty, self.sending, self.receiving)

    @staticmethod
    def name_from(specialty, sending, receiving) -> str:
        """How an agreement is named: from its specialty and institutions (or their names)."""
        return f"{specialty}: {sending} → {receiving}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("«Gyldig til» kan ikke være før «gyldig fra».")
        if self.sending_id and self.sending_id == self.receiving_id:
            errors["receiving"] = _("Mottakende og avgivende foretak må være forskjellige.")
        months = self.start_months or []
        if not isinstance(months, list) or any(
            not isinstance(m, int) or not 1 <= m <= 12 for m in months
        ):
            errors["start_months"] = _("Startmånedene må være tall fra 1 til 12.")
        if errors:
            raise ValidationError(errors)

    def valid_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def allows_start(self, on: dt.date) -> bool:
        return not self.start_months or on.month in self.start_months

    @property
    def refunded(self) -> bool:
        """Periods under 3 months are refunded by the main employer (seed 003)."""
        return self.duration_months < REFUND_BELOW_MONTHS


class RegisterEntry(models.Model):
    """Membership of the fiktiv enhet: a trainee in the register of their employer, for one
    specialty, from `registered_on` until `left_on`.

    Kept automatically (`services.register_sync`) from employments: permanent, or temporary
    for at least 6 months. `permanent` mirrors the employment: only permanent trainees can be
    offered a rotation position, temporary ones stay registered and accrue seniority."""

    class Source(models.TextChoices):
        EMPLOYMENT = "employment", _("Ansettelse")
        PLAN = "plan", _("Gjennomføringsplan")
        MANUAL = "manual", _("Registrert av koordinator")

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.CASCADE,
        related_name="register_entries",
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("arbeidsgiver"),
        on_delete=models.PROTECT,
        related_name="register_entries",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="register_entries",
    )
    employment = models.ForeignKey(
        "trainees.Employment",
        verbose_name=_("ansettelse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="register_entries",
    )
    permanent = models.BooleanField(_("fast ansatt"), default=True)
    registered_on = models.DateField(_("registrert i fiktiv enhet"))
    left_on = models.DateField(_("utmeldt"), null=True, blank=True)
    source = models.CharField(
        _("kilde"), max_length=20, choices=Source.choices, default=Source.EMPLOYMENT
    )

    class Meta:
        verbose_name = _("registrering i fiktiv enhet")
        verbose_name_plural = _("registreringer i fiktiv enhet")
        ordering = ["registered_on", "id"]
        constraints = [
            # One open membership per trainee, employer and specialty.
            models.UniqueConstraint(
                fields=["trainee", "institution", "specialty"],
                condition=Q(left_on__isnull=True),
                name="register_entry_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} – {self.institution} ({self.specialty})"

    @property
    def active(self) -> bool:
        return self.left_on is None


class Status(models.TextChoices):
    """The life cycle of a request (seed 003; domain.md § 6)."""

    NEED = "need", _("Behov")
    WISH = "wish", _("Ønske registrert")
    FORWARDED = "forwarded", _("Sendt til mottakende foretak")
    OFFERED = "offered", _("Tilbudt")
    ACCEPTED = "accepted", _("Takket ja")
    DECLINED = "declined", _("Takket nei")
    START_AGREED = "start_agreed", _("Oppstart avtalt")
    IN_PROGRESS = "in_progress", _("Pågår")
    COMPLETED = "completed", _("Gjennomført")
    CANCELLED = "cancelled", _("Avbrutt")


# A trainee has wishes at one receiving institution at a time: these statuses are "wishes".
WISH_STATUSES = (Status.WISH, Status.FORWARDED, Status.OFFERED)
# In the queue at the receiving institution (seniority counts from `forwarded_on`).
QUEUE_STATUSES = (Status.FORWARDED, Status.OFFERED)
# Use capacity of the agreement.
OCCUPYING_STATUSES = (Status.ACCEPTED, Status.START_AGREED, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.DECLINED, Status.COMPLETED, Status.CANCELLED)
OPEN_STATUSES = tuple(s for s in Status.values if s not in CLOSED_STATUSES)

# Allowed transitions; services refuse anything else with a message naming both states.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEED: (Status.WISH, Status.CANCELLED),
    Status.WISH: (Status.FORWARDED, Status.NEED, Status.CANCELLED),
    Status.FORWARDED: (Status.OFFERED, Status.CANCELLED),
    Status.OFFERED: (Status.ACCEPTED, Status.DECLINED, Status.CANCELLED),
    Status.ACCEPTED: (Status.START_AGREED, Status.CANCELLED),
    Status.DECLINED: (),
    Status.START_AGREED: (Status.IN_PROGRESS, Status.CANCELLED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.CANCELLED),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
}


class RotationRequest(models.Model):
    """A need or wish for one specialization period (spesialiseringsperiode) at a receiving
    institution, and its life cycle to completion: one line of the fiktiv enhet.

    Created from the approved implementation plan's periods at other institutions
    (`services.sync_from_plan`) or by the sending local coordinator. Each step has its date;
    `forwarded_on` is the seniority at the receiving institution (the queue date)."""

    class Source(models.TextChoices):
        PLAN = "plan", _("Gjennomføringsplan")
        MANUAL = "manual", _("Registrert av koordinator")
        EXTENSION = "extension", _("Forlengelse")

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.PROTECT,
        related_name="rotation_requests",
    )
    sending = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("avgivende foretak (hovedarbeidsgiver)"),
        on_delete=models.PROTECT,
        related_name="rotation_requests_sent",
    )
    receiving = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("mottakende foretak"),
        on_delete=models.PROTECT,
        related_name="rotation_requests_received",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="rotation_requests",
    )
    agreement = models.ForeignKey(
        CollaborationAgreement,
        verbose_name=_("fagavtale"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("læringsarena hos mottaker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rotation_requests",
    )
    desired_start = models.DateField(_("ønsket oppstart"))
    duration_months = models.PositiveSmallIntegerField(
        _("varighet (mnd.)"),
        validators=[
            MinValueValidator(1, _("Varigheten må være minst 1 måned.")),
            MaxValueValidator(60, _("Varigheten kan ikke være over 60 måneder.")),
        ],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEED, db_index=True
    )
    # Priority set by the sending institution among its own trainees (1 first; criterion 5).
    sending_rank = models.PositiveSmallIntegerField(
        _("prioritet hos avgivende foretak"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1, _("Prioriteten må være 1 eller høyere."))],
    )
    # Dates of each step.
    need_on = models.DateField(_("behov registrert"))
    wish_on = models.DateField(_("ønske registrert"), null=True, blank=True)
    forwarded_on = models.DateField(_("sendt til mottaker (ansiennitet)"), null=True, blank=True)
    offered_on = models.DateField(_("tilbudt"), null=True, blank=True)
    answered_on = models.DateField(_("svar"), null=True, blank=True)
    start_agreed_on = models.DateField(_("oppstart avtalt"), null=True, blank=True)
    agreed_start = models.DateField(_("avtalt oppstartsdato"), null=True, blank=True)
    started_on = models.DateField(_("startet"), null=True, blank=True)
    completed_on = models.DateField(_("gjennomført"), null=True, blank=True)
    cancelled_on = models.DateField(_("avbrutt"), null=True, blank=True)
    goals_reached = models.BooleanField(_("læringsmålene nådd"), null=True, blank=True)
    # Periods under 3 months: salary refunded by the main employer (seed 003).
    refunded_by_employer = models.BooleanField(_("refusjon fra hovedarbeidsgiver"), default=False)
    source = models.CharField(
        _("kilde"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    plan_period = models.ForeignKey(
        "plans.Period",
        verbose_name=_("periode i gjennomføringsplan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rotation_requests",
    )
    plan = models.ForeignKey(
        "plans.ImplementationPlan",
        verbose_name=_("gjennomføringsplan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rotation_requests",
    )
    extends = models.ForeignKey(
        "self",
        verbose_name=_("forlengelse av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    vacancy = models.ForeignKey(
        "Vacancy",
        verbose_name=_("ledig stilling"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    comment = models.TextField(_("kommentar"), blank=True)
    # The receiving coordinator let the trainee in without a required goal (seed 003: the
    # receiving trust decides whether the trainee is ready); the reason is recorded and audited.
    prerequisites_waived_reason = models.TextField(
        _("begrunnelse for unntak fra forkunnskapskrav"), blank=True
    )
    prerequisites_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unntak gitt av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    prerequisites_waived_on = models.DateField(_("unntak gitt"), null=True, blank=True)
    # Completed before the period's end (seed 003: goals reached early still serve the full
    # period, so an early end needs a recorded reason).
    early_end_reason = models.TextField(_("begrunnelse for tidlig avslutning"), blank=True)
    demo = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ønske om spesialiseringsperiode")
        verbose_name_plural = _("ønsker om spesialiseringsperioder")
        ordering = ["desired_start", "id"]
        indexes = [
            models.Index(fields=["receiving", "specialty", "status"]),
            models.Index(fields=["trainee", "status"]),
            models.Index(fields=["agreement", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sending=models.F("receiving")), name="request_other_institution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} → {self.receiving} ({self.specialty}, {self.desired_start:%m.%Y})"

    @property
    def start(self) -> dt.date:
        """The agreed start where there is one, else the desired start."""
        return self.agreed_start or self.desired_start

    @property
    def end(self) -> dt.date:
        """The day before the period's last month ends."""
        return add_months(self.start, self.duration_months) - dt.timedelta(days=1)

    @property
    def seniority_date(self) -> dt.date | None:
        """The queue date at the receiving institution: when it got the registration."""
        return self.forwarded_on

    @property
    def is_wish(self) -> bool:
        return self.status in WISH_STATUSES

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class Vacancy(models.Model):
    """A vacant rotation position (ledig gjennomstrømningsstilling) at a receiving learning
    arena, opened by its leader or coordinator to get the ranked candidates from the register."""

    class State(models.TextChoices):
        OPEN = "open", _("Ledig")
        FILLED = "filled", _("Besatt")
        CLOSED = "closed", _("Lukket")

    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("mottakende foretak"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("læringsarena"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    start_from = models.DateField(_("oppstart tidligst"))
    start_to = models.DateField(_("oppstart senest"))
    duration_months = models.PositiveSmallIntegerField(
        _("varighet (mnd.)"),
        validators=[MinValueValidator(1, _("Varigheten må være minst 1 måned."))],
    )
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    selected = models.ForeignKey(
        RotationRequest,
        verbose_name=_("valgt kandidat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="selected_for",
    )
    selected_on = models.DateField(_("kandidat valgt"), null=True, blank=True)
    comment = models.TextField(_("kommentar"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledig gjennomstrømningsstilling")
        verbose_name_plural = _("ledige gjennomstrømningsstillinger")
        ordering = ["start_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_to__gte=models.F("start_from")), name="vacancy_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arena} {self.start_from:%d.%m.%Y}–{self.start_to:%d.%m.%Y}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_from and self.start_to and self.start_to < self.start_from:
            errors["start_to"] = _("«Oppstart senest» kan ikke være før «oppstart tidligst».")
        if (
            self.arena_id
            and self.institution_id
            and self.arena.institution_id != self.institution_id
        ):
            errors["arena"] = _("Læringsarenaen må høre til det mottakende foretaket.")
        if errors:
            raise ValidationError(errors)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31.01 + 1 → 28/29.02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
