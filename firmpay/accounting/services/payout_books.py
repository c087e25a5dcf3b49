"""Booking Stripe payouts so the firm's bank reconciliation matches (per connection, off by
default: "Book Stripe payouts").

While it is on, payments are recorded into the Stripe clearing account (sync.py); refunds,
returned debits and lost disputes take them back out through the payment's reversal, as
before. Each paid payout then gets one outbox row (`payout:{po}:book`) that books, once:

1. its fees (Stripe's, Firmpay's, dispute fees, and any Stripe balance change that is no
   payment of ours) from the clearing account into the fees account (Xero: a SPEND bank
   transaction to the contact "Stripe"; QuickBooks: a Purchase), and
2. its amount as a transfer from the clearing account to the bank account (Xero:
   BankTransfer; QuickBooks: Transfer), dated the payout's arrival date,

so the bank line equals the payout and the clearing account nets to zero after it. The row
waits (is retried later, uncounted) while the payout has not been itemised or any payment
in it is not booked yet; a payout that failed before it was booked is not booked; one that
fails after is reversed by a transfer back from the bank to the clearing account
(`payout:{po}:reverse`), which is where Stripe returns the money (its next payout carries
it as "earlier payout returned")."""

from __future__ import annotations

import datetime
import re

from django.db.models import Sum
from django.utils import timezone

