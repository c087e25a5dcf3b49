"""State: one SQLite connection behind one lock, one JSON blob per record.

A record belongs to a vendor ("xero", "quickbooks", or "auth" for apps, grants and
tokens), a tenant (organisation id, company realm id, "" for none), and a kind
("Contact", "Invoice", "grant" ...). Every request runs inside `transaction()`, so one that
fails leaves nothing written.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor TEXT NOT NULL, tenant TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (vendor, tenant, kind, id)
);
CREATE INDEX IF NOT EXISTS records_invoice_number
    ON records (vendor, tenant, kind, lower(json_extract(data, '$.InvoiceNumber')));
CREATE INDEX IF NOT EXISTS records_doc_number
    ON records (vendor, tenant, kind, lower(json_extract(data, '$.DocNumber')));
CREATE INDEX IF NOT EXISTS records_name_key
    ON records (vendor, tenant, kind, lower(json_extract(data, '$._name_key')));
CREATE INDEX IF NOT EXISTS records_contact_number
    ON records (vendor, tenant, kind, lower(json_extract(data, '$.ContactNumber')));
CREATE TABLE IF NOT EXISTS replays (
    vendor TEXT NOT NULL, tenant TEXT NOT NULL, key TEXT NOT NULL,
    fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (vendor, tenant, key)
);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), default=_default)


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._depth = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            self._depth += 1
            name = f"sp{self._depth}"
            self._db.execute("BEGIN" if self._depth == 1 else f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK" if self._depth == 1 else f"ROLLBACK TO {name}")
                if self._depth > 1:
                    self._db.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            self._db.execute("COMMIT" if self._depth == 0 else f"RELEASE {name}")

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self._db.execute(sql, args).fetchall()

    def put(self, vendor: str, tenant: str, kind: str, id: str, data: dict[str, Any]) -> dict:
        """Insert or replace (position kept on replace)."""
        with self.lock:
            cur = self._db.execute(
                "UPDATE records SET data = ? WHERE vendor = ? AND tenant = ? AND kind = ? AND id = ?",
                (dumps(data), vendor, tenant, kind, id),
            )
            if cur.rowcount == 0:
                self._db.execute(
                    "INSERT INTO records (vendor, tenant, kind, id, data) VALUES (?, ?, ?, ?, ?)",
                    (vendor, tenant, kind, id, dumps(data)),
                )
        return data

    def get(self, vendor: str, tenant: str, kind: str, id: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT data FROM records WHERE vendor = ? AND tenant = ? AND kind = ? AND id = ?",
            (vendor, tenant, kind, id),
        )
        return json.loads(rows[0][0]) if rows else None

    def all(
        self,
        vendor: str,
        tenant: str,
        kind: str,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Oldest first."""
        rows = self._rows(
            "SELECT data FROM records WHERE vendor = ? AND tenant = ? AND kind = ? ORDER BY seq",
            (vendor, tenant, kind),
        )
        items = [json.loads(r[0]) for r in rows]
        return [i for i in items if where(i)] if where else items

    def match(self, vendor: str, tenant: str, kind: str, field: str, value: str) -> list[dict]:
        """Records whose top-level `field` equals `value`, case-insensitively (indexed for
        InvoiceNumber, DocNumber, ContactNumber and _name_key; a scan in SQLite otherwise)."""
        if not field.isidentifier():
            raise ValueError(field)
        sql = (
            "SELECT data FROM records WHERE vendor = ? AND tenant = ? AND kind = ? AND "  # noqa: S608
            + f"lower(json_extract(data, '$.{field}')) = ? ORDER BY seq"
        )
        rows = self._rows(sql, (vendor, tenant, kind, value.lower()))  # field: an identifier
        return [json.loads(r[0]) for r in rows]

    def count(self, vendor: str, tenant: str, kind: str) -> int:
        return self._rows(
            "SELECT COUNT(*) FROM records WHERE vendor = ? AND tenant = ? AND kind = ?",
            (vendor, tenant, kind),
        )[0][0]

    def delete(self, vendor: str, tenant: str, kind: str, id: str) -> bool:
        with self.lock:
            cur = self._db.execute(
                "DELETE FROM records WHERE vendor = ? AND tenant = ? AND kind = ? AND id = ?",
                (vendor, tenant, kind, id),
            )
            return cur.rowcount == 1

    # -- replays (idempotency) ------------------------------------------------------------
    def replay_get(self, vendor: str, tenant: str, key: str) -> tuple[str, int, str] | None:
        rows = self._rows(
            "SELECT fingerprint, status, body FROM replays WHERE vendor = ? AND tenant = ? AND key = ?",
            (vendor, tenant, key),
        )
        return rows[0] if rows else None

    def replay_put(
        self,
        vendor: str,
        tenant: str,
        key: str,
        fingerprint: str,
        status: int,
        body: str,
        created: int,
    ) -> None:
        self._rows(
            "INSERT OR REPLACE INTO replays VALUES (?, ?, ?, ?, ?, ?, ?)",
            (vendor, tenant, key, fingerprint, status, body, created),
        )

    # -- small state ----------------------------------------------------------------------
    def state_get(self, name: str, default: Any = None) -> Any:
        rows = self._rows("SELECT value FROM state WHERE name = ?", (name,))
        return json.loads(rows[0][0]) if rows else default

    def state_set(self, name: str, value: Any) -> None:
        self._rows("INSERT OR REPLACE INTO state VALUES (?, ?)", (name, dumps(value)))

    def wipe(self) -> None:
        with self.lock:
            for table in ("records", "replays", "state"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names

    def close(self) -> None:
        with self.lock:
            self._db.close()
