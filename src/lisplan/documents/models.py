"""Rendered files of immutable documents (issue #18: «documents render once»)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """The PDF of a signed or approved document, rendered on its first download and streamed
    from storage after that. `key` names the document and its version (e.g.
    «iup.revision:12:v5:layout1»); `sha256` is the content hash (also the file name and the
    ETag)."""

    key = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="rendered/", max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100, default="application/pdf")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lagret dokumentfil")
        verbose_name_plural = _("lagrede dokumentfiler")

    def __str__(self) -> str:
        return self.key
