"""Unguessable public keys for URLs (the client portal's firm key): 32 hex characters from
the operating system's random source, made in Python for ORM rows and by the database for
rows loaded in bulk (`RandomKey` as a column's `db_default`)."""

from __future__ import annotations

import secrets

from django.db.models import CharField, Func

KEY_LENGTH = 32


def random_key() -> str:
    return secrets.token_hex(KEY_LENGTH // 2)


class RandomKey(Func):
    """The database's own 16 random bytes as 32 lowercase hex characters."""

    output_field = CharField(max_length=KEY_LENGTH)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"RandomKey has no SQL for {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra_context):
        return "lower(hex(randomblob(16)))", []

    def as_postgresql(self, compiler, connection, **extra_context):
        # gen_random_uuid() (PostgreSQL 13+) reads the server's strong random source.
        return "replace(gen_random_uuid()::text, '-', '')", []
