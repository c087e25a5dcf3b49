"""Connecting an existing Stripe account through Stripe OAuth (read_write)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.core.audit import audit_record_create
from firmpay.core.oauth_state import session_key_hash, state_consume, state_hash, state_new
from firmpay.payments.connect.accounts import payment_account_snapshot_store
from firmpay.payments.exceptions import (
    AccountAlreadyConnected,
    AccountConnectedElsewhere,
    OAuthCodeInvalid,
    OAuthDenied,
    OAuthStateInvalid,
)
from firmpay.payments.models import CreatedVia, OAuthState, PaymentAccount
from firmpay.payments.stripe import accounts as stripe_accounts

STATE_TTL = timedelta(minutes=10)
PENDING_ROW_GRACE = timedelta(minutes=1)


def oauth_start(*, firm, user, session, redirect_uri: str) -> str:
    """The Stripe authorize URL to redirect to, with a fresh single-use `state` bound to
    this session, firm and user (expires in 10 minutes). `redirect_uri` is the absolute
    URL of the UI's callback view."""
    state = state_new()
    OAuthState.objects.create(
        state_hash=state_hash(state),
        firm=firm,
        user=user,
        session_key_hash=session_key_hash(session),
        redirect_uri=redirect_uri,
        expires_at=timezone.now() + STATE_TTL,
    )
    return stripe_accounts.oauth_authorize_url(
        state=state,
        redirect_uri=redirect_uri,
        email=firm.email or user.email,
        business_name=firm.name,
        country=firm.country,
    )


def _state_consume(*, state: str, firm, user, session) -> OAuthState:
    """Mark the state used (atomically, once) and check it belongs to this session, firm
    and user and has not expired. Raises OAuthStateInvalid."""
    row = state_consume(OAuthState.objects, state, firm=firm, user=user, session=session)
    if row is None:
        raise OAuthStateInvalid()
    return row


def _abandoned_pending_rows_delete(*, firm) -> None:
    """A platform row whose Stripe answer never came (network failure) must not block
    connecting an existing account; one younger than a minute may still be in flight."""
    PaymentAccount.objects.filter(
        firm=firm,
        disconnected_at__isnull=True,
        stripe_account_id="",
        created_at__lt=timezone.now() - PENDING_ROW_GRACE,
    ).delete()


def oauth_complete(
    *,
    firm,
    user,
    session,
    state: str,
    code: str | None = None,
    error: str | None = None,
    request=None,
) -> PaymentAccount:
    """Finish the OAuth callback and return the firm's new PaymentAccount.

    Refusals, each a distinct PaymentsUserError with a message for the user, nothing
    stored: OAuthStateInvalid (bad, replayed, expired, another session/firm/user's state),
    OAuthDenied (`error` given, e.g. access_denied), AccountAlreadyConnected (this firm
    has an active account), OAuthCodeInvalid (no code, or Stripe's invalid_grant),
    AccountConnectedElsewhere (the Stripe account serves another firm), OAuthFailed,
    StripeUnavailable.
    """
    _state_consume(state=state, firm=firm, user=user, session=session)
    if error:
        raise OAuthDenied()
    _abandoned_pending_rows_delete(firm=firm)
    if PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=True).exists():
        raise AccountAlreadyConnected()
    if not code:
        raise OAuthCodeInvalid()
    stripe_account_id = stripe_accounts.oauth_token(code)
    if (
        PaymentAccount.objects.filter(
            stripe_account_id=stripe_account_id, disconnected_at__isnull=True
        )
        .exclude(firm=firm)
        .exists()
    ):
        # Do not deauthorize: that would cut the other firm's connection too.
        raise AccountConnectedElsewhere()
    as_of = timezone.now()
    snapshot = stripe_accounts.account_retrieve(stripe_account_id)
    try:
        with transaction.atomic():
            account = PaymentAccount.objects.create(
                firm=firm,
                stripe_account_id=stripe_account_id,
                created_via=CreatedVia.OAUTH,
                created_by=user,
            )
            account = payment_account_snapshot_store(
                account_pk=account.pk, snapshot=snapshot, as_of=as_of
            )
            audit_record_create(
                action="payments.account_connected",
                firm=firm,
                actor=user,
                target=account,
                detail={"stripe_account_id": stripe_account_id, "created_via": CreatedVia.OAUTH},
                request=request,
            )
    except IntegrityError:
        if PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=True).exists():
            raise AccountAlreadyConnected() from None
        raise AccountConnectedElsewhere() from None
    return account
