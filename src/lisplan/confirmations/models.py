"""Confirmations of service («Bekreftelse på tjeneste», seed 004: «Vurdere løsning for
bekreftelse på tjenestetid»): the employer confirms a trainee's service in one employment for
the specialist application.

A series per employment (`ServiceConfirmation`); its versions (`ConfirmationVersion`) go
requested (by the trainee, or the coordinator for them) → awaiting the leader's signature
(issued by the coordinator, who takes the snapshot of the ledger) → signed. A signed version
is immutable; a correction is a new version of the same series, and when it is signed the
earlier signed version becomes superseded. The snapshot (`confirmations.snapshot`) holds
everything the document shows, so it reads the same years later whatever changes in the
registrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ServiceConfirmation(models.Model):
    """The series: one per trainee and employment."""

    trainee = models.ForeignKey(
        "trainees.Trainee",
        verbose_name=_("lege"),
        on_delete=models.CASCADE,
        related_name="service_confirmations",
    )
    # The snapshot keeps what the document says if the employment row is later deleted.
    employment = models.ForeignKey(
        "trainees.Employment",
        verbose_name=_("ansettelse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_confirmations",
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("bekreftelse på tjeneste")
        verbose_name_plural = _("bekreftelser på tjeneste")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employment"],
                condition=Q(employment__isnull=False),
                name="confirmation_one_series_per_employment",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Bekreftelse på tjeneste')} – {self.trainee}"


class Status(models.TextChoices):
    REQUESTED = "requested", _("Bestilt")
    AWAITING_SIGNATURES = "awaiting_signatures", _("Til signering")
    SIGNED = "signed", _("Signert")
    SUPERSEDED = "superseded", _("Erstattet")
    DECLINED = "declined", _("Avslått")


OPEN = (Status.REQUESTED, Status.AWAITING_SIGNATURES)


class ConfirmationVersion(models.Model):
    confirmation = models.ForeignKey(
        ServiceConfirmation,
        verbose_name=_("bekreftelse"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("versjon"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    # Optimistic lock: every write bumps it; a write carrying an older value is refused.
    version = models.PositiveIntegerField(default=1)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bestilt av"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    request_note = models.TextField(_("merknad fra bestiller"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utstedt av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("utstedt"), null=True, blank=True)
    # Why it was sent back to the coordinator or declined (the latest such comment).
    comment = models.TextField(_("kommentar"), blank=True)
    # The registered service as the ledger counted it when the coordinator issued the version.
    snapshot = models.JSONField(_("tjenesten slik den ble talt"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signert"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("sist oppdatert"), auto_now=True)

    class Meta:
        verbose_name = _("versjon av bekreftelse på tjeneste")
        verbose_name_plural = _("versjoner av bekreftelser på tjeneste")
        ordering = ["confirmation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["confirmation", "number"], name="confirmation_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{_('Bekreftelse på tjeneste')} – {self.confirmation.trainee}, {self.number}"

    # `documents.signing` reads a revision's series as `plan` and its trainee through it.
    @property
    def plan(self) -> ServiceConfirmation:
        return self.confirmation

    @property
    def trainee_id(self) -> int:  # the read-access log's `trainee_of`
        return self.confirmation.trainee_id

    @property
    def immutable(self) -> bool:
        return self.status in (Status.SIGNED, Status.SUPERSEDED, Status.DECLINED)


class ConfirmationSignature(models.Model):
    """The leader's signature (one role: `documents.signing.sign` completes the version with
    it)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Leder")

    revision = models.ForeignKey(
        ConfirmationVersion,
        verbose_name=_("versjon"),
        on_delete=models.CASCADE,
        related_name="signatures",
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("navn"), max_length=200)
    signed_at = models.DateTimeField(_("signert"))

    class Meta:
        verbose_name = _("signatur på bekreftelse på tjeneste")
        verbose_name_plural = _("signaturer på bekreftelser på tjeneste")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "role"], name="confirmation_signature_one_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"
