from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from firmpay.core.text import one_line
from firmpay.tenancy.models import Invitation


def invitation_accept_url(token: str) -> str:
    return settings.SITE_URL + reverse("tenancy:invitation_accept", args=[token])


def invitation_email_send(*, invitation: Invitation, token: str) -> None:
    firm = invitation.firm
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "firm": firm,
        "inviter": inviter.display_name if inviter else firm.name,
        "link": invitation_accept_url(token),
    }
    EmailMessage(
        subject=one_line(f"You are invited to join {firm.name} on Firmpay"),
        body=render_to_string("tenancy/email/invitation.txt", context),
        to=[invitation.email],
        reply_to=[inviter.email] if inviter else None,
    ).send()
