"""Allocation runs in the app: one row per run of the engine over the register, and one
proposal per request of the run (the Django side; the engine modules import no Django).

A run is created by `services.start_run` (queued), executed by the background task
`tasks.run_allocation` (running → done / failed, with progress), and read by the pages, the API
and the forecast («forventet oppstart»). The instance and the result are kept as the engine's
files (allocation-format.md), so a run can be checked again with `lisplan allocate --validate`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan.allocation.metrics import QUEUE_WEIGHT, QUEUE_WEIGHT_RANGE

MAX_DELAY_MONTHS = 24
MIN_TIME_LIMIT = 5
MAX_TIME_LIMIT = 600
# The defaults where a region has no policy row, and for national runs (decision 0004: the
# engine's queue weight 0.01; Δ and the time limit as the run form has always offered).
DEFAULT_MAX_DELAY_MONTHS = 3
DEFAULT_TIME_LIMIT = 30
MIN_QUEUE_WEIGHT, MAX_QUEUE_WEIGHT = QUEUE_WEIGHT_RANGE


class AllocationRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Kjører")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocation_runs",
        help_text=_("Tom betyr hele landet."),
    )
    max_delay_months = models.PositiveSmallIntegerField(
        _("største forsinkelse (Δ, mnd.)"),
        validators=[MaxValueValidator(MAX_DELAY_MONTHS)],
    )
    time_limit = models.PositiveSmallIntegerField(
        _("tidsgrense (sekunder)"),
        validators=[MinValueValidator(MIN_TIME_LIMIT), MaxValueValidator(MAX_TIME_LIMIT)],
    )
    queue_weight = models.FloatField(
        _("køvekt"),
        default=QUEUE_WEIGHT,
        validators=[MinValueValidator(MIN_QUEUE_WEIGHT), MaxValueValidator(MAX_QUEUE_WEIGHT)],
        help_text=_("Vekten av køordningen i målfunksjonen som kjøringen brukte."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.FloatField(_("framdrift"), default=0.0)
    progress_message = models.CharField(_("siste melding"), max_length=300, blank=True)
    start_month = models.DateField(_("første måned i planen"), null=True, blank=True)
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
    instance = models.JSONField(_("instans"), null=True, blank=True)
    result = models.JSONField(_("resultat"), null=True, blank=True)
    # What the instance could not express from the register (shown on the run page).
    notes = models.JSONField(_("merknader"), default=list, blank=True)
    baseline_metrics = models.JSONField(_("nøkkeltall for køordningen"), null=True, blank=True)
    metrics = models.JSONField(_("nøkkeltall for optimert plan"), null=True, blank=True)
    # «One more place at X would place N» per agreement named by a request without a place
    # (`marginal.analyse`, computed in the background run; the page only reads it).
    marginal = models.JSONField(_("én plass til"), null=True, blank=True)
    bound = models.FloatField(_("nedre grense"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    error = models.TextField(_("feilmelding"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("fordelingskjøring")
        verbose_name_plural = _("fordelingskjøringer")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "region", "-finished_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("allocation:run", args=[self.pk])

    @property
    def heading(self) -> str:
        """The page's heading: the scope; the start time is beside it in the facts."""
        return str(_("Fordeling for %(scope)s") % {"scope": self.scope_label})

    @property
    def title(self) -> str:
        """What a person calls this run: its scope and when it started, never its id."""
        if self.created_at is None:
            return self.heading
        at = timezone.localtime(self.created_at)
        return str(
            _("Fordeling for %(scope)s, startet %(date)s kl. %(time)s")
            % {
                "scope": self.scope_label,
                "date": at.strftime("%d.%m.%Y"),
                "time": at.strftime("%H.%M"),
            }
        )

    @property
    def national(self) -> bool:
        return self.region_id is None

    @property
    def scope(self) -> str:
        return "national" if self.region_id is None else f"region:{self.region_id}"

    @property
    def scope_label(self) -> str:
        return str(_("Hele landet")) if self.region_id is None else str(self.region)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def gap_percent(self) -> float | None:
        return None if self.gap is None else round(100 * self.gap, 2)

    @property
    def percent(self) -> int:
        return max(0, min(100, round(100 * self.progress)))


class Proposal(models.Model):
    """The run's proposal for one request: its start (or why none) next to the queue baseline,
    its place in the priority order, and whether a coordinator has turned it into an offer."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="proposals")
    request = models.ForeignKey(
        "rotations.RotationRequest",
        verbose_name=_("ønske"),
        on_delete=models.CASCADE,
        related_name="allocation_proposals",
    )
    agreement = models.ForeignKey(
        "rotations.CollaborationAgreement",
        verbose_name=_("fagavtale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    queue_position = models.PositiveIntegerField(_("plass i køen"))
    start = models.DateField(_("foreslått oppstart"), null=True, blank=True)
    baseline_start = models.DateField(_("oppstart etter køordningen"), null=True, blank=True)
    wait_months = models.PositiveSmallIntegerField(_("ventetid (mnd.)"), null=True, blank=True)
    reason = models.CharField(_("begrunnelse"), max_length=400, blank=True)
    offered_at = models.DateTimeField(_("tilbud gitt"), null=True, blank=True)

    class Meta:
        verbose_name = _("forslag")
        verbose_name_plural = _("forslag")
        ordering = ["run", "queue_position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "request"], name="proposal_one_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.run} – {self.request_id}"

    @property
    def shift_months(self) -> int | None:
        """Months later (+) or earlier (−) than the queue baseline."""
        if self.start is None or self.baseline_start is None:
            return None
        return (
            (self.start.year - self.baseline_start.year) * 12
            + self.start.month
            - self.baseline_start.month
        )


class AllocationPolicy(models.Model):
    """A region's settings for allocation runs: the weight of the queue order in the objective
    (decision 0004) and the Δ and time limit the run form starts from. No row means the
    defaults (`policy_for` in services); national runs always use the defaults."""

    region = models.OneToOneField(
        "organisations.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="allocation_policy",
    )
    queue_weight = models.FloatField(
        _("køvekt"),
        default=QUEUE_WEIGHT,
        validators=[MinValueValidator(MIN_QUEUE_WEIGHT), MaxValueValidator(MAX_QUEUE_WEIGHT)],
    )
    max_delay_months = models.PositiveSmallIntegerField(
        _("største forsinkelse (Δ, mnd.)"),
        default=DEFAULT_MAX_DELAY_MONTHS,
        validators=[MaxValueValidator(MAX_DELAY_MONTHS)],
    )
    time_limit = models.PositiveSmallIntegerField(
        _("tidsgrense (sekunder)"),
        default=DEFAULT_TIME_LIMIT,
        validators=[MinValueValidator(MIN_TIME_LIMIT), MaxValueValidator(MAX_TIME_LIMIT)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("endret av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("endret"), auto_now=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)

    class Meta:
        verbose_name = _("innstillinger for fordeling")
        verbose_name_plural = _("innstillinger for fordeling")
        ordering = ["region__name"]

    def __str__(self) -> str:
        return f"{_('Innstillinger for fordeling')} – {self.region}"
