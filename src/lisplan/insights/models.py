"""Harvests (innhøstinger): the indicators frozen on a date, with the rows behind them.

A harvest stores, for every indicator, the rows of its numerator and denominator for the whole
country on its date, each tagged with the unit it counts in (region, institution, specialty,
learning-arena path) and the trainee's name as it was. Any scope's frozen value is computed from
these rows (`services.frozen_values`), so later changes to plans, IUPs, progress or the register
never change a harvest. The values of the standard scopes (the country, each region,
institution, and each with a specialty) are also stored as `HarvestValue` when the harvest is
taken, for the trend charts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Harvest(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    date = models.DateField(_("innhøstingsdato"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    scheduled = models.BooleanField(
        _("planlagt"),
        default=False,
        help_text=_(
            "Startet av den planlagte jobben 1. mars / 1. september, ikke av en koordinator."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("startet av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    error = models.TextField(_("feilmelding"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("innhøsting")
        verbose_name_plural = _("innhøstinger")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{_('Innhøsting')} {self.date:%d.%m.%Y}"


class Role(models.TextChoices):
    NUMERATOR = "num", _("teller")
    DENOMINATOR = "den", _("nevner")


class HarvestRow(models.Model):
    """One frozen row of an indicator: what was counted, and where it counted."""

    harvest = models.ForeignKey(Harvest, on_delete=models.CASCADE, related_name="frozen_rows")
    indicator = models.CharField(max_length=60)
    role = models.CharField(max_length=3, choices=Role.choices, default=Role.NUMERATOR)
    object_id = models.BigIntegerField()
    # Plain ids, not foreign keys: a frozen row outlives the rows it was taken from.
    trainee_id = models.BigIntegerField(null=True)
    trainee_name = models.CharField(max_length=210, blank=True)
    region_id = models.BigIntegerField(null=True)
    institution_id = models.BigIntegerField(null=True)
    specialty_id = models.BigIntegerField(null=True)
    arena_path = models.CharField(max_length=255, blank=True)
    institution_name = models.CharField(max_length=200, blank=True)
    specialty_name = models.CharField(max_length=200, blank=True)
    arena_name = models.CharField(max_length=200, blank=True)
    day = models.DateField(null=True)
    detail = models.CharField(max_length=300, blank=True)
    weight = models.PositiveIntegerField(default=1)
    measure = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["harvest", "indicator", "role", "region_id"]),
            models.Index(fields=["harvest", "institution_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.role} {self.object_id}"


class HarvestValue(models.Model):
    """A frozen value of one indicator for one standard scope (`Scope.key`)."""

    harvest = models.ForeignKey(Harvest, on_delete=models.CASCADE, related_name="values")
    scope = models.CharField(max_length=100)
    indicator = models.CharField(max_length=60)
    value = models.FloatField(null=True)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["harvest", "scope", "indicator"], name="harvest_value_once"
            )
        ]
        indexes = [models.Index(fields=["scope", "indicator"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.indicator}: {self.value}"


class TraineeFacts(models.Model):
    """What the indicators read about one trainee today, kept so the indicator page for today
    is one query over these rows whatever the size of the scope (issue #18). Each fact is the
    live indicator's own definition evaluated for the trainee (`insights.facts`, from the
    querysets in `indicators`), marked stale in the same transaction as a change to an input
    (signals in `facts.connect`) and recomputed by `facts.ensure_fresh` before a read when stale
    or from before today (the windows move with the date). Other dates are computed live
    (`indicators.evaluate_all`).

    `employment` is the trainee's primary employment on `computed_on` (null: not counted), with
    its institution, arena and specialty (they change only with the employment)."""

    trainee = models.OneToOneField(
        "trainees.Trainee", on_delete=models.CASCADE, primary_key=True, related_name="insight_facts"
    )
    computed_on = models.DateField(db_index=True)
    employment = models.ForeignKey(
        "trainees.Employment", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The employment's unit, named as on `Employment` so a scope filters both the same way
    # (`indicators.employment_scope_q`) without joining the employments.
    institution = models.ForeignKey(
        "organisations.Institution", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    arena = models.ForeignKey(
        "organisations.LearningArena", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    req = models.BooleanField(default=False)  # needs an implementation plan
    valid = models.BooleanField(default=False)  # an approved plan valid today
    expired = models.BooleanField(default=False)  # an approved plan that has expired
    signed = models.BooleanField(default=False)  # a fully signed IUP
    updated = models.BooleanField(default=False)  # IUP signed or panel held in 6 months
    supervised = models.BooleanField(default=False)  # an active supervisor
    meetings = models.PositiveIntegerField(default=0)  # supervision meetings, 12 months
    panels = models.PositiveIntegerField(default=0)  # assessment panels, 12 months
    goals = models.PositiveIntegerField(default=0)  # learning goals approved, 12 months
    # Today's progress summary (`progress.ProgressSummary`), named as there; null: none.
    status = models.CharField(max_length=20, null=True)
    projected_completion = models.DateField(null=True)

    class Meta:
        verbose_name = _("fakta om lege for indikatorene")
        verbose_name_plural = _("fakta om leger for indikatorene")

    def __str__(self) -> str:
        return f"{self.trainee_id} ({self.computed_on})"
