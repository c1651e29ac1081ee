"""`/helse/`: is the database answering, and has a background worker reported in lately?

200 with `{"status": "ok", …}` when both are well; 503 with the failing part named otherwise.
`/helse/?del=web` checks only the database (liveness of a web container, which should not be
restarted because the worker is down).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time

from django.db import close_old_connections, connection
from django.http import JsonResponse
from django.utils import timezone

from lisplan.accounts.access import public

HEARTBEAT_SECONDS = 30
STALE_AFTER = dt.timedelta(seconds=120)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 — any failure means "not healthy"
        return False


@public
def health(request):
    body: dict = {"database": "ok" if _database() else "fail"}
    healthy = body["database"] == "ok"
    if request.GET.get("del") != "web" and healthy:
        from lisplan.operations.models import WorkerHeartbeat

        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
        seen = last.first()
        age = (timezone.now() - seen).total_seconds() if seen else None
        ok = seen is not None and timezone.now() - seen <= STALE_AFTER
        body["worker"] = {
            "status": "ok" if ok else "fail",
            "last_seen_seconds_ago": round(age) if age is not None else None,
        }
        healthy = ok
    body["status"] = "ok" if healthy else "fail"
    return JsonResponse(body, status=200 if healthy else 503)


def start_heartbeat(worker_id: str) -> threading.Event:
    """Touch this worker's heartbeat row now and every 30 s until the returned event is set."""
    from lisplan.operations.models import WorkerHeartbeat

    stop = threading.Event()
    started = timezone.now()
    host, pid = socket.gethostname()[:200], os.getpid()

    def beat() -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"host": host, "pid": pid, "started_at": started, "seen_at": timezone.now()},
        )

    def loop() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                beat()
            except Exception:  # noqa: BLE001 — a missed beat shows in /helse/, never crashes
                time.sleep(1)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
        connection.close()

    beat()
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    threading.Thread(target=loop, name="lisplan-heartbeat", daemon=True).start()
    return stop
