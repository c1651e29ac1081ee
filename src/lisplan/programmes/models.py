"""Programme plans (the institution's utdanningsplan, seed 003) per institution and specialty,
and the national template every plan starts from (seed 004: standardised plans).

A plan is versioned: `number` 1, 2, … per institution and specialty; a version is a draft
(edited by the education lead), then published by the local coordinator, after which it never
changes; publishing the next version makes the previous one superseded. At most one draft and
one published version per institution and specialty (database constraints).

Every write goes through `programmes/services.py`; rich text is sanitised there (`richtext`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PUBLISHED = "published", _("Publisert")
    SUPERSEDED = "superseded", _("Erstattet")


class Approver(models.TextChoices):
    """Who approves the goals reached in a partner period (seed 004: «godkjenningsansvar ved
    delt læringsarena»): the arena's institution (the default) or the trainee's employer."""

    RECEIVING = "receiving", _("Mottakende virksomhet (læringsarenaens)")
    EMPLOYER = "employer", _("Arbeidsgiver (avgivende virksomhet)")


def _months(label):
    return models.PositiveSmallIntegerField(
        label,
        validators=[
            MinValueValidator(1, _("Normert varighet må være minst 1 måned.")),
            MaxValueValidator(120, _("Normert varighet kan ikke være over 120 måneder.")),
        ],
    )


class NationalTemplate(models.Model):
    """The same skeleton for every institution's plan in one specialty: the phases with normed
    months and the headings of the text sections (`services.template_for` makes the default
    from the catalogue when none is stored)."""

    specialty = models.OneToOneField(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.CASCADE,
        related_name="programme_template",
    )
    # [{"name": str, "months": int, "description": str}, …] in course order
    phases = models.JSONField(_("faser"), default=list)
    introduction = models.TextField(_("innledning"), blank=True)
    supervision = models.TextField(_("veiledning"), blank=True)
    assessment = models.TextField(_("vurdering og vurderingskollegium"), blank=True)
    courses = models.TextField(_("kurs og internundervisning"), blank=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    class Meta:
        verbose_name = _("nasjonal mal for utdanningsplan")
        verbose_name_plural = _("nasjonale maler for utdanningsplaner")
        ordering = ["specialty__name"]

    def __str__(self) -> str:
        return str(self.specialty)


class ProgrammePlan(models.Model):
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("utdanningsvirksomhet"),
        on_delete=models.PROTECT,
        related_name="programme_plans",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        on_delete=models.PROTECT,
        related_name="programme_plans",
    )
    number = models.PositiveIntegerField(_("versjon"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Optimistic lock: every write bumps it; a write carrying an older value is refused (409).
    version = models.PositiveIntegerField(default=1)
    template = models.ForeignKey(
        NationalTemplate,
        verbose_name=_("nasjonal mal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    introduction = models.TextField(_("innledning og oppbygging"), blank=True)
    supervision = models.TextField(_("veiledning og supervisjon"), blank=True)
    assessment = models.TextField(_("vurdering og vurderingskollegium"), blank=True)
    courses = models.TextField(_("kurs og internundervisning"), blank=True)
    contact = models.CharField(_("kontakt (funksjon, ikke person)"), max_length=200, blank=True)
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
    published_on = models.DateField(_("publisert"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publisert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superseded_on = models.DateField(_("erstattet"), null=True, blank=True)
    demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("utdanningsplan for virksomheten")
        verbose_name_plural = _("utdanningsplaner for virksomhetene")
        ordering = ["specialty__name", "institution__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "specialty", "number"], name="programme_plan_unique_number"
            ),
            models.UniqueConstraint(
                fields=["institution", "specialty"],
                condition=Q(status="published"),
                name="programme_plan_one_published",
            ),
            models.UniqueConstraint(
                fields=["institution", "specialty"],
                condition=Q(status="draft"),
                name="programme_plan_one_draft",
            ),
        ]
        indexes = [models.Index(fields=["specialty", "status"])]

    def __str__(self) -> str:
        return f"{self.specialty} – {self.institution} ({_('versjon')} {self.number})"

    @property
    def editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def total_months(self) -> int:
        return sum(p.months for p in self.phases.all())


class Phase(models.Model):
    plan = models.ForeignKey(ProgrammePlan, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    name = models.CharField(_("fase"), max_length=200)
    months = _months(_("normert varighet (mnd.)"))
    description = models.TextField(_("innhold"), blank=True)

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("faser")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.name


class PlanArena(models.Model):
    """A learning arena of the plan's own institution, the goals reached there, the learning
    activities, and the competence required before the rotation starts."""

    plan = models.ForeignKey(ProgrammePlan, on_delete=models.CASCADE, related_name="arenas")
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("læringsarena"),
        on_delete=models.PROTECT,
        related_name="programme_plans",
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("fase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="arenas",
    )
    months = models.PositiveSmallIntegerField(_("normert varighet (mnd.)"), null=True, blank=True)
    activities = models.TextField(_("læringsaktiviteter"), blank=True)
    goals = models.ManyToManyField(
        "catalogue.LearningGoal",
        verbose_name=_("læringsmål"),
        related_name="programme_arenas",
        blank=True,
    )
    prerequisites = models.ManyToManyField(
        "catalogue.LearningGoal",
        verbose_name=_("læringsmål som må være oppnådd før start"),
        related_name="programme_arena_prerequisite_of",
        blank=True,
    )

    class Meta:
        verbose_name = _("læringsarena i utdanningsplanen")
        verbose_name_plural = _("læringsarenaer i utdanningsplanen")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "arena"], name="programme_arena_once")
        ]

    def __str__(self) -> str:
        return str(self.arena)


class PartnerPeriod(models.Model):
    """A period at a partner (gjennomstrømningstjeneste) under a collaboration agreement of
    the plan's institution: the agreement's goals are reached there."""

    plan = models.ForeignKey(
        ProgrammePlan, on_delete=models.CASCADE, related_name="partner_periods"
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    agreement = models.ForeignKey(
        "rotations.CollaborationAgreement",
        verbose_name=_("fagavtale"),
        on_delete=models.PROTECT,
        related_name="programme_periods",
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("fase"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_periods",
    )
    description = models.TextField(_("innhold"), blank=True)
    approver = models.CharField(
        _("godkjenner læringsmålene"),
        max_length=12,
        choices=Approver.choices,
        default=Approver.RECEIVING,
    )
    prerequisites = models.ManyToManyField(
        "catalogue.LearningGoal",
        verbose_name=_("læringsmål som må være oppnådd før start"),
        related_name="programme_period_prerequisite_of",
        blank=True,
    )

    class Meta:
        verbose_name = _("periode hos samarbeidspartner")
        verbose_name_plural = _("perioder hos samarbeidspartnere")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agreement"], name="programme_period_once")
        ]

    def __str__(self) -> str:
        return str(self.agreement)
