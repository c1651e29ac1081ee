"""Append-only audit events: who changed what, when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utført av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("navn"), max_length=200, blank=True)
    action = models.CharField(_("handling"), max_length=80)
    object_type = models.CharField(_("objekttype"), max_length=80)
    object_id = models.CharField(_("objekt-ID"), max_length=40)
    object_repr = models.CharField(_("objekt"), max_length=300, blank=True)
    # Trainee the event concerns, so a trainee page can show all its history in one query.
    trainee_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("endringer"), default=dict, blank=True)
    request_id = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("revisjonshendelse")
        verbose_name_plural = _("revisjonshendelser")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")


class ReadAccess(models.Model):
    """One read of a trainee's personal data by someone else: who (and in which roles), whose
    data, which object, how (page, PDF, export, API), when, in which request. Written by
    `lisplan.audit.reads`; the trainee sees them on «Hvem har sett mine opplysninger»."""

    class Action(models.TextChoices):
        VIEW = "view", _("Så på siden")
        PDF = "pdf", _("Lastet ned PDF")
        EXPORT = "export", _("Lastet ned eksport")
        API = "api", _("Hentet via API")

    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hvem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("navn"), max_length=200)
    roles = models.CharField(_("roller"), max_length=300, blank=True)
    trainee_id = models.BigIntegerField(_("lege (ID)"), db_index=False)
    object_type = models.CharField(_("objekttype"), max_length=80)
    object_id = models.CharField(_("objekt-ID"), max_length=40)
    object_repr = models.CharField(_("objekt"), max_length=300, blank=True)
    action = models.CharField(_("handling"), max_length=10, choices=Action.choices)
    path = models.CharField(_("adresse"), max_length=300, blank=True)
    request_id = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("innsyn i personopplysninger")
        verbose_name_plural = _("innsyn i personopplysninger")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["trainee_id", "-at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.object_repr}"
