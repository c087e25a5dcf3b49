"""In-app help: a firm's conversations with Firmpay support, their messages, who read
what (for the badge) and when each user was last seen (for emailing offline members)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from firmpay.core.models import TenantModel

BODY_MAX_LENGTH = 5000


class Tag(models.TextChoices):
    GENERAL = "general", "General"
    STRIPE_DISCONNECT = "stripe_disconnect", "Stripe disconnect"
    STRIPE_SETUP = "stripe_setup", "Stripe setup"
    PAYMENT_QUESTION = "payment_question", "Payment question"


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Side(models.TextChoices):
    FIRM = "firm", "Firm"
    SUPPORT = "support", "Support"


class Conversation(TenantModel):
    subject = models.CharField(max_length=200)
    tag = models.CharField(max_length=20, choices=Tag.choices, default=Tag.GENERAL)
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    last_firm_message_at = models.DateTimeField(null=True, blank=True)
    last_support_message_at = models.DateTimeField(null=True, blank=True)
    # The oldest firm message support has not answered yet (None: nothing waiting).
    awaiting_support_since = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["firm", "-updated_at"]),
            models.Index(fields=["status", "awaiting_support_since"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status == ConversationStatus.OPEN

    @property
    def is_unanswered(self) -> bool:
        return self.is_open and self.awaiting_support_since is not None


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    # What support needs, captured by the app from the request (never typed): firm, member
    # and role, page, payment account id and status, plan (see helpdesk/context.py).
    context = models.JSONField(default=dict, blank=True)
    # A message that changed the firm's account (the support disconnect): the firm's page
    # refreshes its Stripe card when it arrives.
    changes_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_side} message in #{self.conversation_id}"


class ReadReceipt(models.Model):
    """How far one member has read one conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_receipts"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="helpdesk_one_receipt_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read #{self.conversation_id} at {self.last_read_at}"


class Presence(models.Model):
    """When a user last made a request (updated at most once a minute by the middleware)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpdesk_presence"
    )
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} seen {self.last_seen_at}"
