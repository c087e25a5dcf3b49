"""Online payments of invoices: one Payment row per checkout attempt, the refunds and
disputes Stripe reports against it, and the firm's checkout settings.

Every Stripe event records a *fact* on these rows (a debit started, a payment succeeded,
a refund of N, a dispute and its status); a payment's status is derived from its facts
(`firmpay.payments.online.state.payment_status_derive`), so facts arriving in
any order, any number of times, converge to one state and a status only moves forward.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel
from firmpay.core.money import CURRENCY_CHOICES

__all__ = [
    "CheckoutSettings",
    "DisputeStatus",
    "OnlinePayment",
    "OnlinePaymentStatus",
    "PaymentDispute",
    "PaymentMethodType",
    "PaymentNotice",
    "PaymentRefund",
    "RefundReason",
    "RefundStatus",
]


class OnlinePaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # checkout open, nothing paid yet
    PROCESSING = "processing", "Processing"  # bank debit initiated, not settled
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"  # debit failed or was returned
    EXPIRED = "expired", "Expired"  # checkout abandoned / expired (nothing paid)
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    DISPUTED = "disputed", "Disputed"
    WON = "won", "Dispute won"
    LOST = "lost", "Dispute lost"


# Statuses in which the money counts as received (net of refunds).
RECEIVED_STATUSES = (
    OnlinePaymentStatus.SUCCEEDED,
    OnlinePaymentStatus.PARTIALLY_REFUNDED,
    OnlinePaymentStatus.REFUNDED,
    OnlinePaymentStatus.DISPUTED,
    OnlinePaymentStatus.WON,
)


class PaymentMethodType(models.TextChoices):
    CARD = "card", "Card"
    ACH = "us_bank_account", "ACH direct debit"
    BACS = "bacs_debit", "Bacs direct debit"


DEBIT_METHODS = (PaymentMethodType.ACH, PaymentMethodType.BACS)


class OnlinePayment(TenantModel):
    """One attempt to pay an invoice online through a Checkout Session on the firm's
    connected account (direct charge). The Stripe idempotency key derives from the id."""

    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="online_payments"
    )
    account = models.ForeignKey(
        "payments.PaymentAccount", on_delete=models.PROTECT, related_name="payments"
    )
    stripe_account_id = models.CharField(max_length=255)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    application_fee_amount = models.BigIntegerField(default=0)
    allowed_methods = models.JSONField(default=list)
    method = models.CharField(max_length=20, blank=True, default="")
    status = models.CharField(
        max_length=20, choices=OnlinePaymentStatus.choices, default=OnlinePaymentStatus.PENDING
    )

    checkout_session_id = models.CharField(max_length=255, blank=True, default="")
    checkout_url = models.URLField(max_length=2000, blank=True, default="")
    session_expires_at = models.DateTimeField(null=True, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    charge_id = models.CharField(max_length=255, blank=True, default="")

    # Facts, each set once (by the first event that reports it).
    processing_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.CharField(max_length=500, blank=True, default="")
    # Refunds Stripe reports on the charge (charge.amount_refunded): the larger of this and
    # the sum of our Refund rows counts.
    charge_amount_refunded = models.BigIntegerField(default=0)
    amount_refunded = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Two simultaneous clicks for the same amount end on one row (and one session).
            models.UniqueConstraint(
                fields=["invoice", "amount"],
                condition=Q(status="pending"),
                name="online_payment_one_open_per_amount",
            ),
            models.UniqueConstraint(
                fields=["checkout_session_id"],
                condition=~Q(checkout_session_id=""),
                name="online_payment_session_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "-created_at"], name="online_payment_firm_idx"),
            models.Index(
                fields=["firm", "status", "-created_at"], name="online_payment_status_idx"
            ),
            models.Index(fields=["payment_intent_id"], name="online_payment_pi_idx"),
            models.Index(fields=["charge_id"], name="online_payment_charge_idx"),
            models.Index(fields=["invoice", "status"], name="online_payment_invoice_idx"),
            # The payments dashboard's collections per month (covering).
            models.Index(
                fields=["firm", "currency", "succeeded_at", "amount"],
                name="online_payment_collected_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"payment {self.pk} of {self.amount} {self.currency} ({self.status})"

    @property
    def method_label(self) -> str:
        return dict(PaymentMethodType.choices).get(self.method, self.method)

    @property
    def is_debit(self) -> bool:
        return self.method in DEBIT_METHODS

    @property
    def refundable(self) -> int:
        if self.status not in (
            OnlinePaymentStatus.SUCCEEDED,
            OnlinePaymentStatus.PARTIALLY_REFUNDED,
            OnlinePaymentStatus.WON,
        ):
            return 0
        return max(self.amount - self.amount_refunded, 0)


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


REFUND_COUNTED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)


class RefundReason(models.TextChoices):
    REQUESTED = "requested_by_customer", "Requested by the client"
    DUPLICATE = "duplicate", "Duplicate payment"
    FRAUDULENT = "fraudulent", "Fraudulent"


class PaymentRefund(TenantModel):
    """A refund: created by the firm here (request_key makes a double submit one refund),
    or reported by Stripe (made in the Stripe dashboard). `payment` may be empty until the
    payment it belongs to is known (a refund event before its payment's)."""

    payment = models.ForeignKey(
        OnlinePayment, null=True, blank=True, on_delete=models.CASCADE, related_name="refunds"
    )
    stripe_refund_id = models.CharField(max_length=255, blank=True, default="")
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    charge_id = models.CharField(max_length=255, blank=True, default="")
    stripe_account_id = models.CharField(max_length=255, blank=True, default="")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    reason = models.CharField(max_length=30, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    request_key = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_refund_id"],
                condition=~Q(stripe_refund_id=""),
                name="payment_refund_stripe_unique",
            ),
            models.UniqueConstraint(
                fields=["firm", "request_key"],
                condition=~Q(request_key=""),
                name="payment_refund_request_unique",
            ),
        ]
        indexes = [models.Index(fields=["payment_intent_id"], name="payment_refund_pi_idx")]

    def __str__(self) -> str:
        return f"refund {self.stripe_refund_id or self.pk} of {self.amount}"

    @property
    def reason_label(self) -> str:
        return dict(RefundReason.choices).get(self.reason, self.reason)


