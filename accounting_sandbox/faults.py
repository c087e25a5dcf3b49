"""Fault injection: what the next calls to a path suffer.

    POST /_sandbox/faults {"path": "/Invoices", "vendor": "xero", "mode": "500", "count": 2}

`path` matches any API path containing it (case-insensitive; "" = every path), `vendor`
and `method` narrow it. Modes:

    500, 503        the vendor's error status with its usual body
    429             rate limited (Xero: Retry-After + X-Rate-Limit-Problem; QuickBooks: Fault)
    timeout         held `seconds`, then the connection closes unanswered
    html            an HTML error page (`status`, default 502), as a proxy would send
    empty           an empty body (`status`, default 200)
    wrong_types     the real answer, with numbers turned to strings and strings to numbers
    fault_in_200    QuickBooks: 200 carrying a `Fault`; Xero: 200 carrying an error body
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

MODES = ("500", "503", "429", "timeout", "html", "empty", "wrong_types", "fault_in_200")


@dataclass
class Fault:
    mode: str
    remaining: int = 1
    path: str = ""
    vendor: str = ""
    method: str = ""
    status: int | None = None
    seconds: float = 10.0

    def matches(self, vendor: str, method: str, path: str) -> bool:
        return (
            (not self.vendor or self.vendor == vendor)
            and (not self.method or self.method.upper() == method)
            and self.path.lower() in path.lower()
        )


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active: list[Fault] = []

    def add(self, spec: dict[str, Any]) -> Fault:
        mode = str(spec.get("mode", ""))
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        vendor = spec.get("vendor") or ""
        if vendor not in ("", "xero", "quickbooks"):
            raise ValueError("vendor must be xero or quickbooks")
        fault = Fault(
            mode=mode,
            remaining=int(spec.get("count", 1)),
            path=str(spec.get("path", "")),
            vendor=vendor,
            method=str(spec.get("method", "")),
            status=spec.get("status"),
            seconds=float(spec.get("seconds", 10.0)),
        )
        with self._lock:
            self.active.append(fault)
        return fault

    def take(self, vendor: str, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.active:
                if fault.matches(vendor, method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.active.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self.active.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self.active]


def wrong_types(value: Any) -> Any:
    """The same answer with every number a string and every numeric-looking string a number."""
    if isinstance(value, dict):
        return {k: wrong_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wrong_types(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 0 if not value.replace(".", "", 1).isdigit() else float(value)
    return value
