"""The firm's accounting connection, its OAuth states, the sync outbox, the records it made
in the accounting system, and the per-organisation rate-limit buckets."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel


class Vendor(models.TextChoices):
    XERO = "xero", "Xero"
    QUICKBOOKS = "quickbooks", "QuickBooks Online"


class ConnectionStatus(models.TextChoices):
    # OAuth done; the firm still chooses the organisation and the accounts.
    SETUP = "setup", "Finishing setup"
    CONNECTED = "connected", "Connected"
    # The refresh token expired or was revoked (invalid_grant).
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
    DISCONNECTED = "disconnected", "Disconnected"


LIVE_STATUSES = (
    ConnectionStatus.SETUP,
    ConnectionStatus.CONNECTED,
    ConnectionStatus.NEEDS_RECONNECT,
)


class AccountingConnection(TenantModel):
    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.SETUP
    )
    org_id = models.CharField("organisation id", max_length=100, blank=True)
    org_name = models.CharField("organisation", max_length=255, blank=True)
    # The organisations this grant covers, offered while choosing: [{"id", "name"}].
    org_choices = models.JSONField(default=list, blank=True)
    payment_account_id = models.CharField(max_length=100, blank=True)
    payment_account_code = models.CharField(max_length=50, blank=True)
    payment_account_name = models.CharField(max_length=255, blank=True)
    income_account_id = models.CharField(max_length=100, blank=True)
    income_account_code = models.CharField(max_length=50, blank=True)
    income_account_name = models.CharField(max_length=255, blank=True)
    # The organisation's country (QuickBooks CompanyInfo.Country): outside the US every
    # sales line needs a tax code.
    country = models.CharField(max_length=2, blank=True)
    # The ledger's tax rate (Xero TaxType) or tax code (QuickBooks TaxCode id) for lines that
    # carry tax, and for lines that carry none ("" = the ledger's account default).
    tax_code = models.CharField(max_length=100, blank=True)
    tax_code_name = models.CharField(max_length=255, blank=True)
    tax_code_zero = models.CharField(max_length=100, blank=True)
    tax_code_zero_name = models.CharField(max_length=255, blank=True)
    # Invoice numbers there are this prefix and Firmpay's own sequence (FP-0001), checked
    # against the ledger when the firm chooses it, so they never meet the ledger's own.
    invoice_prefix = models.CharField(max_length=10, blank=True)
    # "Book Stripe payouts" (off by default: firms that feed Stripe into their books already
    # would count it twice). On: payments post to the clearing account, each paid payout's
    # fees go from clearing to the fees account and its amount moves clearing → bank.
    book_payouts = models.BooleanField(default=False)
    clearing_account_id = models.CharField(max_length=100, blank=True)
    clearing_account_code = models.CharField(max_length=50, blank=True)
    clearing_account_name = models.CharField(max_length=255, blank=True)
    fees_account_id = models.CharField(max_length=100, blank=True)
    fees_account_code = models.CharField(max_length=50, blank=True)
    fees_account_name = models.CharField(max_length=255, blank=True)
    payout_account_id = models.CharField(max_length=100, blank=True)
    payout_account_code = models.CharField(max_length=50, blank=True)
    payout_account_name = models.CharField(max_length=255, blank=True)
    # Fernet tokens (firmpay/accounting/crypto.py); never rendered or logged.
    access_token_enc = models.TextField(blank=True)
    refresh_token_enc = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    token_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm"],
                condition=~Q(status="disconnected"),
                name="accounting_one_connection_per_firm",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_vendor_display()} for firm {self.firm_id} ({self.status})"

    @property
    def rate_key(self) -> str:
        return f"{self.vendor}:{self.org_id}"


class OAuthState(models.Model):
    """A single-use OAuth `state`, bound to a session, firm and user; stored hashed."""

    state_hash = models.CharField(max_length=64, unique=True)
    firm = models.ForeignKey("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    session_key_hash = models.CharField(max_length=64)
    redirect_uri = models.CharField(max_length=500)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.vendor} state for firm {self.firm_id}"


class SyncAction(models.TextChoices):
    INVOICE_UPSERT = "invoice_upsert", "Send invoice"
    INVOICE_VOID = "invoice_void", "Void invoice"
    PAYMENT_RECORD = "payment_record", "Record payment"
    PAYMENT_REVERSE = "payment_reverse", "Reverse payment"
    PAYOUT_BOOK = "payout_book", "Book payout"
    PAYOUT_REVERSE = "payout_reverse", "Reverse failed payout"


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Syncing"
    DONE = "done", "Synced"
    # Gave up (rejected by the vendor, or too many attempts): "Retry now" puts it back.
    FAILED = "failed", "Failed"
    # The connection needs reconnecting; drains when it is reconnected.
    BLOCKED = "blocked", "Waiting for reconnection"
    CANCELLED = "cancelled", "Cancelled"


class SyncItem(TenantModel):
    """One action to mirror in the accounting system: the outbox row. The queue only kicks;
    this row is the durable work, with its own retry state."""

    connection = models.ForeignKey(
        AccountingConnection, on_delete=models.CASCADE, related_name="sync_items"
    )
    # invoice:{id}:upsert:v{n}, invoice:{id}:void, payment:{key}:record, payment:{key}:reverse,
    # payout:{po_id}:book, payout:{po_id}:reverse
    key = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=SyncAction.choices)
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    payment_key = models.CharField(max_length=100, blank=True)
    # Payment facts as they were at the event: amount (minor units), currency, paid_on, reference.
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Bumped when the vendor rejected the request (4xx: nothing was booked), so the retry
    # after a fix is a new request rather than a replay of the stored rejection.
    wire_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "key"], name="accounting_sync_key_unique")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="accounting_sync_due_idx"),
            models.Index(fields=["firm", "invoice", "-id"], name="accounting_sync_invoice_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    @property
    def idempotency_prefix(self) -> str:
        """Outgoing idempotency keys derive from this row: the same on every retry."""
        suffix = f"r{self.wire_round}" if self.wire_round else ""
        return f"firmpay-{settings.ACCOUNTING_DEPLOYMENT_ID}-{self.pk}{suffix}"


class RemoteKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    INVOICE = "invoice", "Invoice"
    PAYMENT = "payment", "Payment"
    # A payout's fees (Xero SPEND bank transaction / QuickBooks Purchase) and its transfer.
    PAYOUT_FEES = "fees", "Payout fees"
    TRANSFER = "transfer", "Transfer"


class RemoteRecord(TenantModel):
    """What a Firmpay client, invoice or payment is called in the accounting system."""

    connection = models.ForeignKey(
        AccountingConnection, on_delete=models.CASCADE, related_name="remote_records"
    )
    kind = models.CharField(max_length=10, choices=RemoteKind.choices)
    # client:{id}, invoice:{id}, payment:{key}, payout:{po_id}:fees, payout:{po_id}:transfer,
    # payout:{po_id}:return, contact:stripe
    local_key = models.CharField(max_length=150)
    remote_id = models.CharField(max_length=100)
    url = models.URLField(max_length=500, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "local_key"], name="accounting_remote_local_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_key} → {self.remote_id}"


class RateBucket(models.Model):
    """Per-organisation request budget across processes (when REDIS_URL is unset): requests
    in the current minute and requests in flight. Locked with SELECT ... FOR UPDATE."""

    key = models.CharField(max_length=150, unique=True)
    window_start = models.DateTimeField()
    window_count = models.PositiveIntegerField(default=0)
    in_flight = models.PositiveIntegerField(default=0)
    in_flight_at = models.DateTimeField(null=True, blank=True)
    # The vendor answered 429: nothing goes out for this organisation until then.
    paused_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
