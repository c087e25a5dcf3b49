"""Emails the portal sends: the sign-in link and the email-change confirmation."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from firmpay.documents.emails import branded_alternative_attach


def _url(name: str, firm, token: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"firm_key": firm.portal_key, "token": token})


def signin_email_send(*, client, token: str, to: str) -> None:
    firm = client.firm
    context = {
        "firm": firm,
        "client": client,
        "link": _url("portal:signin_link", firm, token),
        "minutes": int(getattr(settings, "PORTAL_SIGNIN_LINK_SECONDS", 1800)) // 60,
    }
    _send(firm, f"Sign in to {firm.name}'s client portal", "signin", context, to)


def email_change_email_send(*, change, token: str) -> None:
    client = change.client
    firm = client.firm
    context = {
        "firm": firm,
        "client": client,
        "new_email": change.new_email,
        "link": _url("portal:email_confirm", firm, token),
    }
    subject = f"Confirm your new email address for {firm.name}"
    _send(firm, subject, "email_change", context, change.new_email)


def _send(firm, subject: str, template: str, context: dict, to: str) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"portal/email/{template}.txt", context),
        to=[to],
        reply_to=[firm.email] if firm.email else None,
    )
    branded_alternative_attach(message, firm=firm)
    message.send()
