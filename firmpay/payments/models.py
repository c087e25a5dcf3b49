"""Payment accounts (a firm's connected Stripe account), Stripe events, OAuth states."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel


class CreatedVia(models.TextChoices):
    PLATFORM = "platform", "Created with Firmpay"
    OAUTH = "oauth", "Connected existing account"


class IntegrationStatusCode(models.TextChoices):
    NOT_CONNECTED = "not_connected", "Not connected"
    INCOMPLETE = "incomplete", "Incomplete"
    ACTION_REQUIRED = "action_required", "Action required"
    UNDER_REVIEW = "under_review", "Under review"
    ACTIVE = "active", "Active"


class PayoutsStatusCode(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "pending", "Pending"
    DISABLED = "disabled", "Disabled"


class PaymentAccount(TenantModel):
    """A firm's Stripe connected account. At most one active (not disconnected) row per firm;
    disconnected rows stay as history and the firm can connect again.

    For platform-created accounts the row is inserted first (so a double click hits the
    unique constraint) and `stripe_account_id` is filled in once Stripe answers; the
    Stripe idempotency key derives from the row id.
    """

    stripe_account_id = models.CharField(max_length=255, blank=True, default="")
    created_via = models.CharField(max_length=16, choices=CreatedVia.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last AccountSnapshot (firmpay.payments.stripe.dataclasses) as JSON, and what derives from it.
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_at = models.DateTimeField(
        null=True, blank=True, help_text="When the stored snapshot was read from Stripe."
    )
    status = models.CharField(
        max_length=20,
        choices=IntegrationStatusCode.choices,
        default=IntegrationStatusCode.INCOMPLETE,
    )
    payouts_status = models.CharField(
        max_length=10, choices=PayoutsStatusCode.choices, default=PayoutsStatusCode.PENDING
    )
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    # Once true, stay true: "disabled after having been enabled" drives the alert banner.
    charges_were_enabled = models.BooleanField(default=False)
    payouts_were_enabled = models.BooleanField(default=False)

    deauthorized_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    disconnected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disconnect_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["firm"],
                condition=Q(disconnected_at__isnull=True),
                name="payment_account_one_active_per_firm",
            ),
            models.UniqueConstraint(
                fields=["stripe_account_id"],
                condition=Q(disconnected_at__isnull=True) & ~Q(stripe_account_id=""),
                name="payment_account_stripe_id_one_firm",
            ),
        ]
        indexes = [models.Index(fields=["stripe_account_id"], name="payment_account_stripe_idx")]

    def __str__(self) -> str:
        return f"{self.stripe_account_id or 'pending account'} for firm {self.firm_id}"

    @property
    def is_connected(self) -> bool:
        return self.disconnected_at is None and bool(self.stripe_account_id)


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"
    # Sent in another API version than the one Firmpay reads (stripe.api_version): kept,
    # not read, until the operator fixes the endpoint and replays it.
    FLAGGED = "flagged", "Flagged: other API version"


class StripeEvent(models.Model):
    """One Stripe event, stored verbatim when the webhook arrives and processed by the worker.

    Durable work: the queue only kicks. `next_attempt_at` is both the retry time and the
    processing lease (a claim pushes it forward), so a row a killed worker left behind
    becomes due again and the sweeper re-kicks it.
    """

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account_id = models.CharField(max_length=255, blank=True, default="")
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    payload = models.TextField(help_text="The raw, signed request body.")
    status = models.CharField(
        max_length=10, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="stripe_event_due_idx"),
            models.Index(fields=["account_id", "-created"], name="stripe_event_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.status})"


class OAuthState(models.Model):
    """A single-use, expiring Stripe OAuth `state`, bound to one session, firm and user.
    Only a SHA-256 of the state is stored."""

    state_hash = models.CharField(max_length=64, unique=True)
    firm = models.ForeignKey("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key_hash = models.CharField(max_length=64)
    redirect_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"OAuth state for firm {self.firm_id}"


# Online payments' models live in online/models.py (app label `payments`, tables unchanged);
# imported here so Django finds them.
from firmpay.payments.autopay.models import *  # noqa: E402,F403
from firmpay.payments.online.models import *  # noqa: E402,F403
