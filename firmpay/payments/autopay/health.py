"""Payment-method health: a mandate revoked or inactive, a method detached, a card
expiring → autopay paused for the client (reminders resume), the client asked to set up a
method again, the firm told. Appliers of the saved-method facts live here."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from firmpay.payments.autopay.models import AutopayAuthorisation, AutopayAuthorisationStatus
from firmpay.payments.autopay.notices import authorisation_notice
from firmpay.payments.autopay.selectors import firm_local_date
from firmpay.payments.facts import (
    CardChanged,
    MandateChanged,
    MethodDetached,
    MethodSaved,
    fact_applier,
)
from firmpay.payments.models import StripeEventStatus

REVOCATION_REASONS = {
    "debit_not_authorized": "the Direct Debit was cancelled at the bank",
    "account_closed": "the bank account was closed",
    "bank_account_restricted": "the bank account cannot take Direct Debits",
    "bank_ownership_changed": "the bank account changed hands",
    "could_not_process": "the bank could not process the mandate",
}


def authorisation_attention(*, authorisation: AutopayAuthorisation, reason: str) -> None:
    """Pause autopay for the client: the method needs replacing. Tells both sides once
    (the move to needs_attention happens once). Call inside a transaction."""
    from firmpay.payments.autopay.authorise import (
        client_autopay_url,
        invoice_autopay_pause_for_client,
    )

    updated = AutopayAuthorisation.objects.filter(
        pk=authorisation.pk, status=AutopayAuthorisationStatus.ACTIVE
    ).update(status=AutopayAuthorisationStatus.NEEDS_ATTENTION, attention_reason=reason[:300])
    if not updated:
        return
    authorisation.status = AutopayAuthorisationStatus.NEEDS_ATTENTION
    authorisation.attention_reason = reason[:300]
    invoice_autopay_pause_for_client(
        firm=authorisation.firm, client_id=authorisation.client_id, reason=reason
    )
    link = client_autopay_url(client=authorisation.client)
    authorisation_notice(
        authorisation=authorisation, kind="authorisation_attention_client", link=link, reason=reason
    )
    authorisation_notice(
        authorisation=authorisation, kind="authorisation_attention_firm", reason=reason
    )


def _in_use(**lookup) -> AutopayAuthorisation | None:
    return (
        AutopayAuthorisation.objects.filter(
            status__in=[
                AutopayAuthorisationStatus.ACTIVE,
                AutopayAuthorisationStatus.NEEDS_ATTENTION,
            ],
            **lookup,
        )
        .select_related("firm", "client")
        .first()
    )


@fact_applier(MethodSaved)
def method_saved_apply(fact: MethodSaved) -> str:
    from firmpay.payments.autopay.authorise import autopay_authorisation_complete

    authorisation = AutopayAuthorisation.objects.filter(
        stripe_account_id=fact.account, setup_intent_id=fact.setup_intent
    ).first()
    if authorisation is None:
        return StripeEventStatus.IGNORED
    autopay_authorisation_complete(authorisation=authorisation)
    return StripeEventStatus.PROCESSED


@fact_applier(MandateChanged)
def mandate_changed_apply(fact: MandateChanged) -> str:
    authorisation = _in_use(stripe_account_id=fact.account, mandate_id=fact.mandate)
    if authorisation is None:
        return StripeEventStatus.IGNORED
    if fact.status == "inactive":
        why = REVOCATION_REASONS.get(fact.reason, "the Direct Debit mandate is no longer active")
        with transaction.atomic():
            authorisation_attention(
                authorisation=authorisation, reason=why[:1].upper() + why[1:] + "."
            )
    return StripeEventStatus.PROCESSED


@fact_applier(MethodDetached)
def method_detached_apply(fact: MethodDetached) -> str:
    authorisation = _in_use(stripe_account_id=fact.account, payment_method_id=fact.payment_method)
    if authorisation is None:
        return StripeEventStatus.IGNORED  # ours were detached by us (revoked, replaced)
    with transaction.atomic():
        authorisation_attention(
            authorisation=authorisation, reason="The saved payment method was removed."
        )
    return StripeEventStatus.PROCESSED


@fact_applier(CardChanged)
def card_changed_apply(fact: CardChanged) -> str:
    authorisation = _in_use(stripe_account_id=fact.account, payment_method_id=fact.payment_method)
    if authorisation is None:
        return StripeEventStatus.IGNORED
    changes = {"exp_month": fact.exp_month, "exp_year": fact.exp_year}
    if fact.last4:
        changes["last4"] = fact.last4
    AutopayAuthorisation.objects.filter(pk=authorisation.pk).update(**changes)
    return StripeEventStatus.PROCESSED


def card_expiring(*, authorisation: AutopayAuthorisation, today: datetime.date) -> bool:
    """The card's last valid day is within a month of `today` (or has passed)."""
    if not authorisation.exp_year or not authorisation.exp_month:
        return False
    year, month = (
        authorisation.exp_year + authorisation.exp_month // 12,
        authorisation.exp_month % 12 + 1,
    )
    first_invalid = datetime.date(year, month, 1)
    return first_invalid <= today + datetime.timedelta(days=31)


def autopay_expiring_cards_sweep(*, now: datetime.datetime | None = None) -> int:
    """Saved cards expiring within a month of the firm's own date (not the server's): the
    client is asked (once per expiry) to save a new card; an expired card pauses autopay.
    Returns how many were told."""
    from firmpay.payments.autopay.authorise import client_autopay_url

    now = now or timezone.now()
    told = 0
    for authorisation in AutopayAuthorisation.objects.filter(
        # A firm's year is at most one ahead of UTC's.
        status=AutopayAuthorisationStatus.ACTIVE,
        method="card",
        exp_year__lte=now.year + 2,
    ).select_related("firm", "client"):
        today = firm_local_date(authorisation.firm, now)
        if not card_expiring(authorisation=authorisation, today=today):
            continue
        expiry = f"{authorisation.exp_month:02d}/{authorisation.exp_year}"
        with transaction.atomic():
            if (authorisation.exp_year, authorisation.exp_month) < (today.year, today.month):
                authorisation_attention(
                    authorisation=authorisation, reason="The saved card has expired."
                )
            elif (
                AutopayAuthorisation.objects.filter(pk=authorisation.pk)
                .exclude(expiry_warned=expiry)
                .update(expiry_warned=expiry)
            ):
                authorisation_notice(
                    authorisation=authorisation,
                    kind="card_expiring_client",
                    link=client_autopay_url(client=authorisation.client),
                )
                told += 1
    return told
