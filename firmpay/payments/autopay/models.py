"""Autopay rows (app label `payments`): the client's Customer on the connected account,
each authorisation (a saved card or mandate), the invoices marked for automatic
collection, and one row per charge attempt (written and committed before Stripe is
called: its id is the idempotency key)."""

from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel

__all__ = [
    "AutopayAttempt",
    "AutopayAttemptStatus",
    "AutopayAuthorisation",
    "AutopayAuthorisationStatus",
    "AutopayCustomer",
    "AutopaySettings",
    "CollectOn",
    "InvoiceAutopay",
    "InvoiceAutopayStatus",
]


class AutopayCustomer(TenantModel):
    """The client as a Customer of the firm's connected account: one per (account, client).
    The row exists before the Customer does; its id is the create call's idempotency key."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    stripe_account_id = models.CharField(max_length=255)
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_account_id", "client"], name="autopay_customer_one_per_client"
            )
        ]


class AutopayAuthorisationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the client"  # setup page sent, not completed
    ACTIVE = "active", "Active"
    NEEDS_ATTENTION = "needs_attention", "Needs a new payment method"  # revoked, detached, expired
    REVOKED = "revoked", "Revoked by the client"
    REPLACED = "replaced", "Replaced"
    ABANDONED = "abandoned", "Not completed"


class AutopayAuthorisation(TenantModel):
    """One authorisation: the setup session, then the saved method and its mandate."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        AutopayCustomer, on_delete=models.CASCADE, related_name="authorisations"
    )
    stripe_account_id = models.CharField(max_length=255)
    status = models.CharField(
        max_length=20,
        choices=AutopayAuthorisationStatus.choices,
        default=AutopayAuthorisationStatus.PENDING,
    )
    requested_by_firm = models.BooleanField(default=False)
    # The invoice the client authorised from: it is collected automatically too.
    source_invoice = models.ForeignKey(
        "invoices.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    setup_session_id = models.CharField(max_length=255, blank=True, default="")
    setup_url = models.URLField(max_length=2000, blank=True, default="")
    setup_intent_id = models.CharField(max_length=255, blank=True, default="")
    payment_method_id = models.CharField(max_length=255, blank=True, default="")
    mandate_id = models.CharField(max_length=255, blank=True, default="")
    mandate_reference = models.CharField(max_length=255, blank=True, default="")
    mandate_url = models.URLField(max_length=2000, blank=True, default="")
    method = models.CharField(max_length=20, blank=True, default="")
    last4 = models.CharField(max_length=4, blank=True, default="")
    brand = models.CharField(max_length=30, blank=True, default="")
    exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    attention_reason = models.CharField(max_length=300, blank=True, default="")
    # "MM/YYYY" of the expiry the client was last warned about (once per card expiry).
    expiry_warned = models.CharField(max_length=7, blank=True, default="")
    authorised_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One method in use per client and account: a new one replaces the old.
            models.UniqueConstraint(
                fields=["stripe_account_id", "client"],
                condition=Q(status__in=["active", "needs_attention"]),
                name="autopay_authorisation_one_in_use",
            ),
            models.UniqueConstraint(
                fields=["setup_session_id"],
                condition=~Q(setup_session_id=""),
                name="autopay_authorisation_session_unique",
            ),
        ]
        indexes = [models.Index(fields=["payment_method_id"]), models.Index(fields=["mandate_id"])]

    @property
    def method_label(self) -> str:
        labels = {
            "card": "Card",
            "us_bank_account": "US bank account (ACH)",
            "bacs_debit": "Bacs Direct Debit",
        }
        label = labels.get(self.method, self.method)
        return f"{label} ending {self.last4}" if self.last4 else label


class CollectOn(models.TextChoices):
    ISSUE = "issue", "When the invoice is issued"
    DUE = "due", "On the due date"


class InvoiceAutopayStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"  # waits for charge_on / next_attempt_at
    CHARGING = "charging", "Charging"  # an attempt is in flight (row committed, Stripe called)
    PROCESSING = "processing", "Processing"  # a bank debit is on its way
    RETRYING = "retrying", "Retry scheduled"
    ACTION_REQUIRED = "action_required", "Client must authenticate"
    PAUSED = "paused", "Paused"  # no usable authorisation
    EXHAUSTED = "exhausted", "Retries exhausted"
    COLLECTED = "collected", "Collected"
    CANCELLED = "cancelled", "Cancelled"


# While in these, a charge may still happen: reminders say so, the Pay button waits.
SCHEDULED_STATUSES = ("scheduled", "charging", "processing", "retrying")


class InvoiceAutopay(TenantModel):
    """An invoice marked for automatic collection (whoever issued it). The charging sweep
    picks rows whose `next_attempt_at` has come."""

    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="autopay"
    )
    collect_on = models.CharField(max_length=10, choices=CollectOn.choices, default=CollectOn.ISSUE)
    status = models.CharField(
        max_length=20, choices=InvoiceAutopayStatus.choices, default=InvoiceAutopayStatus.SCHEDULED
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="invoice_autopay_due_idx")
        ]


class AutopayAttemptStatus(models.TextChoices):
    STARTED = "started", "Started"  # committed before the Stripe call
    SUCCEEDED = "succeeded", "Succeeded"
    PROCESSING = "processing", "Processing"
    DECLINED = "declined", "Declined"  # card declined: may be retried
    HARD_DECLINED = "hard_declined", "Declined (do not retry)"
    AUTHENTICATION_REQUIRED = "authentication_required", "Authentication required"
    FAILED = "failed", "Failed"  # debit failed later
    MANDATE_INVALID = "mandate_invalid", "Mandate revoked"


class AutopayAttempt(TenantModel):
    """One charge of an invoice. Created and committed BEFORE the Stripe call; the call's
    idempotency key is `autopay_attempt:<id>:charge`, so a retry after a crash reuses it and
    Stripe answers the same PaymentIntent."""

    invoice_autopay = models.ForeignKey(
        InvoiceAutopay, on_delete=models.CASCADE, related_name="charge_attempts"
    )
    number = models.PositiveIntegerField()
    authorisation = models.ForeignKey(
        AutopayAuthorisation, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.OneToOneField(
        "payments.OnlinePayment", on_delete=models.PROTECT, related_name="autopay_attempt"
    )
    status = models.CharField(
        max_length=30, choices=AutopayAttemptStatus.choices, default=AutopayAttemptStatus.STARTED
    )
    payment_intent_id = models.CharField(max_length=255, blank=True, default="")
    error_code = models.CharField(max_length=100, blank=True, default="")
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice_autopay", "number"], name="autopay_attempt_number_unique"
            ),
            # At most one charge in flight per invoice, whatever the sweeps do.
            models.UniqueConstraint(
                fields=["invoice_autopay"],
                condition=Q(status__in=["started", "processing"]),
                name="autopay_attempt_one_in_flight",
            ),
        ]

    @property
    def idempotency_key(self) -> str:
        return f"autopay_attempt:{self.pk}:charge"


class AutopaySettings(TenantModel):
    """The firm's retry schedule (days after a failed attempt) and collection default."""

    retry_days = models.JSONField(default=list)  # e.g. [3, 7]; empty: no retries
    default_collect_on = models.CharField(
        max_length=10, choices=CollectOn.choices, default=CollectOn.ISSUE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm"], name="autopay_settings_one_per_firm")
        ]
