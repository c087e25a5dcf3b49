"""gunicorn's access log, without bearer tokens: every URL-shaped atom (the request line,
path, query string, referer, raw URI) goes through `firmpay.ops.redact` before it is
written. Named by `logger_class` in gunicorn.conf.py (read by every gunicorn we start from
the project root: `make run`, the Procfile, the Dockerfile, the scale cluster).

Keep this module small: it is the one place the access log is shaped."""

from __future__ import annotations

from gunicorn.glogging import Logger

from firmpay.ops.redact import redact, redact_query, redact_url

_URL_ATOMS = ("U", "f", "{referer}i", "{raw_uri}e", "{path_info}e", "{http_referer}e")


class AccessLogger(Logger):
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
