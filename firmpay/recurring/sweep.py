"""The hourly issuing sweep: every active schedule whose next issue date has come, in the
firm's local calendar, issues one invoice per due occurrence. Set-based, like reminders.

Per sweep: the firms' timezones are grouped by the firm-local issuing day at `now` (at most
two or three different days at any moment), which makes one condition over the schedules
(`next_issue_on <= day` for the firms in those zones). Batches of due schedules are then
locked with `SELECT ... FOR UPDATE SKIP LOCKED`, walking the firms in order (on PostgreSQL,
outside a transaction, two halves of the firms on two connections at once), then once more
from the first firm; per batch, in one transaction: the
invoices issued in bulk (`invoices_issue_bulk`: numbered, sent, emailed after the commit),
one `ScheduleIssue` row per (schedule, occurrence) (unique: an occurrence is never issued
twice), the schedules moved on to their next date (one UPDATE per distinct next date), and
the "issued_for_autopay" hook for schedules that collect automatically.

On SQLite a batch dirties more than the 1,000 WAL pages at which a commit checkpoints by
default (copies the WAL into the database file and syncs it), so every batch's commit
rewrote the same index pages into the file: an eighth of a 100,000-invoice sweep. While it
sweeps, the sweep's connection checkpoints at SQLITE_CHECKPOINT_PAGES instead, and once
more when it ends, so the next writer does not inherit the copy.

Two sweeps at once: the second skips the rows the first holds, and once the first commits
those rows are no longer due. A sweep that dies mid-batch leaves nothing of that batch.
Missed sweeps catch up: a schedule more than one occurrence behind issues each in turn.
"""

import datetime
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from types import SimpleNamespace

from django.db import connection, connections, transaction
from django.db.models import DateField, Func, Max, Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from firmpay.core.bulk import ids_subquery_sql, rows_insert
from firmpay.invoices.bulk import IssueDraft, invoices_issue_bulk
from firmpay.invoices.hooks import (
    IssuedForAutopay,
    invoice_hook_has_listeners,
    invoice_hooks_run,
)
from firmpay.invoices.totals import LineInput
from firmpay.recurring.dates import issuing_day
from firmpay.recurring.models import (
    Autopay,
    Schedule,
    ScheduleIssue,
    ScheduleLine,
    ScheduleStatus,
)
from firmpay.recurring.services import schedule_next_date
from firmpay.tenancy.models import Firm

BATCH = 5000
SQLITE_CHECKPOINT_PAGES = 4000  # 16 MB of WAL (SQLite's default: 1,000)
PG_WORKERS = 2  # connections issuing at once on PostgreSQL (firms split between them)
FIELDS = (
    "id",
    "firm_id",
    "client_id",
    "currency",
    "frequency",
    "every_weeks",
    "start_date",
    "issue_day",
    "end_after_issues",
    "end_on",
    "payment_terms_days",
    "notes",
    "autopay",
    "next_issue_on",
    "issued_count",
)


class _AsText(Func):
    """A date column read as text on SQLite, where Python's sqlite3 module would otherwise
    parse every date it returns (200,000 per sweep); `_fetch_converted` then parses each
    distinct date once."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


DATES = {"start_date", "end_on", "next_issue_on"}
COLUMNS = [_AsText(name, output_field=DateField()) if name in DATES else name for name in FIELDS]

# What the next issue date depends on (`schedule_next_date`).
TERMS = (
    "frequency",
    "every_weeks",
    "start_date",
    "issue_day",
    "end_after_issues",
    "end_on",
    "next_issue_on",
    "issued_count",
)


@dataclass
class SweepResult:
    issued: int = 0
    batches: int = 0


def due_condition(now: datetime.datetime) -> Q | None:
    """Active schedules whose next issue date has come in their firm's calendar."""
    zones_by_day: dict[datetime.date, list[str]] = defaultdict(list)
    for zone in Firm.objects.values_list("timezone", flat=True).distinct().order_by():
        zones_by_day[issuing_day(now, zone_name=zone)].append(zone)
    if not zones_by_day:
        return None
    due = Q()
    for day, zones in zones_by_day.items():
        due |= Q(firm__timezone__in=zones, next_issue_on__lte=day)
    return Q(status=ScheduleStatus.ACTIVE) & due


def _fetch_converted(query) -> list[tuple]:
    """The rows of a `values_list` query as the ORM would give them, but each column's
    distinct values converted once (SQLite returns dates and decimals as text; a batch of
    5,000 schedules shares a few dates and amounts, and the ORM converts every value)."""
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([col for col, _, _ in compiler.select])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not converters or not found:
        return found
    columns = list(zip(*found, strict=True))
    for position, (convert_all, expression) in converters.items():
        converted = {}
        for value in set(columns[position]):
            result = value
            for convert in convert_all:
                result = convert(result, expression, connection)
            converted[value] = result
        columns[position] = map(converted.__getitem__, columns[position])
    return list(zip(*columns, strict=True))


