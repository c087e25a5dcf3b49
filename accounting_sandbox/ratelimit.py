"""Rate limits as the vendors document them, counted on the sandbox clock.

Xero, per organisation: 60 calls a minute, 5 at once, 5,000 a day. Over: 429 with
`Retry-After` and `X-Rate-Limit-Problem` (minute, concurrent, day); every answer carries
`X-MinLimit-Remaining` / `X-DayLimit-Remaining`.
QuickBooks, per company: 10 a second, 10 at once; over: 429 and the company is throttled for
60 s (Intuit asks for a 60 s wait; sometimes its answer is XML with no `Retry-After`).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox


@dataclass
class Verdict:
    ok: bool
    problem: str = ""
    retry_after: int = 0
    headers: dict[str, str] | None = None


class Limits:
    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._day: dict[tuple[str, str, int], int] = defaultdict(int)
        self._in_flight: dict[tuple[str, str], int] = defaultdict(int)
        self._throttled_until: dict[tuple[str, str], float] = {}
        self.rejections: dict[str, int] = defaultdict(int)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._day.clear()
            self._throttled_until.clear()
            self.rejections.clear()

    @contextlib.contextmanager
    def admit(self, vendor: str, tenant: str) -> Iterator[Verdict]:
        """Counts the call while it runs; yields whether it may proceed."""
        key = (vendor, tenant)
        with self._lock:
            verdict = self._judge(vendor, key)
            if verdict.ok:
                self._in_flight[key] += 1
            else:
                self.rejections[vendor] += 1
        try:
            yield verdict
        finally:
            if verdict.ok:
                with self._lock:
                    self._in_flight[key] -= 1

    def _judge(self, vendor: str, key: tuple[str, str]) -> Verdict:
        cfg = self.sb.config
        now = self.sb.clock.time()
        calls = self._calls[key]
        window = 60.0 if vendor == "xero" else 1.0
        while calls and calls[0] <= now - window:
            calls.popleft()
        if vendor == "xero":
            return self._xero(key, now, calls)
        if not cfg.rate_limits:
            calls.append(now)
            return Verdict(True)
        until = self._throttled_until.get(key, 0.0)
        if now < until:
            return Verdict(False, "throttled", math.ceil(until - now))
        if self._in_flight[key] >= cfg.quickbooks_concurrent:
            return Verdict(False, "concurrent", cfg.quickbooks_throttle_seconds)
        if len(calls) >= cfg.quickbooks_per_second:
            self._throttled_until[key] = now + cfg.quickbooks_throttle_seconds
            return Verdict(False, "second", cfg.quickbooks_throttle_seconds)
        calls.append(now)
        return Verdict(True)

    def _xero(self, key: tuple[str, str], now: float, calls: deque[float]) -> Verdict:
        cfg = self.sb.config
        day = int(now // 86400)
        used_day = self._day[(*key, day)]
        headers = {
            "X-MinLimit-Remaining": str(max(cfg.xero_per_minute - len(calls) - 1, 0)),
            "X-DayLimit-Remaining": str(max(cfg.xero_per_day - used_day - 1, 0)),
            "X-AppMinLimit-Remaining": "9999",
        }
        if cfg.rate_limits:
            if self._in_flight[key] >= cfg.xero_concurrent:
                return Verdict(False, "concurrent", 1, headers)
            if len(calls) >= cfg.xero_per_minute:
                wait = math.ceil(calls[0] + 60 - now) or 1
                return Verdict(False, "minute", wait, headers)
            if used_day >= cfg.xero_per_day:
                wait = math.ceil((day + 1) * 86400 - now)
                return Verdict(False, "day", wait, headers)
        calls.append(now)
        self._day[(*key, day)] += 1
        return Verdict(True, headers=headers)
