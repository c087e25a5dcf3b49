"""The claim on an invoice: the one payment whose checkout may take money for it now.

Every checkout (invoice link or portal) takes the claims of its invoices inside its
transaction, with the invoice rows locked. Taking a claim from a payment whose checkout is
still open first closes that checkout at Stripe, synchronously: if Stripe says it was paid
meanwhile, the new checkout is refused. The claim row (unique per invoice) changes hands
with a compare-and-set on the previous holder, so two checkouts racing for an invoice cannot
both win, on any database."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.payments.exceptions import PaymentsError
from firmpay.payments.online.allocation_models import InvoicePaymentClaim
from firmpay.payments.online.exceptions import InvoiceBeingPaid, PaymentInProgress
from firmpay.payments.online.models import OnlinePayment, OnlinePaymentStatus
from firmpay.payments.stripe import checkout as stripe_checkout

logger = logging.getLogger("firmpay.payments.claims")


def _close(holder: OnlinePayment) -> None:
    """Close the holder's open checkout at Stripe and retire it; refuse if it was paid."""
    if holder.status == OnlinePaymentStatus.PROCESSING:
        raise PaymentInProgress()
    if holder.status != OnlinePaymentStatus.PENDING:
        return
    if holder.checkout_session_id:
        try:
            stripe_checkout.checkout_session_expire(
                account_id=holder.stripe_account_id, session_id=holder.checkout_session_id
            )
        except PaymentsError:
            session = stripe_checkout.checkout_session_retrieve(
                account_id=holder.stripe_account_id, session_id=holder.checkout_session_id
            )
            if session.status != "expired":
                logger.info("claim: session %s is %s", session.id, session.status)
                raise InvoiceBeingPaid() from None
    OnlinePayment.objects.filter(pk=holder.pk, status=OnlinePaymentStatus.PENDING).update(
        status=OnlinePaymentStatus.EXPIRED, expired_at=timezone.now(), updated_at=timezone.now()
    )


def invoice_claims_clear(*, invoices, keep: OnlinePayment | None = None) -> dict[int, int]:
    """Close every other payment's open checkout on these invoices (rows locked by the
    caller). Returns {invoice id: holder payment id} for invoice_claims_take."""
    holders = {}
    claims = InvoicePaymentClaim.objects.select_for_update().filter(
        invoice__in=[i.pk for i in invoices]
    )
    for claim in claims.select_related("payment").order_by("invoice_id"):
        holders[claim.invoice_id] = claim.payment_id
        if keep is None or claim.payment_id != keep.pk:
            _close(claim.payment)
    return holders


def invoice_claims_take(*, invoices, payment: OnlinePayment, holders: dict[int, int]) -> None:
    """Hand each invoice's claim to `payment`, only from the holder seen by
    invoice_claims_clear (compare-and-set); a new claim row is an insert the unique index
    guards. Raises InvoiceBeingPaid when another checkout got there in between."""
    for invoice in sorted(invoices, key=lambda i: i.pk):
        previous = holders.get(invoice.pk)
        if previous is None:
            try:
                with transaction.atomic():
                    InvoicePaymentClaim.objects.create(
                        firm_id=invoice.firm_id, invoice=invoice, payment=payment
                    )
            except IntegrityError:
                raise InvoiceBeingPaid() from None
            continue
        moved = InvoicePaymentClaim.objects.filter(invoice=invoice, payment_id=previous).update(
            payment=payment, updated_at=timezone.now()
        )
        if not moved:
            raise InvoiceBeingPaid()
