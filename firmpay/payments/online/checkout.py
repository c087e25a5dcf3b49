"""Starting a payment: a Checkout Session on the firm's connected account (direct charge).

One OnlinePayment row per attempt. The invoice row is locked while we decide and ask
Stripe, so two simultaneous clicks end on one row and one session (the unique index on
one pending row per (invoice, amount) backs this up where rows cannot be locked).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.core.money import format_amount
from firmpay.invoices.models import Invoice, InvoiceStatus
from firmpay.payments.connect.selectors import payment_account_for_firm
from firmpay.payments.exceptions import PaymentsError
from firmpay.payments.models import PaymentAccount
from firmpay.payments.online.exceptions import (
    AmountInvalid,
    NothingToPay,
    OnlinePaymentUnavailable,
    PaymentInProgress,
)
from firmpay.payments.online.models import OnlinePayment, OnlinePaymentStatus
from firmpay.payments.online.selectors import (
    checkout_methods,
    checkout_settings_for_firm,
    invoice_online_amounts,
)
from firmpay.payments.stripe import checkout as stripe_checkout
from firmpay.tenancy.plans import fee_bps

logger = logging.getLogger("firmpay.payments.checkout")

# A session this close to its expiry is not handed out again.
REUSE_MARGIN = timedelta(minutes=10)
PAYABLE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


def application_fee(*, amount: int, plan: str) -> int:
    """Our fee in minor units: the plan's basis points of the amount, rounded half up."""
    return (amount * fee_bps(plan) + 5000) // 10000


def payable_amount(*, invoice: Invoice) -> int:
    """What the client can still pay online: due, less bank debits already on their way."""
    if invoice.status not in PAYABLE_STATUSES:
        return 0
    return max(invoice.amount_due - invoice_online_amounts(invoice=invoice).processing, 0)


def checkout_amount_check(*, invoice: Invoice, amount: int | None, settings_row) -> int:
    """The amount to charge: everything payable, or a part when the firm allows it."""
    payable = payable_amount(invoice=invoice)
    if invoice.status == InvoiceStatus.PAYMENT_PROCESSING:
        raise PaymentInProgress()
    if payable <= 0:
        raise NothingToPay()
    if amount is None or amount == payable:
        return payable
    if not settings_row.allow_partial:
        raise AmountInvalid(f"Pay the full {format_amount(payable, invoice.currency)}.")
    if amount > payable:
        raise AmountInvalid(
            f"That is more than the {format_amount(payable, invoice.currency)} due."
        )
    minimum = max(settings_row.partial_minimum, 1)
    if amount < minimum:
        raise AmountInvalid(f"The smallest payment is {format_amount(minimum, invoice.currency)}.")
    return amount


def checkout_start(
    *, invoice: Invoice, return_url: str, amount: int | None = None
) -> OnlinePayment:
    """The payment to send the client to (`payment.checkout_url`): a still-open session for
    the same amount is reused, otherwise a new row and session. `return_url` is the
    absolute URL of the client's invoice page. Raises OnlinePaymentUnavailable,
    PaymentInProgress, NothingToPay, AmountInvalid, StripeUnavailable, StripeRequestFailed."""
    firm = invoice.firm
    account = payment_account_for_firm(firm=firm)
    if account is None or not account.charges_enabled:
        raise OnlinePaymentUnavailable()
    settings_row = checkout_settings_for_firm(firm=firm)
    try:
        with transaction.atomic():
            return _start_locked(
                invoice=invoice,
                account=account,
                settings_row=settings_row,
                amount=amount,
                return_url=return_url,
            )
    except IntegrityError:
        # Another request inserted the pending row first (no row locks on SQLite): it has
        # committed its session by now.
        existing = _reusable(invoice=invoice, amount=amount or invoice.amount_due)
        if existing is None:
            raise
        return existing


def _reusable(*, invoice: Invoice, amount: int) -> OnlinePayment | None:
    return (
        OnlinePayment.objects.filter(
            invoice=invoice,
            amount=amount,
            status=OnlinePaymentStatus.PENDING,
            session_expires_at__gt=timezone.now() + REUSE_MARGIN,
        )
        .exclude(checkout_session_id="")
        .first()
    )


