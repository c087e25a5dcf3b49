"""Reads about online payments of invoices. Every firm read takes `firm=`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404

from firmpay.payments.hooks import payment_stripe_fees
from firmpay.payments.models import PaymentAccount
from firmpay.payments.online.models import (
    DEBIT_METHODS,
    RECEIVED_STATUSES,
    CheckoutSettings,
    DisputeStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentMethodType,
)
from firmpay.payments.stripe.dataclasses import AccountSnapshot


@dataclass(frozen=True)
class OnlineAmounts:
    received: int  # succeeded payments net of refunds (lost disputes count nothing)
    processing: int  # bank debits initiated, not settled
    refunded: int
    disputed: bool  # an open dispute


def invoice_online_amounts(*, invoice) -> OnlineAmounts:
    """What the invoice's online payments add up to (invoice_recompute_status uses it)."""
    received = processing = refunded = 0
    disputed = False
    rows = OnlinePayment.objects.filter(invoice=invoice, allocations=None).exclude(
        status__in=[OnlinePaymentStatus.PENDING, OnlinePaymentStatus.EXPIRED]
    )  # a payment for several invoices counts through online/allocation_selectors.py
    for payment in rows.only("status", "amount", "amount_refunded"):
        if payment.status in RECEIVED_STATUSES:
            received += max(payment.amount - payment.amount_refunded, 0)
            refunded += min(payment.amount_refunded, payment.amount)
        elif payment.status == OnlinePaymentStatus.PROCESSING:
            processing += payment.amount
        if payment.status == OnlinePaymentStatus.DISPUTED:
            disputed = True
    return OnlineAmounts(received, processing, refunded, disputed)


def checkout_settings_for_firm(*, firm) -> CheckoutSettings:
    """The firm's settings (defaults when it never saved any; not stored by a read)."""
    return CheckoutSettings.objects.filter(firm=firm).first() or CheckoutSettings(firm=firm)


def checkout_methods(*, account: PaymentAccount, currency: str, settings_row) -> list[str]:
    """`allowed_payment_method_types` for an invoice in `currency`: card always; ACH for USD
    when the account's ACH capability is active; Bacs for GBP when Bacs is active; each
    debit only while the firm leaves it on."""
    snapshot = AccountSnapshot.from_dict(account.snapshot) if account.snapshot else None
    methods = [PaymentMethodType.CARD.value]
    if snapshot is None:
        return methods
    caps = snapshot.capabilities
    if currency == "USD" and caps.ach_active and settings_row.ach_enabled:
        methods.append(PaymentMethodType.ACH.value)
    if currency == "GBP" and caps.bacs_active and settings_row.bacs_enabled:
        methods.append(PaymentMethodType.BACS.value)
    return methods


def invoice_payments(*, invoice) -> list[OnlinePayment]:
    """The invoice's payment attempts, oldest first, with refunds and disputes."""
    # A payment for several invoices (client portal) shows on each of them.
    mine = Q(invoice=invoice) | Q(allocations__invoice=invoice)
    return list(
        OnlinePayment.objects.filter(mine)
        .distinct()
        .prefetch_related("refunds", "disputes", "allocations__invoice")
        .order_by("created_at", "id")
    )


def invoice_open_processing(*, invoice) -> OnlinePayment | None:
    return (
        OnlinePayment.objects.filter(invoice=invoice, status=OnlinePaymentStatus.PROCESSING)
        .order_by("-id")
        .first()
    )


def online_payment_for_invoice(*, invoice, payment_id: int) -> OnlinePayment:
    return get_object_or_404(OnlinePayment, pk=payment_id, invoice=invoice)


def online_payment_get(*, firm, payment_id: int) -> OnlinePayment:
    return get_object_or_404(
        OnlinePayment.objects.select_related("invoice", "invoice__client"),
        pk=payment_id,
        firm=firm,
    )


@dataclass(frozen=True)
class Overpayment:
    amount: int  # how much more than the total was received
    payment: OnlinePayment  # the payment whose refund fixes it (the latest one)
    refund_amount: int


