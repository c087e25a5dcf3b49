"""Inserting many rows of one model fast, ids known: COPY on PostgreSQL, one prepared
INSERT run with `executemany` on SQLite (no model instances on either).

On PostgreSQL the ids are taken from the table's sequence in one statement and the rows are
streamed with COPY (several times faster than a multi-row INSERT built by the ORM). On
SQLite the ids follow the table's highest id (and its AUTOINCREMENT counter), read inside
the write transaction that inserts them (Django opens SQLite transactions IMMEDIATE, so no
other writer can take ids meanwhile). Columns the caller does not give take the model
field's default, so the helper keeps working when another app adds a column with a default.
Values go through the field's own `get_db_prep_save` only where the type needs it (dates,
decimals, JSON); strings and integers are passed as they are.
"""

import json
from operator import itemgetter

from django.db import connection, models, transaction

BATCH_SIZE = 2000


def _defaults(model, given: set[str]):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fixed, per_row = {}, {}
    for field in fields:
        if field.attname in given:
            continue
        if callable(field.default) and field.has_default():
            per_row[field.attname] = field.default
        elif field.has_default() or field.null or field.empty_strings_allowed:
            fixed[field.attname] = field.get_db_prep_save(field.get_default(), connection)
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    return fields, fixed, per_row


_sequences: dict[str, str] = {}


def _sequence(cursor, table: str) -> str:
    """The id sequence of `table`, looked up once per process: inside the id statement
    `pg_get_serial_sequence` is evaluated per row and cost 3 of its 4 µs a row."""
    if table not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def ids_subquery_sql(ids: list[int]) -> tuple[str, list]:
    """`ids` as a subquery taking one parameter, for `... IN (<sql>)` (binding each of
    5,000 ids apart cost more than the statement): an array literal unnested on
    PostgreSQL, a JSON array on SQLite. Returns (sql, params)."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"]
    return "SELECT value FROM json_each(%s)", [json.dumps(ids)]


def rows_insert(*, model, rows: list[dict]) -> list[int]:
    """Insert `rows` (dicts of attnames to values, all with the same keys) and return their
    ids in order. Runs in the caller's transaction."""
    if not rows:
        return []
    if connection.vendor == "sqlite":
        return _sqlite_insert(model, rows)
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        return [row.pk for row in created]
    fields, fixed, per_row = _defaults(model, set(rows[0]))
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [_sequence(cursor, table), len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        by_name = {f.attname: f for f in fields}
        given = [name for name in by_name if name in rows[0]]
        called = list(per_row)
        constant = [fixed[name] for name in fixed]
        order = ["id", *given, *called, *fixed]
        columns = ", ".join(quote(by_name[n].column if n != "id" else "id") for n in order)
        pick = itemgetter(*given) if len(given) > 1 else (lambda row: (row[given[0]],))
        json_at = [
            (i, by_name[name])
            for i, name in enumerate(given)
            if isinstance(by_name[name], models.JSONField)
        ]
        constant = tuple(constant)
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            if not called and not json_at:  # the common case, without a list a row
                write = copy.write_row
                for row_id, row in zip(ids, rows, strict=True):
                    write((row_id, *pick(row), *constant))
                return ids
            for row_id, row in zip(ids, rows, strict=True):
                values = list(pick(row))
                for i, field in json_at:  # COPY would write a list as an array
                    values[i] = field.get_db_prep_save(values[i], connection)
                copy.write_row((row_id, *values, *(per_row[n]() for n in called), *constant))
    return ids


_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
)


def _column_prep(field):
    """A function making a column of Python values (a list) what the database stores, or
    None when the values need nothing (text, integers, booleans, foreign keys). Dates,
    datetimes and decimals repeat across a batch (one `now`, a few issue dates and tax
    rates), so each distinct value is converted once."""
    if isinstance(field, _PLAIN) and not isinstance(field, models.JSONField):
        return None
    convert = field.get_db_prep_save
    if isinstance(field, models.JSONField):
        return lambda column: [convert(value, connection) for value in column]

    def prep(column):
        converted = {value: convert(value, connection) for value in set(column)}
        return list(map(converted.__getitem__, column))

    return prep


def _sqlite_insert(model, rows: list[dict]) -> list[int]:
    fields, fixed, per_row = _defaults(model, set(rows[0]))
    by_name = {f.attname: f for f in fields}
    given = [name for name in by_name if name in rows[0]]
    called = list(per_row)
    order = [*given, *called]
    preps = [_column_prep(by_name[name]) for name in order]
    constant = tuple(fixed.values())
    table = model._meta.db_table
    quote = connection.ops.quote_name
    names = ", ".join(quote(by_name[n].column) for n in (*order, *fixed))
    marks = ", ".join(["%s"] * (len(order) + len(fixed) + 1))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {quote(table)}), 0), "  # noqa: S608
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        ids = list(range(first, first + len(rows)))

        columns = []
        for name, prep in zip(order, preps, strict=True):
            if name in per_row:
                make = per_row[name]
                column = [make() for _ in rows]
            else:
                column = list(map(itemgetter(name), rows))
            columns.append(column if prep is None else prep(column))
        constants = ([value] * len(rows) for value in constant)
        values = zip(ids, *columns, *constants, strict=True)

        cursor.executemany(
            f"INSERT INTO {quote(table)} (id, {names}) VALUES ({marks})",  # noqa: S608
            values,
        )
    return ids


def rows_update(*, model, rows: dict[int, dict]) -> None:
    """Set different values on many rows by id (dicts of attnames to values, all with the
    same keys): one prepared UPDATE run with `executemany`, where the ORM would build one
    CASE WHEN per row and column. Values go through the field's `get_db_prep_save` as in
    `rows_insert`. Runs in the caller's transaction."""
    if not rows:
        return
    names = list(next(iter(rows.values())))
    fields = [model._meta.get_field(name) for name in names]
    preps = [_column_prep(field) for field in fields]
    ids = list(rows)
    columns = []
    for name, prep in zip(names, preps, strict=True):
        column = [rows[pk][name] for pk in ids]
        columns.append(column if prep is None else prep(column))
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE id = %s",  # noqa: S608
            list(zip(*columns, ids, strict=True)),
        )
