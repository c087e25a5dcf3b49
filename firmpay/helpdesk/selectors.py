"""Reads of in-app help. Firm reads take `firm=`; the support inbox is not tenant-scoped
on purpose (support staff see every firm; the views check `is_staff`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from firmpay.core.audit import audit_records_for_firm
from firmpay.core.numbers import id_or_none
from firmpay.helpdesk.business_days import overdue_threshold
from firmpay.helpdesk.models import Conversation, ConversationStatus, Tag
from firmpay.payments.connect.selectors import (
    payment_account_for_firm,
    payment_account_panel,
    stripe_events_recent,
)

# --- firm side -------------------------------------------------------------------------


def conversations_for_firm(*, firm):
    return Conversation.objects.filter(firm=firm).order_by("-updated_at", "-id")


def conversation_for_firm(*, firm, conversation_id: int) -> Conversation:
    """The firm's own conversation, or 404 (another firm's id does not exist here)."""
    return get_object_or_404(Conversation, pk=conversation_id, firm=firm)


def conversation_current(*, firm, tag: str | None = None) -> Conversation | None:
    """The conversation the panel opens on: the latest open one (of `tag` when given)."""
    open_ones = conversations_for_firm(firm=firm).filter(status=ConversationStatus.OPEN)
    if tag:
        return open_ones.filter(tag=tag).first()
    return open_ones.first() or conversations_for_firm(firm=firm).first()


def conversation_messages(*, conversation: Conversation):
    return conversation.messages.select_related("author").order_by("created_at", "id")


UNREAD_COUNT_SQL = (
    "SELECT COUNT(*) FROM helpdesk_conversation c LEFT JOIN helpdesk_readreceipt r "
    "ON r.conversation_id = c.id AND r.user_id = %s "
    "WHERE c.firm_id = %s AND c.last_support_message_at IS NOT NULL "
    "AND (r.last_read_at IS NULL OR r.last_read_at < c.last_support_message_at)"
)


def unread_conversations_count(*, firm, user) -> int:
    """Conversations where support wrote after this member last read them (the badge).
    Every page of the app and the badge's poll (every 5 s) ask, so it is one plain SQL
    statement (a receipt per conversation and member at most: a LEFT JOIN) rather than
    an ORM query built anew each time."""
    with connection.cursor() as cursor:
        cursor.execute(UNREAD_COUNT_SQL, [user.pk, firm.pk])
        return cursor.fetchone()[0]


# --- support side ----------------------------------------------------------------------

INBOX_STATUSES = ("open", "closed", "all")


def support_inbox(*, tag: str = "", firm_query: str = "", status: str = "open", now=None):
    """Conversations for support: overdue first (unanswered for over one business day),
    then the other unanswered ones (oldest wait first), then the rest (latest activity).
    Each row gets `.overdue` and `.unanswered`."""
    now = now or timezone.now()
    threshold = overdue_threshold(now)
    waiting = Q(status=ConversationStatus.OPEN, awaiting_support_since__isnull=False)
    rows = Conversation.objects.select_related("firm").annotate(
        rank=Case(
            When(waiting & Q(awaiting_support_since__lte=threshold), then=Value(0)),
            When(waiting, then=Value(1)),
            When(status=ConversationStatus.OPEN, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
        waiting_order=Coalesce("awaiting_support_since", "updated_at"),
    )
    if tag in Tag.values:
        rows = rows.filter(tag=tag)
    if status in ("open", "closed"):
        rows = rows.filter(status=status)
    firm_query = firm_query.strip()
    if firm_query:
        by_name = Q(firm__name__icontains=firm_query)
        firm_id = id_or_none(firm_query)
        rows = rows.filter(by_name | Q(firm_id=firm_id) if firm_id else by_name)
    rows = list(rows.order_by("rank", "waiting_order", "-updated_at", "-id")[:200])
    for row in rows:
        row.overdue = row.rank == 0
        row.unanswered = row.rank in (0, 1)
    return rows


def support_inbox_state() -> tuple:
    """(latest activity, how many conversations) in one query: the inbox's poll answers
    "nothing new" from it."""
    state = Conversation.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return state["latest"], state["count"]


def support_conversation(*, conversation_id: int) -> Conversation:
    return get_object_or_404(Conversation.objects.select_related("firm"), pk=conversation_id)


@dataclass(frozen=True)
class FirmContext:
    """What support sees beside a thread."""

    firm: object
    account: object | None
    panel: object | None
    events: list
    audit_records: list
    latest_context: dict


def support_firm_context(*, conversation: Conversation, limit: int = 10) -> FirmContext:
    firm = conversation.firm
    account = payment_account_for_firm(firm=firm)
    events = (
        list(stripe_events_recent(account_id=account.stripe_account_id, limit=limit))
        if account
        else []
    )
    latest = conversation.messages.filter(author_side="firm").order_by("-created_at", "-id").first()
    return FirmContext(
        firm=firm,
        account=account,
        panel=payment_account_panel(account=account) if account else None,
        events=events,
        audit_records=list(audit_records_for_firm(firm=firm, limit=limit)),
        latest_context=latest.context if latest else {},
    )
