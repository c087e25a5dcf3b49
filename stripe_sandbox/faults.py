"""Fault injection: what the next API calls and the next events suffer.

API faults answer the next N `/v1` and `/oauth` calls with a 500, a 429 or
a hang (the connection is held, then closed without an answer). Event
faults change how the next N events are delivered: duplicated, shuffled
(held until N have been emitted, then sent in another order), delayed, or
dropped (never sent, so `delivery_success=false` lists them).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

API_MODES = ("500", "429", "hang")
EVENT_MODES = ("duplicate", "shuffle", "delay", "drop")


@dataclass
class ApiFault:
    mode: str
    remaining: int
    hang_seconds: float = 10.0


@dataclass
class EventFault:
    mode: str
    remaining: int
    delay_seconds: float = 30.0


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.api: ApiFault | None = None
        self.events: EventFault | None = None

    def set_api(self, mode: str, count: int = 1, hang_seconds: float = 10.0) -> None:
        if mode not in API_MODES:
            raise ValueError(f"api fault mode must be one of {API_MODES}")
        with self._lock:
            self.api = ApiFault(mode, count, hang_seconds)

    def set_events(self, mode: str, count: int = 1, delay_seconds: float = 30.0) -> None:
        if mode not in EVENT_MODES:
            raise ValueError(f"event fault mode must be one of {EVENT_MODES}")
        with self._lock:
            self.events = EventFault(mode, count, delay_seconds)

    def take_api(self) -> ApiFault | None:
        return self._take("api")

    def take_event(self) -> EventFault | None:
        return self._take("events")

    def _take(self, attr: str) -> Any:
        with self._lock:
            fault = getattr(self, attr)
            if fault is None:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                setattr(self, attr, None)
            return fault

    def clear(self) -> None:
        with self._lock:
            self.api = None
            self.events = None

    def describe(self) -> dict[str, Any]:
        return {
            "api": asdict(self.api) if self.api else None,
            "events": asdict(self.events) if self.events else None,
        }
