"""Implementation plans (individuell gjennomføringsplan): a series of revisions, each signed
by leader and trainee and approved by the employer's local coordinator for 12 months."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lisplan.plans import rules


class ImplementationPlan(models.Model):
    """The series: one per trainee and employment; its revisions carry the content."""

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.PROTECT,
        related_name="implementation_plans",
    )
    employment = models.ForeignKey(
        "trainees.Employment",
        verbose_name=_("ansettelse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implementation_plans",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("individuell gjennomføringsplan")
        verbose_name_plural = _("individuelle gjennomføringsplaner")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Gjennomføringsplan')} – {self.trainee}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Til signering")
    AWAITING_APPROVAL = "awaiting_approval", _("Til godkjenning")
    APPROVED = "approved", _("Godkjent")
    SUPERSEDED = "superseded", _("Erstattet")
    EXPIRED = "expired", _("Utløpt")  # shown, never stored: approved and past valid_until


class Revision(models.Model):
    plan = models.ForeignKey(
        ImplementationPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    number = models.PositiveIntegerField(_("revisjon"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    employee_number = models.CharField(_("ansattnummer"), max_length=30, blank=True)
    employer = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("arbeidsgiver/foretak"),
        on_delete=models.PROTECT,
        related_name="plan_revisions",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("utdanning til spesialist i"),
        on_delete=models.PROTECT,
        related_name="plan_revisions",
    )
    estimated_start = models.DateField(_("beregnet tidsrom fra"), null=True, blank=True)
    estimated_end = models.DateField(_("beregnet tidsrom til"), null=True, blank=True)

    class Purpose(models.TextChoices):
        # Seed 000: «til bruk ved: a) Inngåelse av arbeidsavtale (fast stilling eller
        # vikarstilling, minimum 6 mnd.) b) Konvertering fra gammel til ny utdanningsordning»
        EMPLOYMENT = (
            "employment",
            _("Inngåelse av arbeidsavtale (fast stilling eller vikarstilling, minimum 6 mnd.)"),
        )
        CONVERSION = "conversion", _("Konvertering fra gammel til ny utdanningsordning")

    purpose = models.CharField(
        _("planen gjelder"), max_length=20, choices=Purpose.choices, default=Purpose.EMPLOYMENT
    )
    plan_date = models.DateField(_("dato for fastsatt plan"), null=True, blank=True)
    # «Sted, dato» (seed 000): where the plan was set, beside its date.
    place = models.CharField(_("sted"), max_length=100, blank=True)
    credit_old_scheme_months = models.DecimalField(
        _("godkjent tjenestetid i gammel ordning (mnd.)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(rules.MAX_CREDIT_OLD_SCHEME_MONTHS)],
    )
    credit_other_specialty_months = models.DecimalField(
        _("godkjent tjenestetid fra annen spesialitet (mnd.)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0),
            MaxValueValidator(rules.MAX_CREDIT_OTHER_SPECIALTY_MONTHS),
        ],
    )
    remarks = models.TextField(_("andre merknader"), blank=True)
    outside_employment_confirmed = models.BooleanField(
        _("leder bekrefter perioder utenfor ansettelsen"), default=False
    )
    # The coordinator confirmed, at approval, periods at institutions the employer has no
    # collaboration agreement with.
    no_agreement_confirmed = models.BooleanField(
        _("koordinator bekrefter perioder uten fagavtale"), default=False
    )
    return_comment = models.TextField(_("kommentar ved retur"), blank=True)
    submitted_at = models.DateTimeField(_("sendt til signering"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("godkjent av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("godkjent"), null=True, blank=True)
    valid_until = models.DateField(_("gyldig til"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    # Optimistic lock: every write bumps it; a write carrying an older value is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("revisjon av gjennomføringsplan")
        verbose_name_plural = _("revisjoner av gjennomføringsplaner")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.trainee} – {_('revisjon')} {self.number}"

    def effective_status(self, today: dt.date) -> str:
        if self.status == Status.APPROVED and self.valid_until and self.valid_until < today:
            return Status.EXPIRED
        return self.status

    @property
    def editable(self) -> bool:
        return self.status == Status.DRAFT


class Period(models.Model):
    """A row of «Oversikt på spesialiseringsperioder»."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("revisjon"), on_delete=models.CASCADE, related_name="periods"
    )
    position = models.PositiveSmallIntegerField(default=0)
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialiseringsperiode i (spesialitet)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("foretak/samarbeidsforetak"),
        on_delete=models.PROTECT,
        related_name="plan_periods",
    )
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("klinikk/avdeling"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_place = models.CharField(_("tjenestested"), max_length=200, blank=True)
    start = models.DateField(_("tjenestetid fra"))
    end = models.DateField(_("tjenestetid til"))
    contact_person = models.CharField(
        _("kontaktperson ved mottakende foretak"), max_length=200, blank=True
    )
    agreement = models.ForeignKey(
        "rotations.CollaborationAgreement",
        verbose_name=_("samarbeidsavtale (fagavtale)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_periods",
    )

    class Meta:
        verbose_name = _("spesialiseringsperiode")
        verbose_name_plural = _("spesialiseringsperioder")
        ordering = ["revision", "position", "start"]

    def __str__(self) -> str:
        return f"{self.specialty} {self.institution} {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"


class Signature(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leder med personalansvar")
        TRAINEE = "trainee", _("Arbeidstaker")

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
        verbose_name = _("signatur")
        verbose_name_plural = _("signaturer")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "role"], name="signature_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"
