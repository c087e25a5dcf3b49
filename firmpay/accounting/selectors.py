"""Reads of the accounting app. Every one takes `firm=`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from firmpay.accounting.models import (
    LIVE_STATUSES,
    AccountingConnection,
    ConnectionStatus,
    RemoteRecord,
    SyncItem,
    SyncStatus,
    Vendor,
)
from firmpay.accounting.providers import VENDORS, vendor_available


def connection_for_firm(*, firm) -> AccountingConnection | None:
    """The firm's one live accounting connection (any vendor), if any."""
    return AccountingConnection.objects.filter(firm=firm, status__in=LIVE_STATUSES).first()


@dataclass
class AccountingCard:
    vendor: str
    name: str
    configured: bool
    connection: AccountingConnection | None = None
    # not_connected, setup, connected, needs_reconnect, error, other (another vendor is live)
    code: str = "not_connected"
    label: str = "Not connected"
    error: str = ""
    error_at: object = None
    failed: int = 0
    waiting: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def connect_url(self) -> str:
        return reverse(f"accounting:{self.vendor}_connect")


def _counts(connection) -> dict:
    return SyncItem.objects.filter(connection=connection).aggregate(
        failed=Count("pk", filter=Q(status=SyncStatus.FAILED)),
        waiting=Count("pk", filter=Q(status__in=[SyncStatus.PENDING, SyncStatus.BLOCKED])),
    )


def _last_failure(connection) -> SyncItem | None:
    return (
        SyncItem.objects.filter(connection=connection, status=SyncStatus.FAILED)
        .order_by("-last_error_at", "-id")
        .first()
    )


def accounting_cards(*, firm) -> list[AccountingCard]:
    """The Xero and QuickBooks cards on Settings → Integrations, with their status."""
    live = connection_for_firm(firm=firm)
    cards = []
    for vendor in VENDORS:
        card = AccountingCard(
            vendor=vendor,
            name=Vendor(vendor).label,
            configured=vendor_available(vendor),
        )
        if live is not None and live.vendor != vendor:
            card.code, card.label = "other", "Not connected"
        elif live is not None:
            _fill(card, live)
        cards.append(card)
    return cards


def _fill(card: AccountingCard, connection: AccountingConnection) -> None:
    card.connection = connection
    counts = _counts(connection)
    card.failed, card.waiting = counts["failed"], counts["waiting"]
    if connection.status == ConnectionStatus.SETUP:
        card.code, card.label = "setup", "Finishing setup"
        return
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        card.code, card.label = "needs_reconnect", "Needs reconnecting"
        card.error, card.error_at = connection.last_error, connection.last_error_at
        return
    failure = _last_failure(connection)
    if failure is not None or connection.last_error:
        card.code, card.label = "error", "Error"
        if failure is not None and (
            not connection.last_error_at or failure.last_error_at >= connection.last_error_at
        ):
            card.error, card.error_at = failure.last_error, failure.last_error_at
        else:
            card.error, card.error_at = connection.last_error, connection.last_error_at
        return
    card.code, card.label = "connected", "Connected"


@dataclass
class InvoiceSync:
    # not_connected, not_synced, pending, synced, failed, waiting (reconnect)
    state: str
    label: str
    connection: AccountingConnection | None = None
    url: str = ""
    error: str = ""
    error_at: object = None
    items: list = field(default_factory=list)
    # A different contact holds the client's name there: {"id", "name", "email"} ({} when
    # only a distinct contact will do).
    conflict: dict | None = None


def invoice_sync_state(*, firm, invoice) -> InvoiceSync:
    """How far the invoice and its payments got into the firm's accounting system."""
    if invoice.firm_id != firm.pk:
        raise ValueError("the invoice belongs to another firm")
    connection = connection_for_firm(firm=firm)
    if connection is None:
        return InvoiceSync(state="not_connected", label="Not synced")
    items = list(
        SyncItem.objects.filter(firm=firm, connection=connection, invoice=invoice).order_by("id")
    )
    remote = RemoteRecord.objects.filter(
        firm=firm, connection=connection, local_key=f"invoice:{invoice.pk}"
    ).first()
    sync = InvoiceSync(state="not_synced", label="Not synced", connection=connection, items=items)
    if remote is not None:
        sync.url = remote.url
    failed = [item for item in items if item.status == SyncStatus.FAILED]
    if failed:
        sync.state, sync.label = "failed", "Sync failed"
        sync.error, sync.error_at = failed[-1].last_error, failed[-1].last_error_at
        conflicted = [item for item in failed if "conflict" in item.payload]
        if conflicted:
            sync.state, sync.label = "conflict", "Client needs linking"
            sync.conflict = conflicted[-1].payload["conflict"]
    elif any(item.status == SyncStatus.BLOCKED for item in items):
        sync.state, sync.label = "waiting", "Waiting for reconnection"
    elif any(item.status in (SyncStatus.PENDING, SyncStatus.RUNNING) for item in items):
        sync.state, sync.label = "pending", "Syncing"
        retrying = [item for item in items if item.last_error]
        if retrying:
            sync.error, sync.error_at = retrying[-1].last_error, retrying[-1].last_error_at
    elif remote is not None:
        sync.state, sync.label = "synced", "Synced"
    return sync


@dataclass
class PayoutBooking:
    vendor: str
    # booked, waiting, failed, skipped, reversed
    state: str
    error: str = ""


def payout_booking_state(*, firm, stripe_payout_id: str) -> PayoutBooking | None:
    """Whether the payout was booked in the firm's accounting system (None: the firm does
    not book payouts there, or this one was paid before it did)."""
    rows = {
        item.action: item
        for item in SyncItem.objects.filter(
            firm=firm,
            key__in=[f"payout:{stripe_payout_id}:book", f"payout:{stripe_payout_id}:reverse"],
        ).select_related("connection")
    }
    book = rows.get("payout_book")
    if book is None:
        return None
    vendor = book.connection.get_vendor_display()
    reverse_row = rows.get("payout_reverse")
    transfer = RemoteRecord.objects.filter(
        firm=firm, connection=book.connection, local_key=f"payout:{stripe_payout_id}:transfer"
    ).exists()
    if reverse_row is not None and reverse_row.status == SyncStatus.DONE and transfer:
        return PayoutBooking(vendor, "reversed")
    if book.status == SyncStatus.DONE:
        return PayoutBooking(vendor, "booked" if transfer else "skipped")
    if book.status == SyncStatus.FAILED:
        return PayoutBooking(vendor, "failed", book.last_error)
    return PayoutBooking(vendor, "waiting", book.last_error)
