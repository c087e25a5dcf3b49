"""Autopay emails. Charge notices are PaymentNotice rows (once per payment and kind) sent
after commit; authorisation notices (method needs attention, card expiring, a request to
authorise) are sent after the change that calls for them, which happens once."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from firmpay.core.money import format_amount
from firmpay.invoices.links import invoice_link_url
from firmpay.payments.online.models import PaymentNotice
from firmpay.payments.online.notices import firm_recipients

logger = logging.getLogger("firmpay.payments.autopay")

SUBJECTS = {
    "autopay_failed_client": "Your automatic payment for invoice {number} did not go through",
    "autopay_failed_firm": "Automatic payment failed: {amount} for invoice {number} ({client})",
    "autopay_action_client": "Please confirm your payment for invoice {number}",
    "authorisation_attention_client": "Please update how you pay {firm}",
    "authorisation_attention_firm": "Autopay needs attention: {client}",
    "card_expiring_client": "Your card for payments to {firm} expires soon",
    "authorisation_request": "{firm} asks you to set up automatic payments",
    "autopay_link_client": "Your new link for automatic payments to {firm}",
}
TO_CLIENT = {
    "autopay_failed_client",
    "autopay_action_client",
    "authorisation_attention_client",
    "card_expiring_client",
    "authorisation_request",
    "autopay_link_client",
}


def autopay_notice_queue(*, attempt, kind: str, retry_at=None) -> None:
    """Once per (payment, kind): rendered now (inside the transaction), sent after commit."""
    _, created = PaymentNotice.objects.get_or_create(payment=attempt.payment, kind=kind, key="")
    if not created:
        return
    from firmpay.payments.autopay.authorise import client_autopay_url

    payment = attempt.payment
    invoice = payment.invoice
    context = {
        "invoice": invoice,
        "client": invoice.client,
        "firm": invoice.firm,
        "amount": format_amount(payment.amount, payment.currency),
        "link": invoice_link_url(invoice),
        "reason": payment.failure_message or attempt.error_code,
        "retry_at": retry_at,
        "method": attempt.authorisation.method_label,
        "manage_link": client_autopay_url(client=invoice.client),
        "link_days": _link_days(),
    }
    _send_on_commit(kind=kind, firm=invoice.firm, client=invoice.client, context=context)


def authorisation_notice(*, authorisation, kind: str, link: str = "", reason: str = "") -> None:
    context = {
        "firm": authorisation.firm,
        "client": authorisation.client,
        "method": authorisation.method_label,
        "link": link,
        "reason": reason,
        "authorisation": authorisation,
        "link_days": _link_days(),
    }
    _send_on_commit(
        kind=kind, firm=authorisation.firm, client=authorisation.client, context=context
    )


def _link_days() -> int:
    from firmpay.payments.autopay.authorise import autopay_link_lifetime

    return autopay_link_lifetime().days


def _send_on_commit(*, kind: str, firm, client, context: dict) -> None:
    subject = SUBJECTS[kind].format(
        number=getattr(context.get("invoice"), "number", ""),
        amount=context.get("amount", ""),
        client=client.name,
        firm=firm.name,
    )
    if kind in TO_CLIENT:
        to = [client.email] if client.email else []
        reply_to = [firm.email] if firm.email else None
    else:
        to, reply_to = firm_recipients(firm), None
    if not to:
        return
    # Rendered after the commit, not while the charge's rows are locked (the templates read
    # names, numbers and dates only).
    transaction.on_commit(
        lambda: _send(kind=kind, subject=subject, context=context, to=to, reply_to=reply_to)
    )


def _send(*, kind: str, subject: str, context: dict, to: list, reply_to) -> None:
    try:
        body = render_to_string(f"payments/email/{kind}.txt", context)
        EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to).send()
    except Exception:  # noqa: BLE001 - an email that cannot go out is logged, not retried
        logger.exception("autopay email %r not sent", subject)
