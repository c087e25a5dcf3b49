"""Paying several invoices at once (the client portal): one Checkout Session on the firm's
connected account for the total, allocated to the invoices oldest first.

Each invoice is paid in full (what is payable now: due, less debits on their way). The
invoices are locked (in id order, as the payment events lock them) and their claims taken
(online/claims.py) before the session is created, so no invoice is in two open
checkouts at once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from firmpay.invoices.models import Invoice
from firmpay.payments.connect.selectors import payment_account_for_firm
from firmpay.payments.online.allocation_models import InvoicePaymentClaim, PaymentAllocation
from firmpay.payments.online.allocation_selectors import invoice_allocated_amounts
from firmpay.payments.online.checkout import PAYABLE_STATUSES, REUSE_MARGIN, application_fee
from firmpay.payments.online.claims import invoice_claims_clear, invoice_claims_take
from firmpay.payments.online.exceptions import (
    AmountInvalid,
    InvoicesNotPayable,
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


def invoice_payable_now(*, invoice: Invoice) -> int:
    if invoice.status not in PAYABLE_STATUSES:
        return 0
    processing = (
        invoice_online_amounts(invoice=invoice).processing
        + invoice_allocated_amounts(invoice=invoice).processing
    )
    return max(invoice.amount_due - processing, 0)


def _oldest_first(invoice: Invoice):
    return (invoice.issue_date, invoice.due_date, invoice.pk)


def _locked_invoices(*, firm, client, invoice_ids: list[int] | None) -> list[Invoice]:
    rows = Invoice.objects.select_for_update().filter(firm=firm, client=client)
    if invoice_ids is None:
        rows = rows.filter(status__in=PAYABLE_STATUSES)
    else:
        rows = rows.filter(pk__in=invoice_ids)
    invoices = list(rows.order_by("pk"))
    if invoice_ids is not None and len(invoices) != len(set(invoice_ids)):
        raise InvoicesNotPayable()
    if not invoices:
        raise InvoicesNotPayable("Nothing is due.")
    return sorted(invoices, key=_oldest_first)


def _allocations(invoices: list[Invoice]) -> list[tuple[Invoice, int]]:
    plan = []
    for invoice in invoices:
        amount = invoice_payable_now(invoice=invoice)
        if amount <= 0:
            if invoice.status == "payment_processing":
                raise PaymentInProgress(f"A bank payment for {invoice.number} is on its way.")
            raise InvoicesNotPayable(f"{invoice.number} has nothing left to pay.")
        plan.append((invoice, amount))
    if len({invoice.currency for invoice in invoices}) > 1:
        raise AmountInvalid("Pay invoices in one currency at a time.")
    return plan


def _reusable(*, holders: dict[int, int], plan) -> OnlinePayment | None:
    """The open portal checkout for exactly these invoices and amounts, if there is one."""
    ids = set(holders.values())
    if len(ids) != 1 or len(holders) != len(plan):
        return None
    payment = (
        OnlinePayment.objects.filter(
            pk=ids.pop(),
            status=OnlinePaymentStatus.PENDING,
            session_expires_at__gt=timezone.now() + REUSE_MARGIN,
        )
        .exclude(checkout_session_id="")
        .first()
    )
    if payment is None:
        return None
    wanted = [(invoice.pk, amount) for invoice, amount in plan]
    have = list(payment.allocations.order_by("position").values_list("invoice_id", "amount"))
    return payment if have == wanted else None


def checkout_start_several(
    *, firm, client, invoice_ids: list[int] | None, success_url: str, cancel_url: str
) -> OnlinePayment:
    """The payment to send the client to (`payment.checkout_url`) for the chosen invoices
    (None: every open one). `success_url` may contain {payment_id}. Raises the checkout
    errors of online/checkout.py, InvoicesNotPayable and InvoiceBeingPaid."""
    account = payment_account_for_firm(firm=firm)
    if account is None or not account.charges_enabled:
        raise OnlinePaymentUnavailable()
    settings_row = checkout_settings_for_firm(firm=firm)
    with transaction.atomic():
        invoices = _locked_invoices(firm=firm, client=client, invoice_ids=invoice_ids)
        plan = _allocations(invoices)
        reuse = _reusable(holders=dict(_holders(invoices)), plan=plan)
        if reuse is not None:
            return reuse
        holders = invoice_claims_clear(invoices=invoices)
        currency = invoices[0].currency
        methods = checkout_methods(account=account, currency=currency, settings_row=settings_row)
        total = sum(amount for _, amount in plan)
        payment = OnlinePayment.objects.create(
            firm=firm,
            invoice=invoices[0],
            account=account,
            stripe_account_id=account.stripe_account_id,
            amount=total,
            currency=currency,
            application_fee_amount=application_fee(amount=total, plan=firm.plan),
            allowed_methods=methods,
        )
        PaymentAllocation.objects.bulk_create(
            PaymentAllocation(
                firm=firm, payment=payment, invoice=invoice, position=n, amount=amount
            )
            for n, (invoice, amount) in enumerate(plan)
        )
        invoice_claims_take(invoices=invoices, payment=payment, holders=holders)
        _session_create(payment, invoices, success_url=success_url, cancel_url=cancel_url)
    return payment


def _holders(invoices):
    return InvoicePaymentClaim.objects.filter(invoice__in=invoices).values_list(
        "invoice_id", "payment_id"
    )


def _session_create(payment: OnlinePayment, invoices, *, success_url: str, cancel_url: str):
    firm = payment.firm
    numbers = ", ".join(invoice.number for invoice in invoices)
    session = stripe_checkout.checkout_session_create(
        account_id=payment.stripe_account_id,
        amount=payment.amount,
        currency=payment.currency,
        description=f"Invoices {numbers} from {firm.name}"[:500],
        application_fee_amount=payment.application_fee_amount,
        methods=payment.allowed_methods,
        metadata={
            "firmpay_firm_id": str(firm.pk),
            "firmpay_invoice_id": str(invoices[0].pk),
            "firmpay_invoice_ids": ",".join(str(i.pk) for i in invoices)[:500],
            "firmpay_invoice_number": numbers[:500],
            "firmpay_payment_id": str(payment.pk),
        },
        success_url=success_url.replace("{payment_id}", str(payment.pk)),
        cancel_url=cancel_url,
        customer_email=invoices[0].client.email or "",
        client_reference_id=str(payment.pk),
        idempotency_key=f"online_payment:{payment.pk}:checkout",
    )
    payment.checkout_session_id = session.id
    payment.checkout_url = session.url
    payment.session_expires_at = session.expires_at or timezone.now() + timedelta(hours=24)
    payment.save(
        update_fields=["checkout_session_id", "checkout_url", "session_expires_at", "updated_at"]
    )
