"""Payouts: Stripe's deposits into the firm's bank account, and what each one contains.

A payout row follows Stripe's payout (its status only moves forward, so events in any
order converge). Its items are the balance transactions Stripe paid out in it, read with
one list call per 100; their nets add up to the payout, which is what lands in the bank.
"""

from django.db import models

from firmpay.core.models import TenantModel
from firmpay.core.money import CURRENCY_CHOICES


class PayoutStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_TRANSIT = "in_transit", "In transit"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


# A status never moves back: a late "in transit" after "paid" changes nothing. A paid
# payout can still fail (the bank returns it), so failed ranks above paid.
STATUS_RANK = {
    PayoutStatus.PENDING: 0,
    PayoutStatus.IN_TRANSIT: 1,
    PayoutStatus.PAID: 2,
    PayoutStatus.FAILED: 3,
    PayoutStatus.CANCELED: 3,
}


class ItemKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"
    DISPUTE = "dispute", "Dispute"
    DISPUTE_REVERSAL = "dispute_reversal", "Dispute won back"
    FAILED_DEBIT = "failed_debit", "Failed bank debit"
    PAYOUT_RETURN = "payout_return", "Earlier payout returned"
    ADJUSTMENT = "adjustment", "Adjustment"
    OTHER = "other", "Other"


class Payout(TenantModel):
    account = models.ForeignKey(
        "payments.PaymentAccount", on_delete=models.PROTECT, related_name="payouts"
    )
    stripe_account_id = models.CharField(max_length=255)
    stripe_payout_id = models.CharField(max_length=255, unique=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=12, choices=PayoutStatus.choices)
    automatic = models.BooleanField(default=True)
    arrival_date = models.DateField(null=True, blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=60, blank=True, default="")
    failure_message = models.CharField(max_length=500, blank=True, default="")
    # Set once the items add up to the amount (or it is clear they never will be listed).
    itemized_at = models.DateTimeField(null=True, blank=True)
    itemize_attempts = models.PositiveIntegerField(default=0)
    itemize_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["firm", "-stripe_created_at"], name="payout_firm_recent_idx"),
            models.Index(fields=["itemized_at", "status"], name="payout_itemize_due_idx"),
        ]

    def __str__(self) -> str:
        return f"payout {self.stripe_payout_id} of {self.amount} {self.currency} ({self.status})"


class PayoutItem(models.Model):
    """One balance transaction paid out: gross, Stripe's fee, Firmpay's fee, net."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    firm = models.ForeignKey("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    stripe_balance_transaction_id = models.CharField(max_length=255)
    stripe_type = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    source_id = models.CharField(max_length=255, blank=True, default="")
    description = models.CharField(max_length=500, blank=True, default="")
    amount = models.BigIntegerField()
    stripe_fee = models.BigIntegerField(default=0)
    firmpay_fee = models.BigIntegerField(default=0)
    net = models.BigIntegerField()
    online_payment = models.ForeignKey(
        "payments.OnlinePayment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payout_items",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payout", "stripe_balance_transaction_id"], name="payout_item_once"
            )
        ]
        indexes = [models.Index(fields=["source_id"], name="payout_item_source_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.net} in {self.payout_id}"
