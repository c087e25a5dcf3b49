"""The sandbox clock: wall time plus an offset that tests can advance."""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        return time.time() + self._offset

    def now(self) -> int:
        """Unix seconds."""
        return int(self.time())

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    @property
    def offset(self) -> float:
        return self._offset

    def set_offset(self, offset: float) -> None:
        with self._lock:
            self._offset = offset

    def reset(self) -> None:
        self.set_offset(0.0)
