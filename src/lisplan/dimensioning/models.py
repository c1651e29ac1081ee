"""Dimensioning in the app: loaded data with provenance, scenarios with versions, and runs of
the engine (the Django side; `engine/` imports no Django).

Data: each file loaded (`loaders.py`) is one `Dataset` — where it came from (source, the
address it was downloaded from, the date it describes and the date it was fetched) and who
loaded it — and every row points to its dataset, so each row keeps its source and date.
Scenarios: a named parameter set; every change is a new `ScenarioVersion` (the old ones stay,
runs point to the version they used). Runs: queued by `services.start_run`, executed by the
background task `tasks.run_dimensioning` (running → done / failed, with progress); the input
and the result are the engine's documents (docs/dimensioning-format.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    class Kind(models.TextChoices):
        SPECIALISTS = "specialists", _("Godkjente spesialister (SSB 07935)")
        EMPLOYED = "employed", _("Sysselsatte spesialister etter helseforetak (SSB 09544)")
        POPULATION = "population", _("Befolkningsframskrivinger (SSB)")
        EXIT_RATES = "exit_rates", _("Avgangsrater")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, db_index=True)
    source = models.CharField(_("kilde"), max_length=300)
    source_url = models.CharField(_("nedlastet fra"), max_length=500, blank=True)
    source_date = models.DateField(_("dato for dataene"))
    file_name = models.CharField(_("fil"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lastet av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    loaded_at = models.DateTimeField(_("lastet"), auto_now_add=True)
    demo = models.BooleanField(_("demodata"), default=False)

    class Meta:
        verbose_name = _("datasett")
        verbose_name_plural = _("datasett")
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.source} ({self.source_date:%d.%m.%Y})"


class SpecialistCount(models.Model):
    """SSB 07935: specialists by specialty, sex and age group in a year (national)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="specialists")
    specialty = models.CharField(_("spesialitet"), max_length=100)
    sex = models.CharField(_("kjønn"), max_length=1)
    age_from = models.PositiveSmallIntegerField(_("alder fra"))
    age_to = models.PositiveSmallIntegerField(_("alder til"))
    year = models.PositiveSmallIntegerField(_("år"))
    heads = models.FloatField(_("antall"))

    class Meta:
        verbose_name = _("spesialister etter alder og kjønn")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.specialty} {self.sex} {self.age_from}–{self.age_to} ({self.year}): {self.heads:g}"


class EmployedSpecialists(models.Model):
    """SSB 09544: employed specialists by specialty and health trust in a year."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="employed")
    specialty = models.CharField(_("spesialitet"), max_length=100)
    trust = models.CharField(_("helseforetak"), max_length=200)
    region = models.CharField(_("region"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("år"))
    heads = models.FloatField(_("antall"))
    fte = models.FloatField(_("årsverk"), null=True, blank=True)

    class Meta:
        verbose_name = _("sysselsatte spesialister")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.specialty}, {self.trust} ({self.year}): {self.heads:g}"


class PopulationProjection(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="population")
    region = models.CharField(_("region"), max_length=100)
    sex = models.CharField(_("kjønn"), max_length=1)
    age = models.PositiveSmallIntegerField(_("alder"))
    year = models.PositiveSmallIntegerField(_("år"))
    persons = models.FloatField(_("personer"))

    class Meta:
        verbose_name = _("befolkningsframskriving")
        verbose_name_plural = _("befolkningsframskrivinger")

    def __str__(self) -> str:
        return f"{self.region} {self.sex} {self.age} ({self.year}): {self.persons:g}"


class ExitRate(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="exit_rates")
    specialty = models.CharField(_("spesialitet"), max_length=100, default="*")
    sex = models.CharField(_("kjønn"), max_length=1, default="*")
    age_from = models.PositiveSmallIntegerField(_("alder fra"))
    age_to = models.PositiveSmallIntegerField(_("alder til"))
    rate = models.FloatField(_("avgangsrate"))

    class Meta:
        verbose_name = _("avgangsrate")
        verbose_name_plural = _("avgangsrater")

    def __str__(self) -> str:
        return f"{self.specialty} {self.sex} {self.age_from}–{self.age_to}: {self.rate:g}"


class Scenario(models.Model):
    name = models.CharField(_("navn"), max_length=120, unique=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opprettet av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)
    demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarioer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dimensioning:scenario", args=[self.pk])

    @property
    def current(self) -> ScenarioVersion | None:
        return self.versions.filter(number=self.version).first()


class ScenarioVersion(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versjon"))
    params = models.JSONField(_("parametre"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("laget av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("laget"), auto_now_add=True)

    class Meta:
        verbose_name = _("scenarioversjon")
        verbose_name_plural = _("scenarioversjoner")
        ordering = ["scenario", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "number"], name="scenario_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scenario.name} v{self.number}"


class DimensioningRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Kjører")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    scenario_version = models.ForeignKey(
        ScenarioVersion,
        verbose_name=_("scenario"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runs",
    )
    draws = models.PositiveIntegerField(_("trekninger"), default=1000)
    seed = models.PositiveIntegerField(_("frø"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.FloatField(_("framdrift"), default=0.0)
    progress_message = models.CharField(_("siste melding"), max_length=300, blank=True)
    input = models.JSONField(_("inndata"), null=True, blank=True)
    result = models.JSONField(_("resultat"), null=True, blank=True)
    notes = models.JSONField(_("merknader"), default=list, blank=True)
    error = models.TextField(_("feilmelding"), blank=True)
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
    task_id = models.CharField(max_length=64, blank=True)
    demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("dimensjoneringskjøring")
        verbose_name_plural = _("dimensjoneringskjøringer")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dimensioning:run", args=[self.pk])

    @property
    def title(self) -> str:
        """What a person calls this run: its scenario and when it started, never its id."""
        if self.created_at is None:
            return str(_("Dimensjonering: %(label)s") % {"label": self.label})
        at = timezone.localtime(self.created_at)
        return str(
            _("Dimensjonering: %(label)s, startet %(date)s kl. %(time)s")
            % {"label": self.label, "date": at.strftime("%d.%m.%Y"), "time": at.strftime("%H.%M")}
        )

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return max(0, min(100, round(100 * self.progress)))

    @property
    def label(self) -> str:
        if self.scenario_version_id:
            return str(self.scenario_version)
        return str(_("Eget inndatadokument"))
