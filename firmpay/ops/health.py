"""`/healthz`: the process answers (no database). `/readyz`: the database and the Huey queue
(Redis, or the SQLite queue file) answer; 503 naming what failed. For load balancers and
orchestrators; neither needs a log-in nor touches sessions."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("firmpay.ops.health")


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _queue() -> None:
    from huey.contrib.djhuey import HUEY

    storage = HUEY.storage
    conn = getattr(storage, "conn", None)
    if conn is not None and hasattr(conn, "ping"):
        conn.ping()  # Redis
    else:
        HUEY.pending_count()  # SQLite / memory queue


CHECKS = {"database": _database, "queue": _queue}


@never_cache
@require_GET
def readyz(request):
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - reported, never raised
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            checks[name] = f"failed: {type(error).__name__}"
        else:
            checks[name] = "ok"
    failed = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ok" if not failed else "unavailable", "checks": checks, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)
