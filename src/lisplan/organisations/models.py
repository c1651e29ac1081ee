"""Regions, institutions (utdanningsvirksomheter), learning arenas and approvals."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regioner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Institution(models.Model):
    class Kind(models.TextChoices):
        HEALTH_TRUST = "health_trust", _("Helseforetak")
        PRIVATE_HOSPITAL = "private_hospital", _("Privat sykehus")
        MUNICIPALITY = "municipality", _("Kommune")
        OTHER = "other", _("Annen virksomhet")

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="institutions"
    )
    org_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)

    class Meta:
        verbose_name = _("utdanningsvirksomhet")
        verbose_name_plural = _("utdanningsvirksomheter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LearningArena(models.Model):
    """A clinic, department or section where learning goals can be reached (læringsarena)."""

    class Level(models.TextChoices):
        CLINIC = "clinic", _("Klinikk")
        DEPARTMENT = "department", _("Avdeling")
        SECTION = "section", _("Seksjon")

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("utdanningsvirksomhet"),
        on_delete=models.PROTECT,
        related_name="arenas",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("overordnet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("navn"), max_length=200)
    level = models.CharField(_("nivå"), max_length=20, choices=Level.choices)
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arenas",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_arenas",
    )
    # Materialised path "/1/7/42/" so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("læringsarena")
        verbose_name_plural = _("læringsarenaer")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)
            if old:
                for child in type(self).objects.filter(path__startswith=old).exclude(pk=self.pk):
                    type(self).objects.filter(pk=child.pk).update(
                        path=path + child.path[len(old) :]
                    )

    def clean(self) -> None:
        if self.parent_id and self.parent.institution_id != self.institution_id:
            raise ValidationError(
                {"parent": _("Overordnet læringsarena må høre til samme utdanningsvirksomhet.")}
            )
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("En læringsarena kan ikke ligge under seg selv.")}
                )
            ancestor = ancestor.parent


class Approval(models.Model):
    """The Directorate's approval of an institution to train in a specialty."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("utdanningsvirksomhet"),
        on_delete=models.CASCADE,
        related_name="approvals",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        verbose_name = _("godkjenning")
        verbose_name_plural = _("godkjenninger")
        ordering = ["institution", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "specialty", "valid_from"], name="approval_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} – {self.specialty}"

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("«Gyldig til» kan ikke være før «gyldig fra».")})
