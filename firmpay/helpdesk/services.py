"""Writes of in-app help. Firm-side writes take the firm from the request (views pass
`request.firm`); support-side writes are for staff only (the views check `is_staff`) and
leave an audit record."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from firmpay.core.audit import audit_record_create
from firmpay.helpdesk.context import firm_message_context
from firmpay.helpdesk.exceptions import EmptyMessage, MessageTooLong, NothingToDisconnect
from firmpay.helpdesk.models import (
    BODY_MAX_LENGTH,
    Conversation,
    ConversationStatus,
    Message,
    Presence,
    ReadReceipt,
    Side,
    Tag,
)
from firmpay.payments.connect.selectors import payment_account_for_firm
from firmpay.payments.services import payment_account_disconnect

PRESENCE_WRITE_EVERY = timedelta(minutes=1)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise EmptyMessage()
    if len(body) > BODY_MAX_LENGTH:
        raise MessageTooLong(f"Keep a message under {BODY_MAX_LENGTH} characters.")
    return body


def _subject(tag: str, body: str) -> str:
    if tag != Tag.GENERAL:
        return Tag(tag).label
    first_line = body.splitlines()[0].strip()
    return first_line[:80] + ("…" if len(first_line) > 80 else "")


def firm_message_post(
    *,
    firm,
    author,
    body: str,
    request,
    conversation: Conversation | None = None,
    tag: str = Tag.GENERAL,
    extra_context: dict | None = None,
) -> Message:
    """A member writes to support: into `conversation` (the firm's own; a closed one
    reopens), or a new conversation tagged `tag`."""
    body = _clean_body(body)
    if tag not in Tag.values:
        tag = Tag.GENERAL
    context = firm_message_context(request=request, extra=extra_context)
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(
                firm=firm, tag=tag, subject=_subject(tag, body)
            )
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk, firm=firm)
        message = Message.objects.create(
            conversation=conversation,
            author=author,
            author_side=Side.FIRM,
            body=body,
            context=context,
        )
        conversation.last_firm_message_at = message.created_at
        conversation.awaiting_support_since = (
            conversation.awaiting_support_since or message.created_at
        )
        conversation.status, conversation.closed_at = ConversationStatus.OPEN, None
        conversation.save()
        conversation_mark_read(conversation=conversation, user=author)
    return message


def support_message_post(
    *,
    conversation: Conversation,
    author,
    body: str,
    request=None,
    changes_account=False,
    audit=True,
) -> Message:
    """Support answers: the firm's badge lights up; members who are offline get an email
    (after commit)."""
    body = _clean_body(body)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        message = Message.objects.create(
            conversation=conversation,
            author=author,
            author_side=Side.SUPPORT,
            body=body,
            changes_account=changes_account,
        )
        conversation.last_support_message_at = message.created_at
        conversation.awaiting_support_since = None
        conversation.save()
        if audit:
            audit_record_create(
                action="helpdesk.support_replied",
                firm=conversation.firm,
                actor=author,
                target=conversation,
                detail={"conversation": conversation.pk, "message": message.pk},
                request=request,
            )
        transaction.on_commit(lambda: _notify_offline_members(message.pk))
    return message


def _notify_offline_members(message_id: int) -> None:
    from firmpay.helpdesk.tasks import support_reply_notify_task

    support_reply_notify_task(message_id)


def conversation_status_set(*, conversation: Conversation, status: str, actor, request=None):
    """Support closes or reopens a conversation (audited)."""
    with transaction.atomic():
        conversation.status = status
        conversation.closed_at = timezone.now() if status == ConversationStatus.CLOSED else None
        conversation.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record_create(
            action=f"helpdesk.conversation_{'closed' if status == 'closed' else 'reopened'}",
            firm=conversation.firm,
            actor=actor,
            target=conversation,
            detail={"conversation": conversation.pk},
            request=request,
        )
    return conversation


def conversation_account_disconnect(*, conversation: Conversation, actor, request=None):
    """A disconnect request answered in one click: the existing support disconnect with
    the conversation as its ticket, then a message telling the firm it is done."""
    account = payment_account_for_firm(firm=conversation.firm)
    if account is None:
        raise NothingToDisconnect()
    payment_account_disconnect(
        account=account,
        actor=actor,
        by_support=True,
        support_ticket=f"helpdesk:{conversation.pk}",
        reason=f"Requested by the firm in help conversation #{conversation.pk}",
        request=request,
    )
    audit_record_create(
        action="helpdesk.account_disconnected",
        firm=conversation.firm,
        actor=actor,
        target=conversation,
        detail={"conversation": conversation.pk, "stripe_account_id": account.stripe_account_id},
        request=request,
    )
    return support_message_post(
        conversation=conversation,
        author=actor,
        request=request,
        changes_account=True,
        audit=False,
        body=(
            f"Done: we disconnected your Stripe account {account.stripe_account_id} from "
            "Firmpay. Online payments have stopped; the Stripe account itself stays with "
            "Stripe. You can connect Stripe again from Settings → Integrations at any time."
        ),
    )


def conversation_mark_read(*, conversation: Conversation, user) -> None:
    """The member has seen everything in the conversation up to now. Polled every 5 s
    while the panel is open, so it only reads unless support wrote since the last read."""
    receipt = ReadReceipt.objects.filter(conversation=conversation, user=user).first()
    if receipt is None:
        ReadReceipt.objects.get_or_create(
            conversation=conversation, user=user, defaults={"last_read_at": timezone.now()}
        )
    elif (
        conversation.last_support_message_at is not None
        and receipt.last_read_at < conversation.last_support_message_at
    ):
        ReadReceipt.objects.filter(pk=receipt.pk).update(last_read_at=timezone.now())


def presence_touch(*, user, now=None) -> None:
    """Record that the user made a request now (at most one write a minute)."""
    now = now or timezone.now()
    updated = Presence.objects.filter(
        user=user, last_seen_at__lt=now - PRESENCE_WRITE_EVERY
    ).update(last_seen_at=now)
    if not updated:
        Presence.objects.get_or_create(user=user, defaults={"last_seen_at": now})
