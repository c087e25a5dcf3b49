"""Payment reminders: the firm's policy and its steps, per-invoice state, and the send rows.

A ReminderSend row is both the history and the outbox: the sweep records it (unique on
invoice and step, so two sweeps never record the same reminder twice), and delivery
renders and emails it after the commit, keeping status, attempts and the last error.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel

MIN_OFFSET_DAYS = -60
MAX_OFFSET_DAYS = 365


class ReminderPolicy(models.Model):
    """How a firm chases unpaid invoices. A firm without a row uses the defaults
    (`firmpay.reminders.schedule`)."""

    firm = models.OneToOneField(
        "tenancy.Firm", on_delete=models.CASCADE, related_name="reminder_policy"
    )
    enabled = models.BooleanField("Send payment reminders", default=True)
    send_hour = models.PositiveSmallIntegerField(
        default=9,
        validators=[MaxValueValidator(23)],
        help_text="Reminders go out at this hour in the firm's timezone.",
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(90)],
        help_text="After the last step, remind again every this many days (0: never).",
    )
    max_repeats = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(24)],
        help_text="At most this many reminders after the last step.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Reminder policy of {self.firm_id}"


class ReminderStep(models.Model):
    """One reminder, `offset_days` from the due date (negative: before it)."""

    policy = models.ForeignKey(ReminderPolicy, on_delete=models.CASCADE, related_name="steps")
    offset_days = models.SmallIntegerField(
        validators=[MinValueValidator(MIN_OFFSET_DAYS), MaxValueValidator(MAX_OFFSET_DAYS)]
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["offset_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "offset_days"], name="reminder_step_policy_offset_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.offset_days:+d} days"


class InvoiceReminderState(TenantModel):
    """Reminder state of one invoice, kept here so the invoices table stays the invoices
    app's: the pause, and the lock row for "Send reminder now"."""

    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="reminder_state"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_manual_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The sweep looks up paused invoices only.
        indexes = [
            models.Index(
                fields=["invoice"],
                name="reminder_state_paused_idx",
                condition=Q(paused_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"Reminders of invoice {self.invoice_id}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class SendKind(models.TextChoices):
    AUTOMATIC = "auto", "Automatic"
    MANUAL = "manual", "Sent by hand"


class SendStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Recorded, but by delivery time the invoice no longer needed chasing (paid, paused...).
    SKIPPED = "skipped", "Not sent"


UNFINISHED_STATUSES = (SendStatus.PENDING, SendStatus.SENDING, SendStatus.FAILED)


class ReminderSend(TenantModel):
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="reminder_sends"
    )
    # Days from the due date of the automatic step; NULL for reminders sent by hand (NULLs
    # never collide in the unique constraint).
    step = models.SmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=SendKind.choices, default=SendKind.AUTOMATIC)
    # The firm-local date the reminder belongs to.
    reminder_day = models.DateField()
    status = models.CharField(max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    to_email = models.CharField(max_length=254, blank=True, default="")
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "step"], name="reminder_send_invoice_step_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind=SendKind.MANUAL, step__isnull=True)
                | Q(kind=SendKind.AUTOMATIC, step__isnull=False),
                name="reminder_send_step_matches_kind",
            ),
        ]
        indexes = [
            # The outbox sweeper: only rows still to deliver.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="reminder_send_outbox_idx",
                condition=Q(status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.step} for invoice {self.invoice_id}: {self.status}"
