"""Object store: one SQLite connection behind one lock, one JSON blob per object.

Every object lives in `objects`, keyed by id, with its kind (Stripe's
`object` value or a private sandbox kind), the account that owns it ("" for
the platform) and an insertion sequence for Stripe's newest-first lists.
Request handling holds `store.lock` for the whole request and runs inside
`store.transaction()`, so a failed request leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

PLATFORM = ""
ANY_ACCOUNT = object()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_kind_account ON objects (kind, account, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    account TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Result:
    __slots__ = ("rows", "rowcount", "lastrowid")

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int, lastrowid: int | None) -> None:
        self.rows, self.rowcount, self.lastrowid = rows, rowcount, lastrowid

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)


def _dump(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._depth = 0

    # -- transactions -----------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Nestable: inner levels are savepoints, so a failing inner step
        (one job, one delivery) rolls back alone."""
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

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> Result:
        """Run one statement and fetch its rows while holding the lock, so a
        reader never walks a cursor while another thread uses the connection."""
        with self.lock:
            cur = self._db.execute(sql, args)
            return Result(cur.fetchall(), cur.rowcount, cur.lastrowid)

    # -- objects ----------------------------------------------------------
    def insert(
        self, obj: dict[str, Any], *, account: str | None = PLATFORM, kind: str | None = None
    ) -> dict[str, Any]:
        kind = kind or obj["object"]
        self.execute(
            "INSERT INTO objects (id, kind, account, created, data) VALUES (?, ?, ?, ?, ?)",
            (obj["id"], kind, account or PLATFORM, int(obj.get("created") or 0), _dump(obj)),
        )
        return obj

    def save(self, obj: dict[str, Any], *, kind: str | None = None) -> dict[str, Any]:
        """Replace a stored object (same id); its owner and position stay."""
        cur = self.execute(
            "UPDATE objects SET data = ? WHERE id = ? AND kind = ?",
            (_dump(obj), obj["id"], kind or obj["object"]),
        )
        if cur.rowcount != 1:
            raise KeyError(obj["id"])
        return obj

    def get(
        self, kind: str, object_id: str, *, account: Any = ANY_ACCOUNT
    ) -> dict[str, Any] | None:
        row = self._row(kind, object_id, account)
        return json.loads(row[0]) if row else None

    def owner(self, object_id: str) -> str | None:
        row = self.execute("SELECT account FROM objects WHERE id = ?", (object_id,)).fetchone()
        return row[0] if row else None

    def get_by_id(self, object_id: str, *, account: Any = ANY_ACCOUNT) -> dict[str, Any] | None:
        """Any kind: used to expand ids found in responses."""
        sql, args = "SELECT data FROM objects WHERE id = ?", [object_id]
        if account is not ANY_ACCOUNT:
            sql += " AND account = ?"
            args.append(account or PLATFORM)
        row = self.execute(sql, tuple(args)).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, kind: str, object_id: str) -> bool:
        cur = self.execute("DELETE FROM objects WHERE id = ? AND kind = ?", (object_id, kind))
        return cur.rowcount == 1

    def _row(self, kind: str, object_id: str, account: Any) -> tuple[Any, ...] | None:
        sql, args = "SELECT data, seq FROM objects WHERE id = ? AND kind = ?", [object_id, kind]
        if account is not ANY_ACCOUNT:
            sql += " AND account = ?"
            args.append(account or PLATFORM)
        return self.execute(sql, tuple(args)).fetchone()

    def list(
        self,
        kind: str,
        *,
        account: Any = PLATFORM,
        limit: int = 10,
        starting_after: str | None = None,
        ending_before: str | None = None,
        where: dict[str, Any] | None = None,
        created: dict[str, int] | int | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Newest first, Stripe-style cursors. `where` matches top-level
        JSON fields by equality; `predicate` filters in Python."""
        sql, args = ["SELECT data, seq FROM objects WHERE kind = ?"], [kind]
        if account is not ANY_ACCOUNT:
            sql.append("AND account = ?")
            args.append(account or PLATFORM)
        for field, value in (where or {}).items():
            sql.append(f"AND json_extract(data, '$.{field}') IS ?")
            args.append(int(value) if isinstance(value, bool) else value)
        _created_clause(created, sql, args)
        ascending = False
        if starting_after:
            sql.append("AND seq < ?")
            args.append(self._seq(kind, starting_after))
        elif ending_before:
            sql.append("AND seq > ?")
            args.append(self._seq(kind, ending_before))
            ascending = True
        sql.append("ORDER BY seq " + ("ASC" if ascending else "DESC"))
        if predicate is None:
            sql.append("LIMIT ?")
            args.append(limit + 1)
        rows = [json.loads(r[0]) for r in self.execute(" ".join(sql), tuple(args))]
        if predicate is not None:
            rows = [r for r in rows if predicate(r)][: limit + 1]
        has_more = len(rows) > limit
        rows = rows[:limit]
        return (rows[::-1] if ascending else rows), has_more

    def _seq(self, kind: str, object_id: str) -> int:
        row = self.execute(
            "SELECT seq FROM objects WHERE id = ? AND kind = ?", (object_id, kind)
        ).fetchone()
        if not row:
            from stripe_sandbox.errors import resource_missing

            raise resource_missing(kind, object_id, param="starting_after")
        return row[0]

    def all(self, kind: str, *, account: Any = ANY_ACCOUNT) -> list[dict[str, Any]]:
        items, _ = self.list(kind, account=account, limit=1_000_000)
        return items

    # -- idempotency and small state --------------------------------------
    def idempotent_get(self, account: str, key: str) -> tuple[str, int, str, int] | None:
        return self.execute(
            "SELECT fingerprint, status, body, created FROM idempotency WHERE account = ? AND key = ?",
            (account or PLATFORM, key),
        ).fetchone()

    def idempotent_put(
        self, account: str, key: str, fingerprint: str, status: int, body: str, created: int
    ) -> None:
        self.execute(
            "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
            (account or PLATFORM, key, fingerprint, status, body, created),
        )

    def state_get(self, name: str, default: Any = None) -> Any:
        row = self.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else default

    def state_set(self, name: str, value: Any) -> None:
        self.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (name, _dump(value)))

    def wipe(self) -> None:
        with self.lock:
            for table in ("objects", "idempotency", "state"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def close(self) -> None:
        with self.lock:
            self._db.close()


def _created_clause(created: dict[str, int] | int | None, sql: list[str], args: list[Any]) -> None:
    if created is None:
        return
    if isinstance(created, int):
        sql.append("AND created = ?")
        args.append(created)
        return
    ops = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    for op, value in created.items():
        sql.append(f"AND created {ops[op]} ?")
        args.append(int(value))
