"""One payment for several invoices (the client portal's "pay several at once"), and the
claim that keeps any invoice from being in two open checkouts at once.

A payment with allocations is one OnlinePayment (one Checkout Session, one charge) whose
`invoice` is the first invoice it pays; its allocations say how much of it goes to each
invoice, in the order it was applied. Refunds come back off the last-applied invoices first
(`firmpay.payments.online.allocation_selectors`)."""

from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel

__all__ = ["InvoicePaymentClaim", "PaymentAllocation"]


class PaymentAllocation(TenantModel):
    payment = models.ForeignKey(
        "payments.OnlinePayment", on_delete=models.CASCADE, related_name="allocations"
    )
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="payment_allocations"
    )
    position = models.PositiveSmallIntegerField()  # 0: paid first
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["payment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="payment_allocation_once_per_invoice"
            ),
            models.UniqueConstraint(
                fields=["payment", "position"], name="payment_allocation_position_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_allocation_positive"),
        ]
        indexes = [models.Index(fields=["invoice"], name="payment_allocation_invoice_idx")]

    def __str__(self) -> str:
        return f"{self.amount} of payment {self.payment_id} to invoice {self.invoice_id}"


class InvoicePaymentClaim(TenantModel):
    """Which payment may currently take money for the invoice: one row per invoice (the
    database refuses a second), handed from payment to payment with a compare-and-set, and
    only after the previous holder's checkout was closed at Stripe. So an invoice-link
    checkout and a portal checkout can never both be open (and both paid) for one invoice."""

    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="payment_claim"
    )
    payment = models.ForeignKey(
        "payments.OnlinePayment", on_delete=models.CASCADE, related_name="claims"
    )

    def __str__(self) -> str:
        return f"invoice {self.invoice_id} claimed by payment {self.payment_id}"
