import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from firmpay.core.models import TenantModel
from firmpay.core.money import CURRENCY_CHOICES


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


class InvoiceStatus(models.TextChoices):
    """Stored statuses. Overdue is never stored: it is derived from the due date.

    Later issues add statuses (payment processing, refunded); `invoice_recompute_status`
    is the one place that decides among them.
    """

    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    # Online payments (firmpay/payments): a bank debit covering what is due is on its way;
    # every payment was refunded.
    PAYMENT_PROCESSING = "payment_processing", "Payment processing"
    REFUNDED = "refunded", "Refunded"


# Statuses in which the client still owes money and the invoice can become overdue.
OUTSTANDING_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


class InvoiceSequence(models.Model):
    """The firm's invoice counter. Locked with SELECT ... FOR UPDATE to hand out numbers."""

    firm = models.OneToOneField("tenancy.Firm", on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.firm_id}: {self.last_number}"


class Invoice(TenantModel):
    # Every index below starts with the firm or the client, so neither key has an index of
    # its own: each index costs every insert (the recurring sweep inserts 100,000 at once).
    firm = models.ForeignKey(
        "tenancy.Firm", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # RESTRICT, not PROTECT: a client with invoices cannot be deleted (archive it instead),
    # but deleting the whole firm still removes both.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.RESTRICT, related_name="invoices", db_index=False
    )
    number = models.CharField(max_length=20)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    issue_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(
        max_length=24, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    notes = models.TextField(blank=True, help_text="Shown to the client on the invoice.")
    # Integer minor units of `currency`. amount_due = total - amount_paid, kept by the services
    # and checked by the database.
    subtotal = models.BigIntegerField(default=0)
    tax_total = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    amount_paid = models.BigIntegerField(default=0)
    amount_due = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    # The client link carries this token (signed); rotating it makes every older link 404.
    link_token = models.CharField(max_length=64, unique=True, default=new_link_token)
    link_revoked_at = models.DateTimeField(null=True, blank=True)
    # A client disputed an online payment (chargeback) that is still open; set by
    # invoice_recompute_status from the payments.
    disputed = models.BooleanField(default=False)
    # Indexed only where set (invoice_created_by_idx): the sweep's invoices have no author.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "number"], name="invoice_firm_number_unique"),
            models.CheckConstraint(
                condition=Q(amount_due=F("total") - F("amount_paid")),
                name="invoice_amount_due_consistent",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax_total")), name="invoice_total_consistent"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0, total__gte=0), name="invoice_amounts_not_negative"
            ),
        ]
        # The list page: newest first within a firm, optionally by status or client.
        indexes = [
            models.Index(fields=["firm", "-id"], name="invoice_firm_recent_idx"),
            models.Index(fields=["firm", "status", "-id"], name="invoice_firm_status_idx"),
            # A client's invoices (a client is in one firm): also the client key's index.
            models.Index(fields=["client", "-id"], name="invoice_client_recent_idx"),
            models.Index(fields=["firm", "status", "due_date"], name="invoice_firm_due_idx"),
            # The payments dashboard reads these columns only (covering: no table lookups).
            models.Index(
                fields=["firm", "currency", "issue_date", "status", "total"],
                name="invoice_firm_issued_idx",
            ),
            models.Index(
                fields=["firm", "currency", "status", "due_date", "amount_due"],
                name="invoice_firm_ageing_idx",
            ),
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="invoice_created_by_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_void(self) -> bool:
        return self.status == InvoiceStatus.VOID

    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING_STATUSES

    def is_overdue_on(self, today) -> bool:
        return self.is_outstanding and self.due_date < today


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_amount = models.BigIntegerField(validators=[MinValueValidator(0)])
    tax_rate = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent",
    )
    line_subtotal = models.BigIntegerField()
    line_tax = models.BigIntegerField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def line_total(self) -> int:
        return self.line_subtotal + self.line_tax


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    CASH = "cash", "Cash"


class ManualPayment(TenantModel):
    """Money the firm received outside Firmpay and recorded by hand."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="manual_payments")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    received_on = models.DateField()
    reference = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="manual_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} for {self.invoice_id}"


class InvoiceEmailStatus(models.TextChoices):
    QUEUED = "queued", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent"


class InvoiceEmail(TenantModel):
    """One sending of the invoice email: the page shows whether it left, or why not."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="emails")
    to = models.EmailField()
    status = models.CharField(
        max_length=10, choices=InvoiceEmailStatus.choices, default=InvoiceEmailStatus.QUEUED
    )
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["invoice", "-id"], name="invoice_email_latest")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.invoice_id} to {self.to}"
