"""Operations: the background worker's heartbeat (read by the health check)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running worker (`lisplan worker`), touched every 30 seconds."""

    worker_id = models.CharField(_("arbeidsprosess"), max_length=100, unique=True)
    host = models.CharField(_("maskin"), max_length=200, blank=True)
    pid = models.IntegerField(_("prosess-ID"), null=True)
    started_at = models.DateTimeField(_("startet"))
    seen_at = models.DateTimeField(_("sist sett"), db_index=True)

    class Meta:
        verbose_name = _("arbeidsprosess")
        verbose_name_plural = _("arbeidsprosesser")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.seen_at:%Y-%m-%d %H:%M:%S})"
