"""A payment's state: facts on rows, a status derived from all of them.

Each fact records something on rows (a debit started at T, succeeded at T, failed at T, a
refund of N, a dispute in status S); a payment's status is derived from all its facts
(`payment_status_derive`), never from the last event. So facts in any order, any number of
times, end in the same state, and a late or duplicate one changes nothing.

Refunds and disputes are keyed by the processor's ids; one that arrives before we know which
payment it belongs to is stored unattached and adopted when the payment learns its intent or
charge (`payment_learn_ids`).

Lock order everywhere: invoice, then payment.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_recompute_status
from firmpay.payments.facts import PaymentRef
from firmpay.payments.models import PaymentAccount, StripeEventStatus
from firmpay.payments.online.allocations import allocations_lock, allocations_recompute
from firmpay.payments.online.books import payment_accounting_follow, payment_booked
from firmpay.payments.online.models import (
    REFUND_COUNTED,
    DisputeStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentDispute,
    PaymentRefund,
)
from firmpay.payments.online.notices import notices_for_change
from firmpay.payments.online.payment_reads import payments_read


def payment_status_derive(
    payment: OnlinePayment, *, refunded: int, disputes: list[str]
) -> OnlinePaymentStatus:
    """The status every fact on the payment adds up to."""
    succeeded = payment.succeeded_at is not None and not (
        payment.failed_at is not None and payment.failed_at >= payment.succeeded_at
    )
    if succeeded:
        if DisputeStatus.OPEN in disputes:
            return OnlinePaymentStatus.DISPUTED
        if DisputeStatus.LOST in disputes:
            return OnlinePaymentStatus.LOST
        if refunded >= payment.amount:
            return OnlinePaymentStatus.REFUNDED
        if refunded > 0:
            return OnlinePaymentStatus.PARTIALLY_REFUNDED
        if DisputeStatus.WON in disputes:
            return OnlinePaymentStatus.WON
        return OnlinePaymentStatus.SUCCEEDED
    if payment.failed_at is not None:
        return OnlinePaymentStatus.FAILED
    if payment.processing_at is not None:
        return OnlinePaymentStatus.PROCESSING
    if payment.expired_at is not None:
        return OnlinePaymentStatus.EXPIRED
    return OnlinePaymentStatus.PENDING


_UNSET = object()


def payment_settle(payment: OnlinePayment, *, booked_before=_UNSET) -> None:
    """Recompute the payment's derived fields and status, then the invoice's; queue the
    emails the change calls for and tell the books. Call with invoice and payment locked;
    `booked_before` is `payment_booked(payment)` from before the change's rows were written."""
    if booked_before is _UNSET:
        booked_before = payment_booked(payment)
    before = payment.status
    refunds = list(payment.refunds.all())
    counted = sum(r.amount for r in refunds if r.status in REFUND_COUNTED)
    refunded = min(max(counted, payment.charge_amount_refunded), payment.amount)
    dispute_rows = list(payment.disputes.all())
    disputes = [dispute.status for dispute in dispute_rows]
    payment.amount_refunded = refunded
    payment.status = payment_status_derive(payment, refunded=refunded, disputes=disputes)
    payment.save()
    invoice = payment.invoice
    invoice_before = invoice.status
    invoice_recompute_status(invoice=invoice)
    allocations_recompute(payment=payment)
    notices_for_change(
        payment=payment,
        before=before,
        invoice_before=invoice_before,
        refunds=refunds,
        disputes=dispute_rows,
    )
    payment_accounting_follow(payment=payment, before=booked_before, after=payment_booked(payment))
    autopay_payment_settled(payment=payment, before=before)


def autopay_payment_settled(*, payment: OnlinePayment, before: str) -> None:
    from firmpay.payments.autopay.outcomes import autopay_payment_settled as follow

    follow(payment=payment, before=before)


def payment_lock(payment_id: int) -> OnlinePayment:
    """The payment and its invoice, locked (invoice first). Call inside a transaction."""
    invoice_id = OnlinePayment.objects.values_list("invoice_id", flat=True).get(pk=payment_id)
    allocations_lock(payment_id=payment_id)  # a payment for several invoices: all of them
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("firm").get(pk=invoice_id)
    )
    payment = OnlinePayment.objects.select_for_update().get(pk=payment_id)
    payment.invoice = invoice
    return payment


def payment_for_ref(ref: PaymentRef) -> OnlinePayment | None:
    """Our payment for `ref`, only on the account the processor named: by our own id
    echoed back, then the intent, the charge, the session. One query for all of them
    (every event of the worker asks; most name two or three ids), none when a batch read
    the payments its facts name together (`payment_reads.payments_read_together`) and one
    of them answers. Read without a lock: take its pk to `payment_change`."""
    keys = payment_ref_keys(ref)
    if not keys:
        return None
    read = payments_read(ref.account)
    if read:
        payment = payment_first_named(read, keys)
        if payment is not None:
            return payment
    any_key = Q()
    for field, value in keys:
        any_key |= Q(**{field: value})
    found = list(
        OnlinePayment.objects.filter(any_key, stripe_account_id=ref.account).order_by("pk")
    )
    return payment_first_named(found, keys)


