"""Creating, refreshing and disconnecting a firm's connected Stripe account."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.core.audit import audit_record_create
from firmpay.payments.exceptions import (
    AccountAlreadyConnected,
    DisconnectNotAllowed,
    NotConnected,
    PlanRequired,
    ReasonRequired,
    StripeRequestFailed,
)
from firmpay.payments.hooks import payment_hooks_run
from firmpay.payments.models import CreatedVia, IntegrationStatusCode, PaymentAccount
from firmpay.payments.stripe import accounts as stripe_accounts
from firmpay.payments.stripe.client import dashboard_base_url
from firmpay.payments.stripe.dataclasses import AccountSnapshot
from firmpay.payments.stripe.status import integration_status, payouts_status

logger = logging.getLogger("firmpay.payments")


def payment_account_create(*, firm, actor, request=None) -> PaymentAccount:
    """Create the firm's connected account on Stripe (platform-created, full dashboard,
    prefilled from the firm) and return the row; the caller then sends the user to
    `payment_account_onboarding_link`.

    Paid plans only: a free firm gets PlanRequired and an audit record of the refusal.
    Idempotent: a double click or two tabs end on the same row (partial unique index on
    the firm's active account) and the same Stripe account (idempotency key from the row
    id). Raises AccountAlreadyConnected when the firm already has a *connected* account
    it did not create here, StripeUnavailable / StripeRequestFailed when Stripe fails.
    """
    if not firm.is_paid_plan:
        audit_record_create(
            action="payments.account_create_refused",
            firm=firm,
            actor=actor,
            detail={"reason": "plan_required", "plan": firm.plan},
            request=request,
        )
        raise PlanRequired()
    account = _pending_row(firm=firm, actor=actor)
    if account.stripe_account_id:
        return account
    as_of = timezone.now()
    try:
        snapshot = stripe_accounts.account_create(
            country=firm.country,
            email=firm.email or getattr(actor, "email", ""),
            business_name=firm.name,
            idempotency_key=f"payment_account:{account.pk}:create",
            metadata={
                "firmpay_firm_id": str(firm.pk),
                "firmpay_payment_account_id": str(account.pk),
            },
        )
    except StripeRequestFailed:
        # Stripe refused (4xx): nothing exists there, so drop the row; the next try gets a
        # new idempotency key. Network errors keep the row: a retry must reuse the key.
        PaymentAccount.objects.filter(pk=account.pk, stripe_account_id="").delete()
        raise
    with transaction.atomic():
        PaymentAccount.objects.filter(pk=account.pk, stripe_account_id="").update(
            stripe_account_id=snapshot.id
        )
        account.refresh_from_db()
        payment_account_snapshot_store(account_pk=account.pk, snapshot=snapshot, as_of=as_of)
        audit_record_create(
            action="payments.account_created",
            firm=firm,
            actor=actor,
            target=account,
            detail={"stripe_account_id": snapshot.id, "created_via": CreatedVia.PLATFORM},
            request=request,
        )
    account.refresh_from_db()
    return account


def _pending_row(*, firm, actor) -> PaymentAccount:
    """The firm's active row, inserting a platform one if there is none."""
    try:
        with transaction.atomic():
            return PaymentAccount.objects.create(
                firm=firm,
                created_via=CreatedVia.PLATFORM,
                created_by=actor,
                status=IntegrationStatusCode.INCOMPLETE,
            )
    except IntegrityError:
        existing = PaymentAccount.objects.get(firm=firm, disconnected_at__isnull=True)
        if existing.created_via != CreatedVia.PLATFORM:
            raise AccountAlreadyConnected() from None
        return existing


def payment_account_onboarding_link(
    *, account: PaymentAccount, return_url: str, refresh_url: str
) -> str:
    """A fresh Stripe-hosted onboarding URL ("Continue setup" too). Platform-created
    accounts only; `refresh_url` should mint a new link, `return_url` should call
    `payment_account_refresh` (reaching it proves nothing)."""
    if not account.is_connected:
        raise NotConnected()
    return stripe_accounts.account_onboarding_link(
        account_id=account.stripe_account_id, return_url=return_url, refresh_url=refresh_url
    )


def payment_account_dashboard_link(*, account: PaymentAccount) -> str:
    """Where "Stripe dashboard" leads: the sandbox dashboard in sandbox mode, a fresh login
    link for Express accounts, https://dashboard.stripe.com/<acct> otherwise."""
    if not account.is_connected:
        raise NotConnected()
    dashboard = (account.snapshot or {}).get("dashboard", "full")
    if dashboard == "express":
        return stripe_accounts.account_login_link(account.stripe_account_id)
    return dashboard_base_url() + account.stripe_account_id


