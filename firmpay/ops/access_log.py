"""gunicorn's access log, without bearer tokens: every URL-shaped atom (the request line,
path, query string, referer, raw URI) goes through `firmpay.ops.redact` before it is
written. No line per Stripe webhook delivery either (at 1,500 events/s that line costs more
than storing the event): one line a minute, written with the next delivery after it, counts
the webhook requests by status class. Named by `logger_class` in gunicorn.conf.py (read by every gunicorn we start from
the project root: `make run`, the Procfile, the Dockerfile, the scale cluster).

Keep this module small: it is the one place the access log is shaped."""

from __future__ import annotations

import time
from collections import Counter

from gunicorn.glogging import Logger

from firmpay.ops.redact import redact, redact_query, redact_url

_URL_ATOMS = ("U", "f", "{referer}i", "{raw_uri}e", "{path_info}e", "{http_referer}e")


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

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        method, _, rest = str(atoms.get("r", "")).partition(" ")
        uri, _, protocol = rest.rpartition(" ")
        atoms["r"] = f"{method} {redact_url(uri)} {protocol}"
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["{query_string}e"] = atoms["q"]
        for name in _URL_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_url(atoms[name])
        for name, value in atoms.items():
            if isinstance(value, str) and name.endswith(("}i", "}o", "}e")):
                atoms[name] = redact(value)
        return atoms