def payment_ref_keys(ref: PaymentRef) -> list[tuple[str, object]]:
    """The (field, value) pairs that may name `ref`'s payment, in the order that decides."""
    if not ref.account:
        return []
    return [
        (field, value)
        for field, value in (
            ("pk", ref.payment_id),
            ("payment_intent_id", ref.intent),
            ("charge_id", ref.charge),
            ("checkout_session_id", ref.session),
        )
        if value not in (None, "")
    ]


def payment_first_named(found: list[OnlinePayment], keys) -> OnlinePayment | None:
    """Of `found` (one account's, in pk order), the row the first key that names one names."""
    for field, value in keys:
        attribute = "pk" if field == "pk" else field
        for payment in found:
            if str(getattr(payment, attribute)) == str(value):
                return payment
    return None


def firm_id_for_account(account: str) -> int | None:
    return (
        PaymentAccount.objects.filter(stripe_account_id=account)
        .order_by("-id")
        .values_list("firm_id", flat=True)
        .first()
    )


def payment_learn_ids(payment: OnlinePayment, ref: PaymentRef) -> None:
    """Remember the intent / charge / method. When an id is learned, adopt the refunds and
    disputes that arrived before we could place them (later ones find the payment by that
    id directly)."""
    learned = {}
    if ref.intent and not payment.payment_intent_id:
        payment.payment_intent_id = learned["payment_intent_id"] = ref.intent
    if ref.charge and not payment.charge_id:
        payment.charge_id = learned["charge_id"] = ref.charge
    if ref.method and not payment.method:
        payment.method = ref.method
    if not learned:
        return
    by_id = Q()
    for field, value in learned.items():
        by_id |= Q(**{field: value})
    for model in (PaymentRefund, PaymentDispute):
        model.objects.filter(
            by_id, payment__isnull=True, stripe_account_id=payment.stripe_account_id
        ).update(payment=payment)


def payment_adopt_unplaced(payment: OnlinePayment) -> bool:
    """Attach refunds and disputes stored before the payment was known. Returns True."""
    for model in (PaymentRefund, PaymentDispute):
        rows = model.objects.filter(
            payment__isnull=True, stripe_account_id=payment.stripe_account_id
        )
        if payment.payment_intent_id:
            rows.filter(payment_intent_id=payment.payment_intent_id).update(payment=payment)
        if payment.charge_id:
            rows.filter(charge_id=payment.charge_id).update(payment=payment)
    return True


def unplaced_recheck(ref: PaymentRef) -> None:
    """After storing an unplaced refund/dispute: the payment may have learned its id in a
    transaction that committed meanwhile (two workers); adopt now if so."""
    payment = payment_for_ref(PaymentRef(account=ref.account, intent=ref.intent, charge=ref.charge))
    if payment is not None:
        payment_change(payment.pk, payment_adopt_unplaced)


def set_once(payment: OnlinePayment, field: str, at: datetime) -> None:
    if getattr(payment, field) is None:
        setattr(payment, field, at)


def _facts(payment: OnlinePayment) -> tuple:
    return (
        payment.processing_at,
        payment.succeeded_at,
        payment.failed_at,
        payment.expired_at,
        payment.charge_amount_refunded,
        payment.payment_intent_id,
        payment.charge_id,
        payment.method,
        payment.failure_message,
    )


def payment_fact_known(
    payment: OnlinePayment, ref: PaymentRef, change: Callable[[OnlinePayment], bool | None]
) -> bool:
    """Whether a payment fact is already on `payment` as read without a lock: `change` on a
    copy of it records nothing new (no id, method or time it lacks, no other message or
    refunded total). Every such field is only ever set once or grows, so what the read saw
    is still there under the lock: applying the fact there would write nothing either. The
    copy is not saved; a fact that names an id the row lacks is never probed (learning an
    id adopts refund and dispute rows: writes, done under the lock)."""
    if (
        (ref.intent and not payment.payment_intent_id)
        or (ref.charge and not payment.charge_id)
        or (ref.method and not payment.method)
    ):
        return False
    probe = copy.copy(payment)
    before = _facts(probe)
    return not change(probe) and _facts(probe) == before


def payment_apply(
    payment: OnlinePayment, ref: PaymentRef, change: Callable[[OnlinePayment], bool | None]
) -> str:
    """Apply a payment fact to `payment` (found by `ref`, read without a lock). A fact
    already on the row (the same success the batch recording wrote, a duplicate delivery)
    ends here: no lock, no write (the read that found the payment was the only statement).
    Anything new goes through `payment_change`."""
    if payment_fact_known(payment, ref, change):
        return StripeEventStatus.PROCESSED
    return payment_change(payment.pk, change)


def payment_change(payment_id: int, change: Callable[[OnlinePayment], bool | None]) -> str:
    """Lock, let `change` record its facts, and settle the payment and invoice when a fact
    is new (`change` returns True when it changed a refund or dispute row). A late or
    duplicate fact adds nothing and writes nothing."""
    with transaction.atomic():
        payment = payment_lock(payment_id)
        before = _facts(payment)
        booked = payment_booked(payment)
        rows_changed = change(payment)
        if rows_changed or _facts(payment) != before:
            payment_settle(payment, booked_before=booked)
    return StripeEventStatus.PROCESSED