def autopay_charge_in_flight(*, invoice: Invoice) -> bool:
    from firmpay.payments.autopay.models import InvoiceAutopay

    return InvoiceAutopay.objects.filter(
        invoice_id=invoice.pk, status__in=["charging", "processing"]
    ).exists()


def _start_locked(*, invoice, account, settings_row, amount, return_url) -> OnlinePayment:
    invoice = (
        Invoice.objects.select_for_update().select_related("firm", "client").get(pk=invoice.pk)
    )
    if autopay_charge_in_flight(invoice=invoice):
        # Read under the invoice lock the charging sweep also takes: no second payment.
        raise PaymentInProgress()
    amount = checkout_amount_check(invoice=invoice, amount=amount, settings_row=settings_row)
    methods = checkout_methods(
        account=account, currency=invoice.currency, settings_row=settings_row
    )
    stale = []
    for pending in OnlinePayment.objects.filter(
        invoice=invoice, status=OnlinePaymentStatus.PENDING
    ):
        reusable = (
            pending.amount == amount
            and pending.account_id == account.pk
            and pending.checkout_session_id
            and pending.allowed_methods == methods
            and pending.session_expires_at
            and pending.session_expires_at > timezone.now() + REUSE_MARGIN
        )
        if reusable:
            return pending
        # Another amount, or methods changed, or about to expire: retire it so the client
        # cannot pay twice through an older session.
        pending.status = OnlinePaymentStatus.EXPIRED
        pending.expired_at = timezone.now()
        pending.save(update_fields=["status", "expired_at", "updated_at"])
        if pending.checkout_session_id:
            stale.append((pending.stripe_account_id, pending.checkout_session_id))
    payment = OnlinePayment.objects.create(
        firm=invoice.firm,
        invoice=invoice,
        account=account,
        stripe_account_id=account.stripe_account_id,
        amount=amount,
        currency=invoice.currency,
        application_fee_amount=application_fee(amount=amount, plan=invoice.firm.plan),
        allowed_methods=methods,
    )
    metadata = {
        "firmpay_firm_id": str(invoice.firm_id),
        "firmpay_invoice_id": str(invoice.pk),
        "firmpay_invoice_number": invoice.number,
        "firmpay_payment_id": str(payment.pk),
    }
    session = stripe_checkout.checkout_session_create(
        account_id=account.stripe_account_id,
        amount=amount,
        currency=invoice.currency,
        description=f"Invoice {invoice.number} from {invoice.firm.name}",
        application_fee_amount=payment.application_fee_amount,
        methods=methods,
        metadata=metadata,
        success_url=f"{return_url}paid/{payment.pk}/",
        cancel_url=return_url,
        customer_email=invoice.client.email or "",
        client_reference_id=str(payment.pk),
        idempotency_key=f"online_payment:{payment.pk}:checkout",
    )
    payment.checkout_session_id = session.id
    payment.checkout_url = session.url
    payment.session_expires_at = session.expires_at or timezone.now() + timedelta(hours=24)
    payment.save(
        update_fields=["checkout_session_id", "checkout_url", "session_expires_at", "updated_at"]
    )
    for stale_account, stale_session in stale:
        transaction.on_commit(
            lambda a=stale_account, s=stale_session: _expire_quietly(account_id=a, session_id=s)
        )
    return payment


def _expire_quietly(*, account_id: str, session_id: str) -> None:
    try:
        stripe_checkout.checkout_session_expire(account_id=account_id, session_id=session_id)
    except PaymentsError as error:
        # Already complete/expired, or the account is gone: nothing left to close.
        logger.info("expire %s: %r", session_id, error)


def checkout_sessions_expire_for_account(*, account: PaymentAccount) -> int:
    """Expire every open Checkout Session of `account` (disconnect). Returns how many."""
    pending = list(
        OnlinePayment.objects.filter(account=account, status=OnlinePaymentStatus.PENDING)
    )
    for payment in pending:
        if payment.checkout_session_id:
            _expire_quietly(
                account_id=payment.stripe_account_id, session_id=payment.checkout_session_id
            )
        OnlinePayment.objects.filter(pk=payment.pk, status=OnlinePaymentStatus.PENDING).update(
            status=OnlinePaymentStatus.EXPIRED, expired_at=timezone.now(), updated_at=timezone.now()
        )
    return len(pending)
