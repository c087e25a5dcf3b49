"""Emails members who are not online when support replies."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from firmpay.core.text import one_line
from firmpay.helpdesk.models import Message
from firmpay.tenancy.models import Membership

ONLINE_WITHIN = timedelta(minutes=5)


def offline_member_emails(*, firm, now=None) -> list[str]:
    """Members with no request in the last five minutes."""
    since = (now or timezone.now()) - ONLINE_WITHIN
    return list(
        Membership.objects.filter(firm=firm, user__is_active=True)
        .filter(
            Q(user__helpdesk_presence__isnull=True)
            | Q(user__helpdesk_presence__last_seen_at__lt=since)
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def support_reply_notify(*, message_id: int) -> int:
    """One email per offline member of the firm; returns how many were sent."""
    message = Message.objects.select_related("conversation__firm").get(pk=message_id)
    conversation = message.conversation
    recipients = offline_member_emails(firm=conversation.firm)
    body = render_to_string(
        "helpdesk/email/support_replied.txt",
        {"message": message, "conversation": conversation, "site_url": settings.SITE_URL},
    )
    subject = one_line(f"Firmpay support replied: {conversation.subject}")
    for email in recipients:
        EmailMessage(subject=subject, body=body, to=[email]).send()
    return len(recipients)