class DisputeStatus(models.TextChoices):
    # Stripe's statuses, collapsed: open ones, then the two outcomes.
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class PaymentDispute(TenantModel):
    payment = models.ForeignKey(
        OnlinePayment, null=True, blank=True, on_delete=models.CASCADE, related_name="disputes"
    )
    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    charge_id = models.CharField(max_length=255, blank=True, default="")
    stripe_account_id = models.CharField(max_length=255, blank=True, default="")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices)
    stripe_status = models.CharField(max_length=40, blank=True, default="")
    reason = models.CharField(max_length=60, blank=True, default="")
    evidence_due_by = models.DateTimeField(null=True, blank=True)
    # When the dispute was won or lost (the closing event's time): a lost dispute's money
    # comes off the dashboard's collections in that month.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["payment_intent_id"], name="payment_dispute_pi_idx"),
            # The payments dashboard's lost disputes per month (covering).
            models.Index(
                fields=["firm", "currency", "status", "closed_at", "amount"],
                name="payment_dispute_closed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute {self.stripe_dispute_id} ({self.status})"


class PaymentNotice(models.Model):
    """An email about a payment, sent at most once per (payment, kind)."""

    payment = models.ForeignKey(OnlinePayment, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "kind", "key"], name="payment_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for payment {self.payment_id}"


class CheckoutSettings(models.Model):
    """What a firm lets clients do on the invoice page."""

    firm = models.OneToOneField("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    ach_enabled = models.BooleanField(default=True, help_text="ACH direct debit (USD)")
    bacs_enabled = models.BooleanField(default=True, help_text="Bacs direct debit (GBP)")
    allow_partial = models.BooleanField(default=False)
    partial_minimum = models.BigIntegerField(
        default=0, help_text="Minor units of the invoice's currency"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"checkout settings of firm {self.firm_id}"
