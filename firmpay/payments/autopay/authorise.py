"""Authorise once: the client saves a card or a bank mandate on a Customer of the firm's
connected account (Checkout in setup mode), sees it and can revoke it; the firm can send
the request itself. Invoices are marked for automatic collection here too."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from firmpay.invoices.models import OUTSTANDING_STATUSES, Invoice
from firmpay.payments.autopay.models import (
    AutopayAuthorisation,
    AutopayAuthorisationStatus,
    AutopayCustomer,
    CollectOn,
    InvoiceAutopay,
    InvoiceAutopayStatus,
)
from firmpay.payments.autopay.notices import authorisation_notice
from firmpay.payments.autopay.selectors import autopay_settings_for_firm
from firmpay.payments.connect.selectors import payment_account_for_firm
from firmpay.payments.online.exceptions import OnlinePaymentUnavailable
from firmpay.payments.online.selectors import checkout_methods, checkout_settings_for_firm
from firmpay.payments.stripe import autopay as stripe_autopay

SALT = "firmpay.autopay.client"
# A setup page this fresh is handed out again instead of a new one.
REUSE_FOR = datetime.timedelta(hours=20)


def autopay_link_lifetime() -> datetime.timedelta:
    """How long a client's autopay link works (it is in emails: long enough for a retry
    schedule, short enough that an old forwarded email stops opening it)."""
    return datetime.timedelta(days=getattr(settings, "FIRMPAY_AUTOPAY_LINK_DAYS", 30))


def client_autopay_token(*, client) -> str:
    """Signed and timestamped (`signing.dumps`): the firm and client ids, good for
    `autopay_link_lifetime()` from now."""
    return signing.dumps([client.firm_id, client.pk], salt=SALT)


@dataclass(frozen=True)
class AutopayLink:
    client: object | None  # None: forged, tampered or for a client that is gone
    expired: bool = False


def autopay_link_read(token: str) -> AutopayLink:
    """The client a link is for and whether it has expired. An expired link still names
    its client (the signature is checked), so the page can offer to send a new one."""
    from firmpay.clients.models import Client

    expired = False
    try:
        ids = signing.loads(token, salt=SALT, max_age=autopay_link_lifetime())
    except signing.SignatureExpired:
        expired = True
        try:
            ids = signing.loads(token, salt=SALT)
        except (signing.BadSignature, ValueError, TypeError):
            return AutopayLink(client=None)
    except (signing.BadSignature, ValueError, TypeError):
        return AutopayLink(client=None)
    try:
        firm_id, client_id = ids
        client = (
            Client.objects.filter(firm_id=int(firm_id), pk=int(client_id))
            .select_related("firm")
            .first()
        )
    except (ValueError, TypeError):
        return AutopayLink(client=None)
    return AutopayLink(client=client, expired=expired and client is not None)


def client_from_autopay_token(token: str):
    """The client of a valid, unexpired link, else None."""
    link = autopay_link_read(token)
    return None if link.expired else link.client


def client_autopay_url(*, client) -> str:
    return settings.SITE_URL + reverse("autopay-manage", args=[client_autopay_token(client=client)])


def autopay_link_renew(*, client) -> bool:
    """Email the client a fresh autopay link, to the address the firm holds (never to
    whoever asks): at most once in 10 minutes per client. Returns whether it was sent."""
    from django.core.cache import cache

    if not client.email or not cache.add(f"autopay:link-renew:{client.pk}", 1, timeout=600):
        return False
    stub = AutopayAuthorisation(firm=client.firm, client=client, method="")
    authorisation_notice(
        authorisation=stub, kind="autopay_link_client", link=client_autopay_url(client=client)
    )
    return True


def autopay_customer_ensure(*, client, account) -> AutopayCustomer:
    """The client's Customer on the account: one row per (account, client), created on
    Stripe with the row's id as idempotency key (two racing requests get one Customer)."""
    try:
        with transaction.atomic():
            row, _ = AutopayCustomer.objects.get_or_create(
                firm=client.firm, client=client, stripe_account_id=account.stripe_account_id
            )
    except IntegrityError:
        row = AutopayCustomer.objects.get(
            client=client, stripe_account_id=account.stripe_account_id
        )
    if not row.stripe_customer_id:
        row.stripe_customer_id = stripe_autopay.customer_create(
            account_id=account.stripe_account_id,
            email=client.email or "",
            name=client.name,
            metadata={"firmpay_firm_id": str(client.firm_id), "firmpay_client_id": str(client.pk)},
            idempotency_key=f"autopay_customer:{row.pk}:create",
        )
        AutopayCustomer.objects.filter(pk=row.pk).update(stripe_customer_id=row.stripe_customer_id)
    return row