def _lines_by_schedule(rows: list[dict]) -> dict[int, tuple[LineInput, ...]]:
    """The lines of the locked schedules `rows`, by schedule."""
    ids_sql, ids_params = ids_subquery_sql([row["id"] for row in rows])
    query = (
        ScheduleLine.objects.filter(schedule_id__in=RawSQL(ids_sql, ids_params))  # noqa: S611 - ids bound
        .order_by("schedule_id", "position", "id")
        .values_list("schedule_id", "description", "quantity", "unit_amount", "tax_rate")
    )
    # 5,000 schedules repeat a handful of lines: one LineInput per distinct line.
    lines = defaultdict(list)
    made: dict[tuple, LineInput] = {}
    for schedule_id, *values in _fetch_converted(query):
        key = tuple(values)
        line = made.get(key)
        if line is None:
            description, quantity, unit_amount, tax_rate = values
            made[key] = line = LineInput(
                description=description,
                quantity=quantity,
                unit_amount=unit_amount,
                tax_rate=tax_rate,
            )
        lines[schedule_id].append(line)
    return {schedule_id: tuple(found) for schedule_id, found in lines.items()}


def _draft(row: dict, lines: tuple[LineInput, ...]) -> IssueDraft:
    terms = row["payment_terms_days"]
    if terms is None:
        terms = row["firm__payment_terms_days"]
    issue_date = row["next_issue_on"]
    return IssueDraft(
        firm_id=row["firm_id"],
        client_id=row["client_id"],
        currency=row["currency"],
        issue_date=issue_date,
        due_date=issue_date + datetime.timedelta(days=terms),
        lines=lines,
        notes=row["notes"],
    )


def _advance(rows: list[dict]) -> None:
    """Each schedule on to its next date (or ended): one UPDATE per distinct outcome."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    outcomes: dict[tuple, tuple] = {}  # many schedules share their terms and dates
    for row in rows:
        key = itemgetter(*TERMS)(row)
        outcome = outcomes.get(key)
        if outcome is None:
            after = SimpleNamespace(**{**row, "issued_count": row["issued_count"] + 1})
            next_on = schedule_next_date(
                after, after=row["next_issue_on"] + datetime.timedelta(days=1)
            )
            status = ScheduleStatus.ACTIVE if next_on else ScheduleStatus.ENDED
            outcomes[key] = outcome = (next_on, status)
        groups[outcome].append(row["id"])
    now = timezone.now()
    if connection.vendor == "postgresql":
        _advance_pg(groups, now)
        return
    # SQLite: one UPDATE per outcome, its ids one JSON array (the ORM's `id__in` prepared
    # each of 5,000 ids in Python, half a second a batch).
    table = Schedule._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        for (next_on, status), ids in groups.items():
            ids_sql, ids_params = ids_subquery_sql(ids)
            cursor.execute(
                f"UPDATE {table} SET issued_count = issued_count + 1, "  # noqa: S608
                "last_issued_on = next_issue_on, next_issue_on = %s, status = %s, "
                f"updated_at = %s WHERE id IN ({ids_sql})",
                [
                    ops.adapt_datefield_value(next_on),
                    str(status),
                    ops.adapt_datetimefield_value(now),
                    *ids_params,
                ],
            )


def _advance_pg(groups: dict[tuple, list[int]], now: datetime.datetime) -> None:
    """The same change in one statement whose parameters are three arrays, each sent as
    one array literal (an `IN` list of 5,000 ids costs more to bind client-side than the
    UPDATE itself, and psycopg dumping a list element by element cost ~40 ms a batch)."""
    ids, next_ons, statuses = [], [], []
    for (next_on, status), group in groups.items():
        ids += map(str, group)
        next_ons += [next_on.isoformat() if next_on else "NULL"] * len(group)
        statuses += [str(status)] * len(group)  # plain words: nothing to quote
    table = Schedule._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET issued_count = s.issued_count + 1, "  # noqa: S608
            "last_issued_on = s.next_issue_on, next_issue_on = v.next_on, "
            "status = v.status, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::date[], %s::text[]) AS v(id, next_on, status) "
            "WHERE s.id = v.id",
            [now, *(f"{{{','.join(values)}}}" for values in (ids, next_ons, statuses))],
        )


def _issue_batch(due: Q, from_firm: int, to_firm: int | None) -> tuple[int, int | None]:
    """Lock, issue and advance one batch of due schedules, firms from `from_firm` on
    (before `to_firm`, if given), in firm order; returns the invoices issued and the
    batch's last firm (None: none due)."""
    in_range = Q(firm_id__gte=from_firm)
    if to_firm is not None:
        in_range &= Q(firm_id__lt=to_firm)
    with transaction.atomic():
        locked = (
            Schedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due, in_range)
            .order_by("firm_id", "id")
            .values_list(*COLUMNS, "firm__payment_terms_days")[:BATCH]
        )
        names = (*FIELDS, "firm__payment_terms_days")
        rows = [dict(zip(names, row, strict=True)) for row in _fetch_converted(locked)]
        if not rows:
            return 0, None
        locked_last_firm = rows[-1]["firm_id"]
        lines = _lines_by_schedule(rows)
        # Firm by firm: the invoices' indexes all start with the firm, so a batch of 500
        # firms' schedules writes to a twentieth of each index's pages, where 5,000
        # schedules taken in id order (5,000 firms) wrote to nearly all of them, and the
        # commit wrote those pages out again for every batch.
        rows = [row for row in rows if lines.get(row["id"])]
        invoices = invoices_issue_bulk(drafts=[_draft(row, lines[row["id"]]) for row in rows])
        now = timezone.now()
        rows_insert(
            model=ScheduleIssue,
            rows=[
                dict(
                    firm_id=row["firm_id"],
                    schedule_id=row["id"],
                    occurrence=row["issued_count"] + 1,
                    issue_date=row["next_issue_on"],
                    invoice_id=invoice.id,
                    created_at=now,
                    updated_at=now,
                )
                for row, invoice in zip(rows, invoices, strict=True)
            ],
        )
        _advance(rows)
        _autopay_hand_over(rows, invoices)
        return len(invoices), locked_last_firm


