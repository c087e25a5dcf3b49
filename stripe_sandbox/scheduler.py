"""Work due at a moment of the sandbox clock (verification finishing, a
deadline passing, a bank debit settling).

Jobs are rows, so they survive restarts; they run when the clock reaches
them, from the ticker thread in real time or at once when a control call
advances the clock. Register a handler by name and schedule by name:

    @job("account.verify")
    def verify(sb, payload): ...

    sb.schedule(sb.now() + 5, "account.verify", {"account": acct})
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

log = logging.getLogger("stripe_sandbox.scheduler")

JobHandler = Callable[["Sandbox", dict[str, Any]], None]
JOBS: dict[str, JobHandler] = {}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_at REAL NOT NULL,
    name TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_run_at ON jobs (run_at);
"""


def job(name: str) -> Callable[[JobHandler], JobHandler]:
    def decorator(fn: JobHandler) -> JobHandler:
        JOBS[name] = fn
        return fn

    return decorator


class Scheduler:
    def __init__(self, sb: Sandbox, interval: float = 0.2) -> None:
        self.sb = sb
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        for statement in _SCHEMA.strip().split(";"):
            if statement.strip():
                sb.store.execute(statement)

    def schedule(self, at: float, name: str, payload: dict[str, Any]) -> None:
        if name not in JOBS:
            raise KeyError(f"no job registered as {name!r}")
        self.sb.store.execute(
            "INSERT INTO jobs (run_at, name, payload) VALUES (?, ?, ?)",
            (float(at), name, json.dumps(payload)),
        )

    def cancel(self, name: str, **match: Any) -> None:
        """Drop pending jobs of `name` whose payload has the given values."""
        store = self.sb.store
        with store.lock:
            for job_id, payload in store.execute(
                "SELECT id, payload FROM jobs WHERE name = ?", (name,)
            ).fetchall():
                data = json.loads(payload)
                if all(data.get(k) == v for k, v in match.items()):
                    store.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def run_due(self) -> int:
        """Run every job the clock has reached, oldest first; returns how many."""
        ran = 0
        while True:
            with self.sb.store.transaction():
                row = self.sb.store.execute(
                    "SELECT id, name, payload FROM jobs WHERE run_at <= ? ORDER BY run_at, id LIMIT 1",
                    (self.sb.clock.time(),),
                ).fetchone()
                if row is None:
                    return ran
                self.sb.store.execute("DELETE FROM jobs WHERE id = ?", (row[0],))
                self._run(row[1], json.loads(row[2]))
            ran += 1

    def _run(self, name: str, payload: dict[str, Any]) -> None:
        handler = JOBS.get(name)
        if handler is None:
            log.warning("dropping job %s: no handler registered", name)
            return
        try:
            with self.sb.store.transaction():
                handler(self.sb, payload)
        except Exception:  # a broken job must not stop the others
            log.exception("job %s failed with payload %s", name, payload)

    def pending(self) -> list[dict[str, Any]]:
        rows = self.sb.store.execute(
            "SELECT run_at, name, payload FROM jobs ORDER BY run_at"
        ).fetchall()
        return [{"run_at": r[0], "name": r[1], "payload": json.loads(r[2])} for r in rows]

    def clear(self) -> None:
        self.sb.store.execute("DELETE FROM jobs")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sandbox-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_due()
            except Exception:  # keep ticking whatever one pass did
                log.exception("scheduler pass failed")
