"""Logging pieces named in settings.LOGGING: the request-id filter, the redaction filter and
the JSON formatter (one object per line, for the log shipper)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from firmpay.ops.redact import redact
from firmpay.ops.request_id import current_request_id

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def redact_record(record: logging.LogRecord) -> None:
    """Render the message once, redacted, so nothing downstream sees the raw arguments."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string is still logged
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
        record.exc_info = None


_base_factory = None


def install_record_factory() -> None:
    """Redact and stamp every record where it is made, so every handler (files, the
    console, pytest's caplog, Sentry-like shippers) only ever sees the redacted text."""
    global _base_factory
    if _base_factory is not None:
        return
    _base_factory = base = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = base(*args, **kwargs)
        record.request_id = current_request_id() or "-"
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class RedactFilter(logging.Filter):
    """Named in LOGGING: configuring it installs the redacting record factory; it also
    redacts records made before that (idempotent)."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install_record_factory()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return redact(json.dumps(entry, default=str))
