"""Signed webhook delivery from a background thread, with retries.

Each (event, endpoint) pair is a row in `deliveries` with its status
(pending, held, succeeded, failed, dropped), attempts, next attempt time on
the sandbox clock and a log of every attempt. Failed attempts back off
exponentially (`webhook_retry_base * 2**n`), so advancing the clock also
hurries retries along. Nothing is sent while the store lock is held.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from stripe_sandbox import webhook_secrets

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

log = logging.getLogger("stripe_sandbox.delivery")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    log TEXT NOT NULL DEFAULT '[]',
    api_version TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt);
CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_id);
"""


def sign(payload: str, secrets_: list[str], timestamp: int) -> str:
    signed = f"{timestamp}.{payload}".encode()
    parts = [f"t={timestamp}"]
    for secret in secrets_:
        parts.append("v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest())
    return ",".join(parts)


def endpoint_matches(endpoint: dict[str, Any], event: dict[str, Any], owner: str) -> bool:
    """Connect endpoints get connected-account events; others their owner's."""
    if endpoint.get("status") != "enabled":
        return False
    enabled = endpoint.get("enabled_events") or []
    if "*" not in enabled and event["type"] not in enabled:
        return False
    account = event.get("account") or ""
    if endpoint.get("application") or endpoint.get("_sandbox", {}).get("connect"):
        return owner == "" and account != ""
    return account == owner


class Delivery:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._held: list[int] = []
        for statement in _SCHEMA.strip().split(";"):
            if statement.strip():
                sb.store.execute(statement)
        columns = {r[1] for r in sb.store.execute("PRAGMA table_info(deliveries)").fetchall()}
        if "api_version" not in columns:  # a data file from before api_version
            sb.store.execute("ALTER TABLE deliveries ADD COLUMN api_version TEXT")

    # -- queueing (called inside the emitting transaction) -----------------
    def enqueue(self, event: dict[str, Any]) -> None:
        endpoints = [
            (ep, owner) for ep, owner in self._endpoints() if endpoint_matches(ep, event, owner)
        ]
        if not endpoints:
            return
        fault = self.sb.faults.take_event()
        now = self.sb.clock.time()
        status, at, copies = "pending", now, 1
        if fault and fault.mode == "duplicate":
            copies = 2
        elif fault and fault.mode == "delay":
            at = now + fault.delay_seconds
        elif fault and fault.mode == "drop":
            status = "dropped"
        elif fault and fault.mode == "shuffle":
            status = "held"
        for endpoint, _ in endpoints:
            for _ in range(copies):
                cur = self.sb.store.execute(
                    "INSERT INTO deliveries (event_id, endpoint_id, status, next_attempt) VALUES (?, ?, ?, ?)",
                    (event["id"], endpoint["id"], status, at),
                )
                if status == "held":
                    self._held.append(cur.lastrowid)
        if fault and fault.mode == "shuffle" and fault.remaining <= 0:
            self.release_held()
        self._wake.set()

    def redeliver(
        self, event: dict[str, Any], *, api_version: str, endpoint_id: str | None = None
    ) -> list[str]:
        """Send `event` again to its endpoints (or one), labelled `api_version`
        instead of the endpoint's: an event of another version, as an endpoint
        sees after its version changed. Returns the endpoint ids."""
        endpoints = [
            ep
            for ep, owner in self._endpoints()
            if endpoint_matches(ep, event, owner) and endpoint_id in (None, ep["id"])
        ]
        for endpoint in endpoints:
            self.sb.store.execute(
                "INSERT INTO deliveries (event_id, endpoint_id, status, next_attempt, api_version) "
                "VALUES (?, ?, 'pending', ?, ?)",
                (event["id"], endpoint["id"], self.sb.clock.time(), api_version),
            )
        self._wake.set()
        return [ep["id"] for ep in endpoints]

    def _endpoints(self) -> list[tuple[dict[str, Any], str]]:
        rows = self.sb.store.execute(
            "SELECT data, account FROM objects WHERE kind = 'webhook_endpoint'"
        ).fetchall()
        return [(json.loads(r[0]), r[1]) for r in rows]

    def release_held(self) -> None:
        """Send the held (shuffled) deliveries, in an order other than emitted."""
        held, self._held = self._held, []
        if not held:
            return
        order = held[:]
        random.shuffle(order)
        if order == held:
            order.reverse()
        now = self.sb.clock.time()
        for i, delivery_id in enumerate(order):
            self.sb.store.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt = ? WHERE id = ? AND status = 'held'",
                (now + i * 1e-3, delivery_id),
            )
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    # -- reading -----------------------------------------------------------
    def for_event(self, event_id: str) -> list[dict[str, Any]]:
        rows = self.sb.store.execute(
            "SELECT id, endpoint_id, status, attempts, next_attempt, log FROM deliveries "
            "WHERE event_id = ? ORDER BY id",
            (event_id,),
        ).fetchall()
        return [
            {
                "id": r[0],
                "event": event_id,
                "endpoint": r[1],
                "status": r[2],
                "attempts": r[3],
                "next_attempt": r[4],
                "log": json.loads(r[5]),
            }
            for r in rows
        ]

    def pending_count(self, event_id: str) -> int:
        return self.sb.store.execute(
            "SELECT COUNT(*) FROM deliveries WHERE event_id = ? AND status IN ('pending', 'held')",
            (event_id,),
        ).fetchone()[0]

    def unsuccessful_event_ids(self) -> set[str]:
        rows = self.sb.store.execute(
            "SELECT DISTINCT event_id FROM deliveries WHERE status != 'succeeded'"
        ).fetchall()
        return {r[0] for r in rows}

    def idle(self) -> bool:
        """Nothing due now (held and future retries don't count)."""
        return (
            self.sb.store.execute(
                "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND next_attempt <= ?",
                (self.sb.clock.time(),),
            ).fetchone()[0]
            == 0
        )

    def clear(self) -> None:
        self._held = []
        self.sb.store.execute("DELETE FROM deliveries")

    # -- the worker ----------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=self.sb.config.webhook_timeout + 1)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.25)
            self._wake.clear()
            try:
                while not self._stop.is_set() and self._send_next():
                    pass
            except Exception:  # the worker outlives any one bad delivery
                log.exception("webhook delivery pass failed")

    def _send_next(self) -> bool:
        job = self._claim()
        if job is None:
            return False
        delivery_id, url, payload, secrets_ = job
        started = time.time()
        code, error = _post(
            url, payload, sign(payload, secrets_, int(started)), self.sb.config.webhook_timeout
        )
        self._record(delivery_id, code, error, started)
        return True

    def _claim(self) -> tuple[int, str, str, list[str]] | None:
        store = self.sb.store
        with store.lock:
            row = store.execute(
                "SELECT id, event_id, endpoint_id, api_version FROM deliveries WHERE status = 'pending' "
                "AND next_attempt <= ? ORDER BY next_attempt, id LIMIT 1",
                (self.sb.clock.time(),),
            ).fetchone()
            if row is None:
                return None
            event = store.get("event", row[1])
            endpoint = store.get("webhook_endpoint", row[2])
            if event is None or endpoint is None:
                store.execute("UPDATE deliveries SET status = 'dropped' WHERE id = ?", (row[0],))
                return row[0], "", "", []  # recorded as dropped; loop moves on
            event["pending_webhooks"] = self.pending_count(event["id"])
            # Stripe renders an event for an endpoint in the endpoint's version,
            # or the account's default version when the endpoint has none.
            event["api_version"] = (
                row[3] or endpoint.get("api_version") or self.sb.config.default_api_version
            )
            payload = json.dumps(event, indent=2)
            return row[0], endpoint["url"], payload, webhook_secrets.signing(self.sb, endpoint)

    def _record(
        self, delivery_id: int, code: int | None, error: str | None, started: float
    ) -> None:
        if not error and code is None:
            return
        store = self.sb.store
        with store.transaction():
            row = store.execute(
                "SELECT attempts, log, status FROM deliveries WHERE id = ?", (delivery_id,)
            ).fetchone()
            if row is None or row[2] != "pending":
                return  # reset or endpoint removed meanwhile
            attempts = row[0] + 1
            entries = json.loads(row[1])
            ok = code is not None and 200 <= code < 300
            entries.append(
                {
                    "attempt": attempts,
                    "at": self.sb.clock.now(),
                    "status": code,
                    "error": error,
                    "ms": round((time.time() - started) * 1000, 1),
                }
            )
            if ok:
                status, next_at = "succeeded", 0.0
            elif attempts >= self.sb.config.webhook_max_attempts:
                status, next_at = "failed", 0.0
            else:
                status = "pending"
                next_at = self.sb.clock.time() + self.sb.config.webhook_retry_base * 2 ** (
                    attempts - 1
                )
            store.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, next_attempt = ?, log = ? "
                "WHERE id = ?",
                (status, attempts, next_at, json.dumps(entries), delivery_id),
            )


def _post(url: str, payload: str, signature: str, timeout: float) -> tuple[int | None, str | None]:
    if not url:
        return None, None
    if not url.startswith(("http://", "https://")):
        return None, "unsupported URL scheme"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=payload.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) sandbox",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            response.read()
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