def autopay_authorisation_start(
    *, client, invoice: Invoice | None = None, requested_by_firm: bool = False
) -> AutopayAuthorisation:
    """A setup page for the client (`authorisation.setup_url`): card always, ACH for USD,
    Bacs for GBP, as the account and the firm's checkout settings allow."""
    firm = client.firm
    account = payment_account_for_firm(firm=firm)
    if account is None or not account.charges_enabled:
        raise OnlinePaymentUnavailable()
    fresh = (
        AutopayAuthorisation.objects.filter(
            firm=firm,
            client=client,
            status=AutopayAuthorisationStatus.PENDING,
            stripe_account_id=account.stripe_account_id,
            created_at__gt=timezone.now() - REUSE_FOR,
            source_invoice=invoice,
        )
        .exclude(setup_url="")
        .first()
    )
    if fresh is not None:
        return fresh
    customer = autopay_customer_ensure(client=client, account=account)
    currency = invoice.currency if invoice else client.currency
    methods = checkout_methods(
        account=account, currency=currency, settings_row=checkout_settings_for_firm(firm=firm)
    )
    authorisation = AutopayAuthorisation.objects.create(
        firm=firm,
        client=client,
        customer=customer,
        stripe_account_id=account.stripe_account_id,
        requested_by_firm=requested_by_firm,
        source_invoice=invoice,
    )
    manage = client_autopay_url(client=client)
    session = stripe_autopay.setup_session_create(
        account_id=account.stripe_account_id,
        customer=customer.stripe_customer_id,
        currency=currency,
        methods=methods,
        metadata={
            "firmpay_firm_id": str(firm.pk),
            "firmpay_client_id": str(client.pk),
            "firmpay_authorisation_id": str(authorisation.pk),
        },
        success_url=f"{manage}?done={authorisation.pk}",
        cancel_url=manage,
        idempotency_key=f"autopay_authorisation:{authorisation.pk}:setup",
    )
    authorisation.setup_session_id = session.id
    authorisation.setup_url = session.url
    authorisation.setup_intent_id = session.setup_intent
    authorisation.save(
        update_fields=["setup_session_id", "setup_url", "setup_intent_id", "updated_at"]
    )
    return authorisation


def autopay_authorisation_complete(*, authorisation: AutopayAuthorisation) -> AutopayAuthorisation:
    """Read the setup from Stripe (the return page and `setup_intent.succeeded` both call
    this); activate the saved method once. Idempotent."""
    if (
        authorisation.status != AutopayAuthorisationStatus.PENDING
        or not authorisation.setup_intent_id
    ):
        return authorisation
    saved = stripe_autopay.saved_method_retrieve(
        account_id=authorisation.stripe_account_id, setup_intent=authorisation.setup_intent_id
    )
    if saved is None:
        return authorisation
    return autopay_authorisation_activate(authorisation_id=authorisation.pk, saved=saved)


def autopay_authorisation_activate(
    *, authorisation_id: int, saved: stripe_autopay.SavedMethod
) -> AutopayAuthorisation:
    replaced: list[AutopayAuthorisation] = []
    with transaction.atomic():
        authorisation = AutopayAuthorisation.objects.select_for_update().get(pk=authorisation_id)
        if authorisation.status != AutopayAuthorisationStatus.PENDING:
            return authorisation
        for old in AutopayAuthorisation.objects.select_for_update().filter(
            stripe_account_id=authorisation.stripe_account_id,
            client_id=authorisation.client_id,
            status__in=[
                AutopayAuthorisationStatus.ACTIVE,
                AutopayAuthorisationStatus.NEEDS_ATTENTION,
            ],
        ):
            old.status, old.ended_at = AutopayAuthorisationStatus.REPLACED, timezone.now()
            old.save(update_fields=["status", "ended_at", "updated_at"])
            replaced.append(old)
        authorisation.status = AutopayAuthorisationStatus.ACTIVE
        authorisation.authorised_at = timezone.now()
        for field in (
            "payment_method",
            "mandate",
            "mandate_reference",
            "mandate_url",
            "method",
            "last4",
            "brand",
            "exp_month",
            "exp_year",
        ):
            target = f"{field}_id" if field in ("payment_method", "mandate") else field
            setattr(
                authorisation,
                target,
                getattr(saved, field) or ("" if field not in ("exp_month", "exp_year") else None),
            )
        authorisation.save()
        if authorisation.source_invoice_id:
            invoice_autopay_mark(invoice=authorisation.source_invoice)
        invoice_autopay_resume_for_client(
            firm=authorisation.firm, client_id=authorisation.client_id
        )
        for old in replaced:
            transaction.on_commit(lambda o=old: _detach_quietly(o))
    return authorisation


def _detach_quietly(authorisation: AutopayAuthorisation) -> None:
    from firmpay.payments.exceptions import PaymentsError

    if not authorisation.payment_method_id:
        return
    try:
        stripe_autopay.payment_method_detach(
            account_id=authorisation.stripe_account_id,
            payment_method=authorisation.payment_method_id,
        )
    except PaymentsError:
        pass  # the account is gone or the method already detached: nothing left to end