def payment_account_refresh(*, account: PaymentAccount) -> PaymentAccount:
    """Retrieve the account from Stripe and recompute its statuses. Returns the fresh row."""
    if not account.stripe_account_id:
        return account
    as_of = timezone.now()
    snapshot = stripe_accounts.account_retrieve(account.stripe_account_id)
    return payment_account_snapshot_store(account_pk=account.pk, snapshot=snapshot, as_of=as_of)


def payment_account_snapshot_store(
    *, account_pk: int, snapshot: AccountSnapshot, as_of: datetime
) -> PaymentAccount:
    """Store `snapshot` (read from Stripe at `as_of`) unless the row already holds a newer one."""
    with transaction.atomic():
        account = PaymentAccount.objects.select_for_update().get(pk=account_pk)
        if account.snapshot_at is not None and as_of < account.snapshot_at:
            return account
        if account.disconnected_at is None:
            account.status = integration_status(snapshot).code
        account.payouts_status = payouts_status(snapshot, account.payouts_were_enabled).code
        account.snapshot = snapshot.to_dict()
        account.snapshot_at = as_of
        account.charges_enabled = snapshot.charges_enabled
        account.payouts_enabled = snapshot.payouts_enabled
        account.charges_were_enabled = account.charges_were_enabled or snapshot.charges_enabled
        account.payouts_were_enabled = account.payouts_were_enabled or snapshot.payouts_enabled
        account.save()
    return account


def payment_account_disconnect(
    *,
    account: PaymentAccount,
    actor,
    reason: str = "",
    by_support: bool = False,
    support_ticket: str = "",
    request=None,
) -> PaymentAccount:
    """Disconnect the firm's account: no new payment can start from now on, open checkout
    sessions are expired (after commit), the firm can connect again later.

    A firm (owner/admin; the view checks the role) may disconnect only an account it
    connected itself (OAuth → deauthorize on Stripe); a platform-created account raises
    DisconnectNotAllowed unless `by_support` (support staff, `reason` required).
    """
    if account.disconnected_at is not None:
        raise NotConnected()
    if by_support and not reason.strip():
        raise ReasonRequired()
    if account.created_via != CreatedVia.OAUTH and not by_support:
        raise DisconnectNotAllowed()
    if account.created_via == CreatedVia.OAUTH and account.stripe_account_id:
        # Expire open sessions while we still have access: after the deauthorize Stripe
        # refuses every call on the account, and a client could still pay an open one.
        open_checkout_sessions_expire(account=account)
        try:
            stripe_accounts.oauth_deauthorize(account.stripe_account_id)
        except StripeRequestFailed as error:
            # Already disconnected on Stripe's side: ours to record, not an error.
            logger.info("deauthorize %s refused (%s); disconnecting anyway", account.pk, error.code)
    with transaction.atomic():
        _mark_disconnected(account=account, actor=actor, reason=reason)
        audit_record_create(
            action="payments.account_disconnected",
            firm=account.firm,
            actor=actor,
            target=account,
            detail={
                "stripe_account_id": account.stripe_account_id,
                "created_via": account.created_via,
                "by_support": by_support,
                "reason": reason,
                "support_ticket": support_ticket,
            },
            request=request,
        )
    return account


def payment_account_mark_deauthorized(*, account: PaymentAccount, at: datetime) -> PaymentAccount:
    """Stripe says the account revoked Firmpay's access (account.application.deauthorized)."""
    with transaction.atomic():
        account.deauthorized_at = at
        _mark_disconnected(account=account, actor=None, reason="Deauthorized from Stripe")
        audit_record_create(
            action="payments.account_deauthorized",
            firm=account.firm,
            target=account,
            detail={"stripe_account_id": account.stripe_account_id},
        )
    return account


def _mark_disconnected(*, account: PaymentAccount, actor, reason: str) -> None:
    account.disconnected_at = timezone.now()
    account.disconnected_by = actor
    account.disconnect_reason = reason
    account.status = IntegrationStatusCode.NOT_CONNECTED
    account.save()
    transaction.on_commit(lambda: open_checkout_sessions_expire(account=account))


def open_checkout_sessions_expire(*, account: PaymentAccount) -> None:
    """Tell who takes payments on `account` (online payments: expire its open Checkout
    Sessions and retire their rows) that it is disconnected. Runs after the disconnect
    commits."""
    payment_hooks_run("account_disconnected", account=account)
