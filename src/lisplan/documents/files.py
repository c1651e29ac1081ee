"""Uploaded files: a replaced or cleared file is removed from storage once the change commits
(never before, so a rolled-back change keeps its file)."""

from __future__ import annotations

from django.db import transaction


def remove_replaced(field_file, old_name: str) -> None:
    """Call after saving a row whose file field was `old_name` before: when the row now holds
    another file (or none), the old one is deleted from storage after the commit."""
    if not old_name or field_file.name == old_name:
        return
    storage = field_file.storage
    transaction.on_commit(lambda: storage.delete(old_name) if storage.exists(old_name) else None)
