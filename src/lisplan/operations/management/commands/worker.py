"""`lisplan worker`: the background worker (django-tasks' `db_worker`) with a heartbeat that
`/helse/` reads. Takes the same options as `db_worker`."""

from __future__ import annotations

import os
import socket

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from lisplan.operations.health import start_heartbeat


class Command(DbWorker):
    help = "Runs queued background tasks and reports a heartbeat for /helse/."

    def handle(self, *args, **options):
        worker_id = options.get("worker_id") or f"{socket.gethostname()}-{os.getpid()}"
        stop = start_heartbeat(worker_id[:100])
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