def invoice_overpayment(*, invoice) -> Overpayment | None:
    """Two payments succeeded for one invoice (two tabs, two devices): the extra money and
    the payment to refund it from."""
    extra = invoice.amount_paid - invoice.total
    if extra <= 0:
        return None
    candidates = [
        p for p in OnlinePayment.objects.filter(invoice=invoice).order_by("-id") if p.refundable
    ]
    if not candidates:
        return None
    payment = candidates[0]
    return Overpayment(amount=extra, payment=payment, refund_amount=min(extra, payment.refundable))


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    by_currency: list[tuple[str, int, int]]  # (currency, gross of listed payments, refunded)


def firm_payments(
    *,
    firm,
    status: str = "",
    method: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """The firm's payments (not the abandoned attempts unless asked for), newest first."""
    rows = (
        OnlinePayment.objects.filter(firm=firm)
        .select_related("invoice", "invoice__client")
        # A portal payment for several invoices is listed with each one it paid.
        .prefetch_related("allocations__invoice")
    )
    if status:
        rows = rows.filter(status=status)
    else:
        rows = rows.exclude(status__in=[OnlinePaymentStatus.PENDING, OnlinePaymentStatus.EXPIRED])
    if method:
        rows = rows.filter(method=method)
    if date_from:
        rows = rows.filter(created_at__date__gte=date_from)
    if date_to:
        rows = rows.filter(created_at__date__lte=date_to)
    return rows.order_by("-created_at", "-id")


def payments_totals(rows) -> PaymentTotals:
    """Totals per currency of the listed payments: money in (received statuses) and refunded."""
    received = Q(status__in=RECEIVED_STATUSES)
    per_currency = (
        rows.order_by()
        .values("currency")
        .annotate(
            n=Count("id"),
            gross=Sum("amount", filter=received, default=0),
            refunded=Sum("amount_refunded", filter=received, default=0),
        )
        .order_by("currency")
    )
    count = 0
    out = []
    for row in per_currency:
        count += row["n"]
        out.append((row["currency"], row["gross"], row["refunded"]))
    return PaymentTotals(count=count, by_currency=out)


@dataclass(frozen=True)
class PaymentFees:
    """What one payment left the firm: gross, less Stripe's fee and Firmpay's fee, is net.
    Stripe's fee is None (pending) until its balance transaction is known (a payout lists
    it), and so is net: never counted as 0."""

    gross: int
    stripe_fee: int | None
    firmpay_fee: int

    @property
    def net(self) -> int | None:
        if self.stripe_fee is None:
            return None
        return self.gross - self.stripe_fee - self.firmpay_fee


def payments_fees_attach(payments: list[OnlinePayment]) -> list[OnlinePayment]:
    """Sets `payment.fees` (PaymentFees, or None for an attempt that took no money: an
    open or expired checkout, a failed debit) on each payment, asking the fee sources once
    for them all."""
    fees = payment_stripe_fees(payment_ids=[p.pk for p in payments])
    for payment in payments:
        took_money = payment.succeeded_at is not None or (
            payment.status == OnlinePaymentStatus.PROCESSING
        )
        payment.fees = (
            PaymentFees(
                gross=payment.amount,
                stripe_fee=fees.get(payment.pk),
                firmpay_fee=payment.application_fee_amount,
            )
            if took_money
            else None
        )
    return payments


def invoice_has_open_dispute(*, invoice) -> bool:
    return invoice.online_payments.filter(disputes__status=DisputeStatus.OPEN).exists()


def is_debit(method: str) -> bool:
    return method in DEBIT_METHODS


# Payments whose status a webhook will still change.
IN_FLIGHT_STATUSES = (OnlinePaymentStatus.PENDING, OnlinePaymentStatus.PROCESSING)


def payments_live_state(*, firm) -> tuple:
    """(latest change, how many, how many in flight) of the firm's payments, in one query:
    the payments list's poll answers "nothing new" from it."""
    state = OnlinePayment.objects.filter(firm=firm).aggregate(
        latest=Max("updated_at"),
        count=Count("id"),
        moving=Count("id", filter=Q(status__in=IN_FLIGHT_STATUSES)),
    )
    return state["latest"], state["count"], state["moving"]
