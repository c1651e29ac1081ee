"""Checked uploads kept until they are confirmed (the progress import and the learning-goal
import: check → confirm → all or nothing).

A checked file is kept under `VAR_DIR/imports/` (not in MEDIA_ROOT: nothing serves it), named
by its kind, the uploader's id and a random token, so only the uploader can confirm it; it is
removed when imported, and files older than a day are swept on the next upload."""

from __future__ import annotations

import contextlib
import secrets
import time
from pathlib import Path

from django.conf import settings

KEEP_SECONDS = 24 * 60 * 60


class CheckedFiles:
    """The checked files of one kind of import (`prefix` names the kind on disk)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def _dir(self) -> Path:
        path = Path(settings.VAR_DIR) / "imports"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _path(self, user, token: str) -> Path:
        if not token.isalnum():
            raise ValueError("bad token")
        return self._dir() / f"{self.prefix}{user.pk}-{token}"

    def stash(self, user, data: bytes) -> str:
        """Keep a checked file until it is confirmed; returns its token."""
        now = time.time()
        for old in self._dir().glob(f"{self.prefix}*"):
            with contextlib.suppress(OSError):
                if now - old.stat().st_mtime > KEEP_SECONDS:
                    old.unlink()
        token = secrets.token_hex(16)
        self._path(user, token).write_bytes(data)
        return token

    def load(self, user, token: str) -> bytes | None:
        try:
            return self._path(user, token).read_bytes()
        except (OSError, ValueError):
            return None

    def discard(self, user, token: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._path(user, token).unlink(missing_ok=True)