def autopay_authorisation_revoke(*, authorisation: AutopayAuthorisation) -> AutopayAuthorisation:
    """The client ends automatic payments: the method is detached on Stripe (its mandate
    ends), scheduled charges of the client stop and reminders resume."""
    with transaction.atomic():
        authorisation = AutopayAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if authorisation.status not in (
            AutopayAuthorisationStatus.ACTIVE,
            AutopayAuthorisationStatus.NEEDS_ATTENTION,
        ):
            return authorisation
        authorisation.status = AutopayAuthorisationStatus.REVOKED
        authorisation.ended_at = timezone.now()
        authorisation.save(update_fields=["status", "ended_at", "updated_at"])
        invoice_autopay_pause_for_client(
            firm=authorisation.firm,
            client_id=authorisation.client_id,
            reason="The client revoked automatic payments.",
        )
        transaction.on_commit(lambda: _detach_quietly(authorisation))
    return authorisation


def autopay_request_send(*, client, actor=None) -> str:
    """The firm asks the client to authorise: an email with the client's autopay link
    (which opens a fresh setup page when followed). Returns the link."""
    link = client_autopay_url(client=client)
    stub = AutopayAuthorisation(firm=client.firm, client=client, method="")
    authorisation_notice(authorisation=stub, kind="authorisation_request", link=link)
    return link


# --- invoices marked for automatic collection ---------------------------------------------


def autopay_due_date_attempt_at(*, due_date: datetime.date, zone: str | None) -> datetime.datetime:
    """09:00 on `due_date` in the firm's time zone `zone` (UTC when it has none)."""
    import zoneinfo

    tz = zoneinfo.ZoneInfo(zone or "UTC")
    return datetime.datetime.combine(due_date, datetime.time(9), tzinfo=tz)


def autopay_first_attempt_at(*, invoice: Invoice, collect_on: str) -> datetime.datetime:
    if collect_on == CollectOn.DUE:
        return autopay_due_date_attempt_at(due_date=invoice.due_date, zone=invoice.firm.timezone)
    return timezone.now()


def invoice_autopay_mark(*, invoice: Invoice, collect_on: str | None = None) -> InvoiceAutopay:
    """Mark `invoice` to be collected automatically from the client's saved authorisation,
    on issue (now) or on its due date (09:00 firm time). The contract for recurring
    invoices and anyone else who issues invoices: the charging sweep picks these rows up."""
    collect_on = collect_on or autopay_settings_for_firm(firm=invoice.firm).default_collect_on
    row, created = InvoiceAutopay.objects.get_or_create(
        invoice=invoice,
        defaults={
            "firm": invoice.firm,
            "collect_on": collect_on,
            "next_attempt_at": autopay_first_attempt_at(invoice=invoice, collect_on=collect_on),
        },
    )
    return row


def invoice_autopay_resume_for_client(*, firm, client_id: int) -> int:
    """A new authorisation: paused, exhausted or waiting-to-retry charges of the client's
    outstanding invoices are scheduled again (now)."""
    return InvoiceAutopay.objects.filter(
        firm=firm,
        invoice__client_id=client_id,
        invoice__status__in=list(OUTSTANDING_STATUSES),
        status__in=[
            InvoiceAutopayStatus.PAUSED,
            InvoiceAutopayStatus.EXHAUSTED,
            InvoiceAutopayStatus.ACTION_REQUIRED,
            InvoiceAutopayStatus.RETRYING,
        ],
    ).update(status=InvoiceAutopayStatus.SCHEDULED, next_attempt_at=timezone.now(), last_error="")


def invoice_autopay_pause_for_client(*, firm, client_id: int, reason: str) -> int:
    return InvoiceAutopay.objects.filter(
        firm=firm,
        invoice__client_id=client_id,
        status__in=[InvoiceAutopayStatus.SCHEDULED, InvoiceAutopayStatus.RETRYING],
    ).update(status=InvoiceAutopayStatus.PAUSED, next_attempt_at=None, last_error=reason[:500])


def on_invoice_sent(*, invoice: Invoice) -> None:
    """Invoice hook "sent": a client with an active authorisation has the invoice collected
    automatically (firm default: on issue or on the due date)."""
    if AutopayAuthorisation.objects.filter(
        firm_id=invoice.firm_id,
        client_id=invoice.client_id,
        status=AutopayAuthorisationStatus.ACTIVE,
    ).exists():
        invoice_autopay_mark(invoice=invoice)


def autopay_on_disconnect(*, account) -> int:
    """Payments hook "account_disconnected": scheduled charges of the firm stop (paused:
    reminders resume). Returns how many."""
    return InvoiceAutopay.objects.filter(
        firm_id=account.firm_id,
        status__in=[InvoiceAutopayStatus.SCHEDULED, InvoiceAutopayStatus.RETRYING],
    ).update(
        status=InvoiceAutopayStatus.PAUSED,
        next_attempt_at=None,
        last_error="Stripe was disconnected.",
    )