from firmpay.accounting.models import (
    RemoteKind,
    SyncAction,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.providers.base import (
    ContactData,
    FeeLineData,
    PayoutFeesData,
    Provider,
    RemoteRef,
    TransferData,
)
from firmpay.accounting.services.outbox import _live_connection, sync_item_enqueue
from firmpay.accounting.services.outcomes import account, remember
from firmpay.accounting.services.outcomes import remote as remote_of
from firmpay.accounting.services.sync import (
    HANDLERS,
    Deferred,
    ProviderErrorDependency,
    ProviderErrorSetup,
    Skipped,
    wait_behind,
)
from firmpay.core.money import to_decimal
from firmpay.payouts.models import ItemKind, Payout, PayoutStatus

# How long a payout waits before looking again at whether its parts are booked.
PARTS_WAIT = 60.0
# After this many days past its arrival, a payout still missing a part stops waiting.
WAIT_DAYS = 14
STRIPE_CONTACT = "Stripe"
# Items that are one of our payments (or its refund, dispute, returned debit): their gross
# reaches the clearing account through the payment's own record and reversal.
PAYMENT_KINDS = {
    ItemKind.PAYMENT,
    ItemKind.REFUND,
    ItemKind.DISPUTE,
    ItemKind.DISPUTE_REVERSAL,
    ItemKind.FAILED_DEBIT,
}
DISPUTE_KINDS = {ItemKind.DISPUTE, ItemKind.DISPUTE_REVERSAL}
PAYMENT_ID_CHUNK = 200


class Waiting(Deferred):
    """Deferred, with the reason shown on the row ("waiting for …")."""

    shown = True


def payout_book_key(stripe_payout_id: str) -> str:
    return f"payout:{stripe_payout_id}:book"


def payout_reverse_key(stripe_payout_id: str) -> str:
    return f"payout:{stripe_payout_id}:reverse"


# --- the entry point (a payments hook) -----------------------------------------------------


def accounting_on_payout_changed(*, account, payout, at=None) -> SyncItem | None:
    """A payout moved on (payments/hooks.py "payout_changed"). Paid: book it, once, where
    the firm books payouts. Failed or cancelled after its booking row exists: reverse it."""
    connection = _live_connection(account.firm_id)
    if connection is None:
        return None
    if payout.status == PayoutStatus.PAID and connection.book_payouts:
        return sync_item_enqueue(
            connection=connection,
            key=payout_book_key(payout.id),
            action=SyncAction.PAYOUT_BOOK,
            payload={"payout": payout.id},
        )
    if payout.status in (PayoutStatus.FAILED, PayoutStatus.CANCELED):
        booked = SyncItem.objects.filter(connection=connection, key=payout_book_key(payout.id))
        if booked.exists():
            return sync_item_enqueue(
                connection=connection,
                key=payout_reverse_key(payout.id),
                action=SyncAction.PAYOUT_REVERSE,
                payload={"payout": payout.id, "failure": payout.failure_message[:200]},
            )
    return None


# --- what must be booked before the payout -------------------------------------------------


def _payout(item: SyncItem) -> Payout | None:
    return Payout.objects.filter(
        firm_id=item.firm_id, stripe_payout_id=item.payload.get("payout", "")
    ).first()


def _payment_rows(connection, payment_ids: set[int]) -> dict[int, list[SyncItem]]:
    """The record/reverse rows of each payment (`online:<id>` and `online:<id>:…` keys)."""
    rows: dict[int, list[SyncItem]] = {pk: [] for pk in payment_ids}
    ordered = sorted(payment_ids)
    for start in range(0, len(ordered), PAYMENT_ID_CHUNK):
        chunk = ordered[start : start + PAYMENT_ID_CHUNK]
        pattern = r"^online:(" + "|".join(map(str, chunk)) + r")(:|$)"
        found = SyncItem.objects.filter(
            connection=connection,
            action__in=[SyncAction.PAYMENT_RECORD, SyncAction.PAYMENT_REVERSE],
            payment_key__regex=pattern,
        ).only("pk", "status", "action", "payment_key", "payload", "next_attempt_at")
        for row in found:
            match = re.match(r"online:(\d+)", row.payment_key)
            rows[int(match.group(1))].append(row)
    return rows


def parts_check(connection, payout: Payout, provider: Provider) -> None:
    """Raise unless every payment in the payout is in the clearing account as it stands:
    Waiting while Firmpay has not learnt of a part or its rows are still syncing; an error
    the firm must act on when a part failed or went to the bank account instead."""
    items = list(payout.items.all())
    unknown = [i for i in items if i.kind in PAYMENT_KINDS and i.online_payment_id is None]
    if (
        unknown
        and payout.arrival_date
        and (timezone.localdate() - payout.arrival_date > datetime.timedelta(days=WAIT_DAYS))
    ):
        raise ProviderErrorSetup(
            f"Firmpay never learnt of {unknown[0].source_id or 'a part'} in this payout "
            f"within {WAIT_DAYS} days: book this payout by hand."
        )
    if unknown:
        raise Waiting(
            PARTS_WAIT,
            f"Waiting for Firmpay to learn of {unknown[0].get_kind_display().lower()} "
            f"{unknown[0].source_id or unknown[0].stripe_balance_transaction_id} in this payout.",
        )
    payment_ids = {i.online_payment_id for i in items if i.kind in PAYMENT_KINDS}
    for payment_id, rows in _payment_rows(connection, payment_ids).items():
        if not any(row.action == SyncAction.PAYMENT_RECORD for row in rows):
            raise ProviderErrorSetup(
                f"A payment in this payout (Firmpay payment {payment_id}) was never sent to "
                f"{provider.name}: book this payout by hand."
            )
        for row in rows:
            if row.status in (SyncStatus.FAILED, SyncStatus.CANCELLED):
                raise ProviderErrorDependency(
                    "A payment in this payout did not sync: retry it first."
                )
            if row.status != SyncStatus.DONE:
                raise Waiting(
                    wait_behind(row, at_most=PARTS_WAIT),
                    "Waiting for this payout's payments to be booked.",
                )
            if row.action == SyncAction.PAYMENT_RECORD and row.payload.get("booked_to") != (
                "clearing"
            ):
                raise ProviderErrorSetup(
                    "A payment in this payout was recorded to the bank account, not the "
                    "clearing account (before payout booking was on): book this payout by hand."
                )


def fee_lines(payout: Payout) -> tuple[FeeLineData, ...]:
    """What leaves the clearing account besides payments and the transfer: Stripe's fees,
    dispute fees, Firmpay's fees, and Stripe balance changes that are no payment of ours
    (adjustments), each a line of its own; lines of nothing left out."""
    currency = payout.currency
    items = payout.items.all()
    stripe = items.exclude(kind__in=DISPUTE_KINDS).aggregate(s=Sum("stripe_fee"))["s"] or 0
    disputes = items.filter(kind__in=DISPUTE_KINDS).aggregate(s=Sum("stripe_fee"))["s"] or 0
    firmpay = items.aggregate(s=Sum("firmpay_fee"))["s"] or 0
    # Not a payment of ours, nor a failed payout coming back (its reversal brought that
    # back to the clearing account): the gross leaves or reaches clearing here.
    other = -(
        items.exclude(kind__in=PAYMENT_KINDS | {ItemKind.PAYOUT_RETURN}).aggregate(s=Sum("amount"))[
            "s"
        ]
        or 0
    )
    lines = (
        ("Stripe fees", stripe),
        ("Stripe dispute fees", disputes),
        ("Firmpay fees", firmpay),
        ("Other Stripe balance changes", other),
    )
    return tuple(
        FeeLineData(description=label, amount=to_decimal(amount, currency))
        for label, amount in lines
        if amount
    )


# --- handlers ------------------------------------------------------------------------------


def _accounts_check(connection, provider: Provider) -> None:
    if not (
        connection.clearing_account_id
        and connection.fees_account_id
        and connection.payout_account_id
    ):
        raise ProviderErrorSetup(
            "Choose the clearing, fees and bank accounts for payouts in Settings → Integrations."
        )


def _stripe_contact(connection, provider: Provider, ctx) -> str:
    """Xero's bank transactions name a contact: "Stripe", found or created once."""
    if not provider.fees_need_contact:
        return ""
    known = remote_of(connection, "contact:stripe")
    if known is not None:
        return known.remote_id
    found = [
        c
        for c in provider.contact_find(ctx=ctx, by="name", value=STRIPE_CONTACT)
        if c.name.lower() == STRIPE_CONTACT.lower()
    ]
    ref = (
        RemoteRef(id=found[0].id)
        if found
        else provider.contact_create(ctx=ctx, contact=ContactData(name=STRIPE_CONTACT, email=""))
    )
    return remember(
        connection, kind=RemoteKind.CONTACT, local_key="contact:stripe", ref=ref
    ).remote_id


def handle_payout_book(item, connection, provider: Provider, ctx) -> None:
    po = item.payload.get("payout", "")
    if remote_of(connection, f"payout:{po}:transfer") is not None:
        return
    payout = _payout(item)
    if payout is None or payout.itemized_at is None:
        raise Waiting(PARTS_WAIT, "Waiting for the payout's contents from Stripe.")
    if payout.status in (PayoutStatus.FAILED, PayoutStatus.CANCELED):
        raise Skipped("the payout failed: nothing reached the bank")
    if payout.status != PayoutStatus.PAID:
        raise Waiting(PARTS_WAIT, "Waiting for the payout to be paid.")
    net = payout.items.aggregate(s=Sum("net"))["s"] or 0
    if payout.amount <= 0 or net != payout.amount:
        raise ProviderErrorSetup(
            f"Stripe did not itemise this payout ({payout.itemize_error or 'its parts do not add up'}): "
            "book it by hand."
        )
    _accounts_check(connection, provider)
    parts_check(connection, payout, provider)
    clearing = account(connection, "clearing")
    day = payout.arrival_date or timezone.localdate()
    currency = payout.currency.upper()
    reference = f"Stripe payout {po}"
    lines = fee_lines(payout)
    if lines and remote_of(connection, f"payout:{po}:fees") is None:
        if sum(line.amount for line in lines) < 0:
            raise ProviderErrorSetup(
                "Stripe gave back more than it charged in this payout: book its fees by hand."
            )
        fees = PayoutFeesData(
            clearing=clearing,
            expense=account(connection, "fees"),
            lines=lines,
            currency=currency,
            date=day,
            reference=reference,
            contact_id=_stripe_contact(connection, provider, ctx),
        )
        ref = provider.payout_fees_create(ctx=ctx, fees=fees)
        remember(connection, kind=RemoteKind.PAYOUT_FEES, local_key=f"payout:{po}:fees", ref=ref)
    transfer = TransferData(
        source=clearing,
        target=account(connection, "payout"),
        amount=to_decimal(payout.amount, currency),
        currency=currency,
        date=day,
        reference=reference,
    )
    ref = provider.transfer_create(ctx=ctx, transfer=transfer)
    remember(connection, kind=RemoteKind.TRANSFER, local_key=f"payout:{po}:transfer", ref=ref)


def handle_payout_reverse(item, connection, provider: Provider, ctx) -> None:
    """The payout failed after it was booked: the money goes back from the bank account to
    the clearing account (Stripe returns it to the balance)."""
    po = item.payload.get("payout", "")
    booking = SyncItem.objects.filter(connection=connection, key=payout_book_key(po)).first()
    if booking is not None and booking.status in (
        SyncStatus.PENDING,
        SyncStatus.RUNNING,
        SyncStatus.BLOCKED,
    ):
        raise Deferred(PARTS_WAIT, "waiting for the payout's booking")
    booked = remote_of(connection, f"payout:{po}:transfer")
    if booked is None:
        raise Skipped("the payout was never booked")
    if remote_of(connection, f"payout:{po}:return") is not None:
        return
    payout = _payout(item)
    if payout is None:
        raise Skipped("the payout is unknown")
    currency = payout.currency.upper()
    failed_on = timezone.localdate()
    transfer = TransferData(
        source=account(connection, "payout"),
        target=account(connection, "clearing"),
        amount=to_decimal(payout.amount, currency),
        currency=currency,
        date=max(failed_on, payout.arrival_date or failed_on),
        reference=f"Stripe payout {po} failed: returned to Stripe",
    )
    ref = provider.transfer_create(ctx=ctx, transfer=transfer)
    remember(connection, kind=RemoteKind.TRANSFER, local_key=f"payout:{po}:return", ref=ref)


HANDLERS[SyncAction.PAYOUT_BOOK] = handle_payout_book
HANDLERS[SyncAction.PAYOUT_REVERSE] = handle_payout_reverse
