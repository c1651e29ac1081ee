"""Doctors in specialist training, their employments, leave and supervisors."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HPR_NUMBER = RegexValidator(r"^\d{1,9}$", _("HPR-nummeret består av 1–9 sifre."))


def _check_period(start: dt.date | None, end: dt.date | None, field: str = "end") -> None:
    if start and end and end < start:
        raise ValidationError({field: _("Sluttdato kan ikke være før startdato.")})


class Trainee(models.Model):
    """A doctor in specialist training (LIS or ALIS). Never stores a national identity number."""

    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    # Text, not a number: HPR numbers keep their leading zeros.
    hpr_number = models.CharField(
        _("HPR-nummer"), max_length=9, unique=True, null=True, blank=True, validators=[HPR_NUMBER]
    )
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("brukerkonto"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainee",
    )
    demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lege i spesialisering")
        verbose_name_plural = _("leger i spesialisering")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name", "id"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EmploymentQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        """Employments that have started and not ended by `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on)

    def not_ended(self, on: dt.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=on))


class Employment(models.Model):
    class Scheme(models.TextChoices):
        NEW = "new", _("Ny ordning")
        OLD = "old", _("Gammel ordning")

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("lege"), on_delete=models.CASCADE, related_name="employments"
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("arbeidsgiver"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("læringsarena"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employments",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    permanent = models.BooleanField(_("fast ansatt"), default=True)
    position_percent = models.PositiveSmallIntegerField(
        _("stillingsprosent"),
        default=100,
        validators=[
            MinValueValidator(1, _("Stillingsprosenten må være minst 1.")),
            MaxValueValidator(100, _("Stillingsprosenten kan ikke være over 100.")),
        ],
    )
    start = models.DateField(_("startdato"))
    end = models.DateField(_("sluttdato"), null=True, blank=True)
    scheme = models.CharField(_("ordning"), max_length=3, choices=Scheme.choices, default="new")
    employee_number = models.CharField(_("ansattnummer"), max_length=30, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("ansettelse")
        verbose_name_plural = _("ansettelser")
        ordering = ["-start", "id"]
        indexes = [
            models.Index(fields=["institution", "specialty"]),
            models.Index(fields=["trainee", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="employment_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(position_percent__gte=1, position_percent__lte=100),
                name="employment_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} – {self.specialty} ({self.institution})"

    def clean(self) -> None:
        _check_period(self.start, self.end)
        if not self.permanent and not self.end:
            raise ValidationError({"end": _("Et vikariat må ha sluttdato.")})
        if (
            self.arena_id
            and self.institution_id
            and self.arena.institution_id != self.institution_id
        ):
            raise ValidationError({"arena": _("Læringsarenaen må høre til arbeidsgiveren.")})

    @property
    def months(self) -> float | None:
        if not self.end:
            return None
        return ((self.end - self.start).days + 1) / 30.4375


class LeavePeriod(models.Model):
    class Kind(models.TextChoices):
        PARENTAL = "parental", _("Foreldrepermisjon")
        SICK = "sick", _("Sykefravær")
        EDUCATION = "education", _("Utdanningspermisjon")
        UNPAID = "unpaid", _("Ulønnet permisjon")
        OTHER = "other", _("Annen permisjon")

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("lege"), on_delete=models.CASCADE, related_name="leave_periods"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"))
    percent = models.PositiveSmallIntegerField(
        _("prosent"),
        default=100,
        validators=[
            MinValueValidator(1, _("Permisjonsprosenten må være minst 1.")),
            MaxValueValidator(100, _("Permisjonsprosenten kan ikke være over 100.")),
        ],
    )

    class Meta:
        verbose_name = _("permisjon")
        verbose_name_plural = _("permisjoner")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="leave_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"

    def clean(self) -> None:
        _check_period(self.start, self.end)


class Supervision(models.Model):
    """A supervisor relation (veileder) between a user and a trainee."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Hovedveileder")
        ADDITIONAL = "additional", _("Tilleggsveileder")
        PSYCHOTHERAPY = "psychotherapy", _("Psykoterapiveileder")

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("lege"), on_delete=models.CASCADE, related_name="supervisions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veileder"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default="main")
    start = models.DateField(_("fra"))
    end = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        verbose_name = _("veilederrelasjon")
        verbose_name_plural = _("veilederrelasjoner")
        ordering = ["kind", "-start"]
        indexes = [models.Index(fields=["supervisor", "trainee"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.supervisor} → {self.trainee}"

    def clean(self) -> None:
        _check_period(self.start, self.end)
