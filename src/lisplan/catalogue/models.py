"""Specialties, FKM topic areas and learning goals, loaded from `catalogue/data/`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Specialty(models.Model):
    class Part2Group(models.TextChoices):
        FIM = "FIM", _("Felles indremedisinsk del 2")
        FKI = "FKI", _("Felles kirurgisk del 2")

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Sykehusspesialitet")
        COMMUNITY = "community", _("Kommunal spesialitet")

    code = models.CharField(
        _("kode"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-ZÆØÅ]{3}$", _("Koden er tre store bokstaver."))],
    )
    name = models.CharField(_("navn"), max_length=100, unique=True)
    name_en = models.CharField(_("navn (engelsk)"), max_length=100, blank=True)
    part2_group = models.CharField(
        _("del 2"), max_length=3, choices=Part2Group.choices, blank=True, default=""
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    verified = models.BooleanField(_("verifisert"), default=False)

    class Meta:
        verbose_name = _("spesialitet")
        verbose_name_plural = _("spesialiteter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicArea(models.Model):
    """An FKM topic area (felles kompetansemål), e.g. «Etikk»."""

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    source = models.CharField(_("kilde"), max_length=300, blank=True)
    verified = models.BooleanField(_("verifisert"), default=False)

    class Meta:
        verbose_name = _("FKM-tema")
        verbose_name_plural = _("FKM-temaer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


GOAL_CODE = RegexValidator(
    r"^[A-ZÆØÅ]{3}-\d{3}$", _("Læringsmålkoden skal ha formen ABC-123, for eksempel AMM-067.")
)


class LearningGoal(models.Model):
    class Part(models.TextChoices):
        LIS1 = "lis1", _("Del 1 (LIS1)")
        PART2 = "part2", _("Del 2")
        PART3 = "part3", _("Del 3")
        COMMON = "common", _("Felles kompetansemål")

    code = models.CharField(_("kode"), max_length=7, validators=[GOAL_CODE], db_index=True)
    specialty = models.ForeignKey(
        Specialty,
        verbose_name=_("spesialitet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_goals",
    )
    common = models.BooleanField(_("felles kompetansemål (FKM)"), default=False)
    topic_area = models.ForeignKey(
        TopicArea,
        verbose_name=_("FKM-tema"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_goals",
    )
    part = models.CharField(_("del"), max_length=10, choices=Part.choices)
    text = models.TextField(_("tekst"))
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    demo = models.BooleanField(
        _("demotekst"),
        default=False,
        help_text=_("Eksempeltekst, ikke den offisielle formuleringen fra Helsedirektoratet."),
    )
    source = models.CharField(_("kilde"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("læringsmål")
        verbose_name_plural = _("læringsmål")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="goal_unique_version"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("«Gyldig til» kan ikke være før «gyldig fra».")})
        if self.common != (self.part == self.Part.COMMON):
            raise ValidationError({"part": _("FKM-mål har del «Felles kompetansemål».")})
