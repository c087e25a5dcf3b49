"""The firm side of in-app help at /help/: the panel (an htmx fragment loaded into
`#help-slot` on every page; a whole page without htmx), the polled thread and badge, and
sending a message. The firm is always `request.firm`; a conversation id of another firm
is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from firmpay.core.numbers import id_or_none
from firmpay.helpdesk.decorators import help_member_required
from firmpay.helpdesk.exceptions import HelpdeskUserError
from firmpay.helpdesk.models import BODY_MAX_LENGTH, Tag
from firmpay.helpdesk.selectors import (
    conversation_current,
    conversation_for_firm,
    conversation_messages,
    conversations_for_firm,
    unread_conversations_count,
)
from firmpay.helpdesk.services import conversation_mark_read, firm_message_post
from firmpay.helpdesk.topics import topic_for

RECENT_CONVERSATIONS = 8


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _digits(value) -> int | None:
    return id_or_none(value)


def _panel(request, *, conversation=None, topic=None, body="", error=""):
    firm = request.firm
    if conversation is not None:
        conversation_mark_read(conversation=conversation, user=request.user)
    thread = list(conversation_messages(conversation=conversation)) if conversation else []
    context = {
        "conversation": conversation,
        "thread": thread,
        "last_message_id": thread[-1].pk if thread else 0,
        "conversations": list(conversations_for_firm(firm=firm)[:RECENT_CONVERSATIONS]),
        "topic": topic,
        "body": body or (topic.prefill if topic else ""),
        "error": error,
        "body_max_length": BODY_MAX_LENGTH,
    }
    if _is_htmx(request):
        response = render(request, "helpdesk/panel.html", context)
        response["HX-Trigger"] = "helpdesk-read"
        return response
    return render(request, "helpdesk/page.html", context)


@help_member_required
@require_GET
def help_panel(request):
    """?conversation=<id> opens that conversation; ?topic=<tag> (and ?payment=<id>) starts
    a new one with a prefilled message; ?new=1 a blank new one; else the latest."""
    firm = request.firm
    conversation_id = _digits(request.GET.get("conversation"))
    tag = request.GET.get("topic", "")
    if conversation_id:
        return _panel(
            request, conversation=conversation_for_firm(firm=firm, conversation_id=conversation_id)
        )
    if tag in Tag.values:
        return _panel(
            request, topic=topic_for(firm=firm, tag=tag, payment_id=request.GET.get("payment"))
        )
    if request.GET.get("new"):
        return _panel(request)
    return _panel(request, conversation=conversation_current(firm=firm))


@help_member_required
@require_GET
def help_thread(request, conversation_id: int):
    """The thread fragment, polled every 5 s while the panel is open. `seen` is the last
    message id the page shows: when a newer message changed the firm's account, the page
    is told to refresh what shows it (the Stripe card)."""
    conversation = conversation_for_firm(firm=request.firm, conversation_id=conversation_id)
    conversation_mark_read(conversation=conversation, user=request.user)
    thread = list(conversation_messages(conversation=conversation))
    seen = _digits(request.GET.get("seen")) or 0
    response = render(
        request,
        "helpdesk/_thread.html",
        {
            "conversation": conversation,
            "thread": thread,
            "last_message_id": thread[-1].pk if thread else 0,
        },
    )
    events = ["helpdesk-read"]
    if any(m.changes_account and m.pk > seen for m in thread):
        events.append("helpdesk-account-changed")
    response["HX-Trigger"] = ", ".join(events)
    return response


@help_member_required
@require_GET
def help_badge(request):
    return render(
        request,
        "helpdesk/_badge.html",
        {"help_unread": unread_conversations_count(firm=request.firm, user=request.user)},
    )


@help_member_required
@require_POST
def help_send(request):
    firm = request.firm
    raw_ids = (request.POST.get("conversation"), request.POST.get("payment"))
    if any(raw and _digits(raw) is None for raw in raw_ids):
        return HttpResponseBadRequest("That conversation or payment does not exist.")
    conversation_id = _digits(request.POST.get("conversation"))
    conversation = (
        conversation_for_firm(firm=firm, conversation_id=conversation_id)
        if conversation_id
        else None
    )
    topic = topic_for(
        firm=firm, tag=request.POST.get("tag", ""), payment_id=request.POST.get("payment")
    )
    body = request.POST.get("body", "")
    try:
        message = firm_message_post(
            firm=firm,
            author=request.user,
            body=body,
            request=request,
            conversation=conversation,
            tag=topic.tag,
            extra_context=topic.extra_context,
        )
    except HelpdeskUserError as error:
        if not _is_htmx(request):
            messages.error(request, str(error))
            return redirect(reverse("helpdesk:panel"))
        return _panel(request, conversation=conversation, topic=topic, body=body, error=str(error))
    if _is_htmx(request):
        return _panel(request, conversation=message.conversation)
    return redirect(f"{reverse('helpdesk:panel')}?conversation={message.conversation_id}")


@require_GET
def help_close(request):
    """Closing the panel empties #help-slot (no script needed), which also stops polling."""
    return HttpResponse("")
