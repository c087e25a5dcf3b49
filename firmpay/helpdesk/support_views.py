"""The support side of in-app help at /support/help/ (Django staff only; 404 to anyone
else): the inbox, a thread with the firm's context beside it, reply, close/reopen, and the
one-click disconnect for a disconnect request."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from firmpay.core.live import POLL_SECONDS, live_stamp, live_url, unchanged
from firmpay.helpdesk.exceptions import HelpdeskUserError
from firmpay.helpdesk.models import BODY_MAX_LENGTH, ConversationStatus, Tag
from firmpay.helpdesk.selectors import (
    conversation_messages,
    support_conversation,
    support_firm_context,
    support_inbox,
    support_inbox_state,
)
from firmpay.helpdesk.services import (
    conversation_account_disconnect,
    conversation_status_set,
    support_message_post,
)
from firmpay.payments.exceptions import PaymentsUserError
from firmpay.support.decorators import support_staff_required

THREAD = "helpdesk_support:conversation"
STATUSES = [("open", "Open"), ("closed", "Closed"), ("all", "All")]


@support_staff_required
@require_GET
def inbox(request):
    # Overdue marks move with the clock: draw the inbox again at least once a minute.
    minute = timezone.now().replace(second=0, microsecond=0)
    stamp = live_stamp(*support_inbox_state(), minute)
    if (response := unchanged(request, stamp)) is not None:
        return response
    tag = request.GET.get("tag", "")
    firm_query = request.GET.get("firm", "")
    status = request.GET.get("status", "open")
    rows = support_inbox(tag=tag, firm_query=firm_query, status=status)
    return render(
        request,
        "helpdesk/support/inbox.html",
        {
            "rows": rows,
            "tag": tag,
            "firm_query": firm_query,
            "status": status,
            "tags": Tag.choices,
            "statuses": STATUSES,
            "live_url": live_url(request, stamp),
            "poll_seconds": POLL_SECONDS,
        },
    )


@support_staff_required
@require_GET
def conversation(request, conversation_id: int):
    conv = support_conversation(conversation_id=conversation_id)
    thread = list(conversation_messages(conversation=conv))
    return render(
        request,
        "helpdesk/support/conversation.html",
        {
            "conversation": conv,
            "thread": thread,
            "context": support_firm_context(conversation=conv),
            "body_max_length": BODY_MAX_LENGTH,
        },
    )


@support_staff_required
@require_GET
def thread(request, conversation_id: int):
    conv = support_conversation(conversation_id=conversation_id)
    return render(
        request,
        "helpdesk/support/_thread.html",
        {"conversation": conv, "thread": list(conversation_messages(conversation=conv))},
    )


@support_staff_required
@require_POST
def reply(request, conversation_id: int):
    conv = support_conversation(conversation_id=conversation_id)
    try:
        support_message_post(
            conversation=conv,
            author=request.user,
            body=request.POST.get("body", ""),
            request=request,
        )
    except HelpdeskUserError as error:
        messages.error(request, str(error))
    return redirect(THREAD, conversation_id=conv.pk)


@support_staff_required
@require_POST
def status(request, conversation_id: int):
    conv = support_conversation(conversation_id=conversation_id)
    new_status = request.POST.get("status")
    if new_status in ConversationStatus.values and new_status != conv.status:
        conversation_status_set(
            conversation=conv, status=new_status, actor=request.user, request=request
        )
        messages.success(request, f"Conversation {conv.get_status_display().lower()}.")
    return redirect(THREAD, conversation_id=conv.pk)


@support_staff_required
@require_POST
def disconnect(request, conversation_id: int):
    conv = support_conversation(conversation_id=conversation_id)
    if conv.tag != Tag.STRIPE_DISCONNECT:
        messages.error(request, "Only a disconnect request can disconnect from here.")
        return redirect(THREAD, conversation_id=conv.pk)
    try:
        conversation_account_disconnect(conversation=conv, actor=request.user, request=request)
    except (HelpdeskUserError, PaymentsUserError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Disconnected {conv.firm}'s Stripe account; the firm was told.")
    return redirect(THREAD, conversation_id=conv.pk)