def _autopay_hand_over(rows: list[dict], invoices: list) -> None:
    """Raise "issued_for_autopay" once for the batch's invoices of schedules that collect
    automatically (ids and dates, no rows loaded)."""
    if not invoice_hook_has_listeners("issued_for_autopay"):
        return
    issued = [
        IssuedForAutopay(
            invoice_id=invoice.id,
            firm_id=row["firm_id"],
            client_id=row["client_id"],
            due_date=invoice.due_date,
            collect_on=row["autopay"],
        )
        for row, invoice in zip(rows, invoices, strict=True)
        if row["autopay"] != Autopay.NO
    ]
    if issued:
        invoice_hooks_run("issued_for_autopay", issued=issued)


def _walk(due: Q, from_firm: int = 0, to_firm: int | None = None) -> SweepResult:
    """Batches through the firms in order, each from the previous batch's last firm (whose
    issued schedules are no longer due)."""
    result = SweepResult()
    while from_firm is not None:
        issued, from_firm = _issue_batch(due, from_firm, to_firm)
        if from_firm is not None:
            result.issued += issued
            result.batches += 1
    return result


def _walk_apart(due: Q, from_firm: int, to_firm: int | None) -> SweepResult:
    """`_walk` on a thread of its own (its own connection, closed at the end)."""
    try:
        return _walk(due, from_firm, to_firm)
    finally:
        connections.close_all()


def _firm_parts(count: int) -> list[tuple[int, int | None]]:
    """`count` ranges of firm ids, about equal."""
    bounds = Firm.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    low, high = bounds["low"], bounds["high"] + 1
    step = max(1, -(-(high - low) // count))
    starts = list(range(low, high, step))
    return [(start, end) for start, end in zip(starts, [*starts[1:], None], strict=True)]


@contextmanager
def _sqlite_checkpoints_spaced():
    """On SQLite outside a transaction: this connection checkpoints every
    SQLITE_CHECKPOINT_PAGES while inside, then once at the end (PASSIVE: readers are
    not waited for), and is given back its own setting."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def recurring_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Issue every occurrence due at `now` (firm-local), exactly once."""
    due = due_condition(now or timezone.now())
    result = SweepResult()
    if due is None:
        return result
    walks = []
    with _sqlite_checkpoints_spaced():
        if PG_WORKERS > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
            # PostgreSQL: the firms in PG_WORKERS parts, each walked on a connection of its
            # own, so the server works on one part while this process prepares another
            # (and two server processes use two cores). Not inside a transaction: the
            # other connections would not see its rows.
            with ThreadPoolExecutor(max_workers=PG_WORKERS) as pool:
                parts = _firm_parts(PG_WORKERS)
                walks = list(pool.map(lambda part: _walk_apart(due, *part), parts))
        else:
            walks.append(_walk(due))
        # Once more from the first firm: what a concurrent sweep held and let go without
        # issuing.
        walks.append(_walk(due))
    for walk in walks:
        result.issued += walk.issued
        result.batches += walk.batches
    return result
