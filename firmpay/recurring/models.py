"""Recurring invoice schedules: what to bill a client, how often, and what was issued."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from firmpay.core.models import TenantModel
from firmpay.core.money import CURRENCY_CHOICES


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"
    WEEKLY = "weekly", "Every N weeks"


class ScheduleStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Autopay(models.TextChoices):
    """Whether the invoices it issues are collected from the client's saved authorisation
    (firmpay/payments, through the "issued_for_autopay" invoice hook), and when."""

    NO = "no", "No"
    ON_ISSUE = "on_issue", "On issue"
    ON_DUE_DATE = "on_due_date", "On the due date"


class Schedule(TenantModel):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.RESTRICT, related_name="recurring_schedules"
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    every_weeks = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    start_date = models.DateField()
    # Day of the month for monthly, quarterly and yearly schedules (31 = the month's last
    # day in shorter months). Weekly schedules issue on the start date's weekday.
    issue_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    end_after_issues = models.PositiveIntegerField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: the firm's payment terms."
    )
    notes = models.TextField(blank=True)
    autopay = models.CharField(max_length=12, choices=Autopay.choices, default=Autopay.NO)
    status = models.CharField(
        max_length=8, choices=ScheduleStatus.choices, default=ScheduleStatus.ACTIVE
    )
    # The firm-local date of the next issue; null once the schedule has ended.
    next_issue_on = models.DateField(null=True, blank=True)
    issued_count = models.PositiveIntegerField(default=0)
    last_issued_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        # The firm's list (newest first) and the sweep's walk in firm order use the firm
        # key's index. Every index costs the sweep's UPDATE of each issued schedule (not a
        # HOT update: `next_issue_on` is indexed).
        indexes = [
            # The sweep: active schedules due by a date.
            models.Index(
                fields=["next_issue_on"],
                condition=Q(status="active"),
                name="schedule_active_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} for {self.client_id}"

    @property
    def frequency_label(self) -> str:
        if self.frequency == Frequency.WEEKLY:
            if self.every_weeks == 1:
                return "Weekly"
            return f"Every {self.every_weeks} weeks"
        return self.get_frequency_display()


class ScheduleLine(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_amount = models.BigIntegerField()
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3, default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class ScheduleIssue(TenantModel):
    """One occurrence of a schedule, issued as one invoice. Unique per (schedule,
    occurrence): a second sweep, or a second worker, cannot issue it again."""

    # No index of its own: the unique (schedule, occurrence) index starts with it.
    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="issues", db_index=False
    )
    occurrence = models.PositiveIntegerField()
    issue_date = models.DateField()
    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.CASCADE, related_name="recurring_issue"
    )

    class Meta:
        ordering = ["-occurrence"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "occurrence"], name="schedule_issue_occurrence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} #{self.occurrence}"
