"""gunicorn's logger (`--logger-class config.access_log.AccessLogger`) without an access
line per Stripe webhook delivery: at 1,500 events/s that line costs more than storing
the event. Instead, one line per minute (written with the next delivery after it) counts
the webhook requests by status class. Every other request is logged as before."""

from __future__ import annotations

import time
from collections import Counter

from gunicorn.glogging import Logger

QUIET_PATHS = frozenset({"/webhooks/stripe/"})
COUNT_EVERY_S = 60.0


class AccessLogger(Logger):
    def __init__(self, cfg):
        super().__init__(cfg)
        self._quiet: Counter = Counter()
        self._since = time.monotonic()

    def access(self, resp, req, environ, request_time):
        # (the WSGI environ of the request; `wsgi` is not the process environment)
        wsgi = environ
        if wsgi.get("PATH_INFO") not in QUIET_PATHS:
            return super().access(resp, req, environ, request_time)
        self._quiet[f"{(getattr(resp, 'status_code', 0) or 0) // 100}xx"] += 1
        now = time.monotonic()
        if now - self._since >= COUNT_EVERY_S:
            self.quiet_count_flush(now)
        return None

    def quiet_count_flush(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self._quiet and self.cfg.accesslog:
            counts = " ".join(f"{key}={value}" for key, value in sorted(self._quiet.items()))
            self.access_log.info(
                "POST /webhooks/stripe/: %d requests in the last %.0f s (%s)",
                sum(self._quiet.values()), now - self._since, counts,
            )  # fmt: skip
        self._quiet.clear()
        self._since = now
