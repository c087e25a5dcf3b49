"""Connecting Xero or QuickBooks Online: OAuth 2.0 with a single-use `state` bound to the
session, firm and user; choosing the organisation and the accounts; reconnecting; and
disconnecting (the vendor's token revoked). Only owners and admins get here (views)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.accounting.crypto import token_decrypt
from firmpay.accounting.exceptions import (
    ConnectFailed,
    ConnectionExists,
    ConnectionNotReady,
    OAuthDenied,
    OAuthStateInvalid,
    ProviderNotConfigured,
    ScopeRefused,
)
from firmpay.accounting.models import (
    LIVE_STATUSES,
    AccountingConnection,
    ConnectionStatus,
    OAuthState,
    RemoteKind,
    RemoteRecord,
    SyncItem,
    SyncStatus,
)
from firmpay.accounting.providers import provider_for, vendor_available
from firmpay.accounting.providers.base import ApiContext, LedgerAccount, ProviderError, TaxRate
from firmpay.accounting.ratelimit import provider_gate
from firmpay.accounting.services.outbox import connection_backlog_release
from firmpay.accounting.services.tokens import connection_access_token, tokens_store
from firmpay.core.audit import audit_record_create
from firmpay.core.oauth_state import session_key_hash, state_consume, state_hash, state_new

logger = logging.getLogger(__name__)
STATE_TTL = timedelta(minutes=10)
DEFAULT_INVOICE_PREFIX = "FP-"
PREFIX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{0,9}")
# What the vendor's consent page sends back when the app may not ask for these scopes.
SCOPE_ERRORS = {"invalid_scope", "unauthorized_client"}


def _scope_message(vendor: str, error: str) -> str:
    if vendor != "xero":
        return (
            f"QuickBooks refused the permissions Firmpay asked for ({error}). The operator "
            "must enable the Accounting scope for this app in the Intuit developer portal."
        )
    return (
        f"Xero refused the permissions Firmpay asked for ({error}): this Firmpay server asks "
        f"for “{settings.XERO_SCOPES}”. Xero apps created on or after 2 March 2026 can only "
        "have granular scopes (accounting.invoices, accounting.payments, accounting.contacts, "
        "accounting.settings.read); older apps the broad accounting.transactions. The "
        "operator must set XERO_SCOPES to the scopes this Xero app has and restart Firmpay."
    )


def _live(firm) -> AccountingConnection | None:
    return AccountingConnection.objects.filter(firm=firm, status__in=LIVE_STATUSES).first()


def oauth_start(*, firm, user, session, vendor: str, redirect_uri: str) -> str:
    """The vendor's authorize URL with a fresh single-use state (10 minutes)."""
    provider = provider_for(vendor)
    if not vendor_available(vendor):
        raise ProviderNotConfigured()
    current = _live(firm)
    if current is not None and current.vendor != vendor:
        raise ConnectionExists()
    state = state_new()
    OAuthState.objects.create(
        state_hash=state_hash(state),
        firm=firm,
        user=user,
        vendor=vendor,
        session_key_hash=session_key_hash(session),
        redirect_uri=redirect_uri,
        expires_at=timezone.now() + STATE_TTL,
    )
    return provider.authorize_url(state=state, redirect_uri=redirect_uri)


def _state_consume(*, state: str, vendor: str, firm, user, session) -> OAuthState:
    row = state_consume(
        OAuthState.objects, state, firm=firm, user=user, session=session, vendor=vendor
    )
    if row is None:
        raise OAuthStateInvalid()
    return row


def oauth_complete(
    *,
    firm,
    user,
    session,
    vendor: str,
    state: str,
    code: str = "",
    error: str = "",
    realm_id: str = "",
    request=None,
) -> AccountingConnection:
    """Finish the callback: tokens stored encrypted, organisations listed. A new connection
    waits in Finishing setup; a reconnection of the same organisation is live again at once
    and its backlog drains."""
    row = _state_consume(state=state, vendor=vendor, firm=firm, user=user, session=session)
    if error in SCOPE_ERRORS:
        raise ScopeRefused(_scope_message(vendor, error))
    if error:
        raise OAuthDenied()
    if not code:
        raise ConnectFailed()
    provider = provider_for(vendor)
    try:
        tokens = provider.exchange_code(code=code, redirect_uri=row.redirect_uri)
        organisations = provider.organisations(
            access_token=tokens.access_token, callback={"realmId": realm_id}
        )
    except ProviderError as exc:
        logger.warning("accounting connect failed for firm %s: %s", firm.pk, exc.message)
        raise ConnectFailed() from exc
    if not organisations:
        raise ConnectFailed("No organisation was shared with Firmpay. Please connect again.")
    choices = [{"id": org.id, "name": org.name, "country": org.country} for org in organisations]
    with transaction.atomic():
        current = _live(firm)
        if current is not None:
            current = AccountingConnection.objects.select_for_update().get(pk=current.pk)
            if current.vendor != vendor:
                raise ConnectionExists()
            return _reconnect(current, tokens, choices, user=user, request=request)
        connection = AccountingConnection(
            firm=firm,
            vendor=vendor,
            org_choices=choices,
            invoice_prefix=DEFAULT_INVOICE_PREFIX,
        )
        if not provider.picks_organisation or len(choices) == 1:
            connection.org_id, connection.org_name = choices[0]["id"], choices[0]["name"]
            connection.country = choices[0]["country"]
        tokens_store(connection, tokens)
        try:
            with transaction.atomic():
                connection.save()
        except IntegrityError:
            raise ConnectionExists() from None
    return connection


def _reconnect(connection, tokens, choices, *, user, request) -> AccountingConnection:
    tokens_store(connection, tokens)
    connection.org_choices = choices
    granted = {choice["id"] for choice in choices}
    if connection.status == ConnectionStatus.SETUP:
        connection.save()
        return connection
    if connection.org_id not in granted:
        raise ConnectFailed(
            f"Reconnect to {connection.org_name}: that organisation was not shared this time."
        )
    connection.status = ConnectionStatus.CONNECTED
    connection.last_error, connection.last_error_at = "", None
    connection.save()
    audit_record_create(
        action="accounting.reconnected",
        firm=connection.firm,
        actor=user,
        target=connection,
        detail={"vendor": connection.vendor, "organisation": connection.org_name},
        request=request,
    )
    connection_backlog_release(connection=connection)
    return connection


def connection_organisation_choose(*, connection: AccountingConnection, org_id: str):
    if connection.status != ConnectionStatus.SETUP:
        raise ConnectionNotReady("This connection is already set up.")
    for choice in connection.org_choices:
        if choice["id"] == org_id:
            connection.org_id, connection.org_name = choice["id"], choice["name"]
            connection.country = choice.get("country", "")
            connection.save(update_fields=["org_id", "org_name", "country", "updated_at"])
            return connection
    raise ConnectionNotReady("Choose one of the organisations you shared.")


def _ctx(connection: AccountingConnection, provider) -> ApiContext:
    if not connection.org_id:
        raise ConnectionNotReady("Choose the organisation first.")
    return ApiContext(
        access_token=connection_access_token(connection=connection),
        org_id=connection.org_id,
        gate=provider_gate(provider, connection.rate_key),
    )


def connection_accounts(*, connection: AccountingConnection) -> list[LedgerAccount]:
    """The organisation's chart of accounts, from the vendor."""
    provider = provider_for(connection.vendor)
    return provider.accounts(ctx=_ctx(connection, provider))


def connection_tax_rates(*, connection: AccountingConnection) -> list[TaxRate]:
    """The tax rates (Xero) / tax codes (QuickBooks) the organisation offers for sales."""
    provider = provider_for(connection.vendor)
    return provider.tax_rates(ctx=_ctx(connection, provider))


def connection_needs_tax_codes(*, connection: AccountingConnection) -> bool:
    return provider_for(connection.vendor).needs_tax_codes(country=connection.country)


def _prefix_check(connection: AccountingConnection, prefix: str) -> str:
    """The firm's invoice number prefix, refused when the ledger already numbers invoices
    with it (checked before the first sync, i.e. while nothing of ours is there)."""
    prefix = prefix.strip()
    ours = RemoteRecord.objects.filter(connection=connection, kind=RemoteKind.INVOICE).exists()
    if prefix == connection.invoice_prefix and ours:
        return prefix
    if not PREFIX_RE.fullmatch(prefix):
        raise ConnectionNotReady(
            "Choose an invoice number prefix of 1 to 10 letters, digits or dashes, e.g. FP-."
        )
    provider = provider_for(connection.vendor)
    taken = provider.invoice_numbers_with_prefix(ctx=_ctx(connection, provider), prefix=prefix)
    if taken:
        raise ConnectionNotReady(
            f"{connection.org_name} already has invoices numbered {prefix}… (e.g. {taken[0]}) "
            f"in {provider.name}: choose another prefix so numbers never collide."
        )
    return prefix


def _tax_choice(rates: list[TaxRate], code: str, what: str) -> TaxRate | None:
    if not code:
        return None
    for rate in rates:
        if rate.code == code:
            return rate
    raise ConnectionNotReady(f"Choose one of the ledger's tax rates for {what}.")


def _tax_apply(connection, *, rates, tax_code: str, tax_code_zero: str, required: bool) -> None:
    taxed = _tax_choice(rates, tax_code, "taxed lines")
    untaxed = _tax_choice(rates, tax_code_zero, "lines without tax")
    if required and (taxed is None or untaxed is None):
        raise ConnectionNotReady(
            f"{connection.org_name} needs a tax code on every invoice line: choose one for "
            "taxed lines and one for lines without tax."
        )
    connection.tax_code, connection.tax_code_name = (taxed.code, taxed.label) if taxed else ("", "")
    connection.tax_code_zero, connection.tax_code_zero_name = (
        (untaxed.code, untaxed.label) if untaxed else ("", "")
    )


def connection_accounts_choose(
    *,
    connection: AccountingConnection,
    accounts: list[LedgerAccount],
    payment_account_id: str,
    income_account_id: str,
    user,
    tax_rates: list[TaxRate] | None = None,
    tax_code: str = "",
    tax_code_zero: str = "",
    invoice_prefix: str | None = None,
    request=None,
) -> AccountingConnection:
    """Payments post to a bank/clearing account; invoice lines to an income account, with
    the ledger's tax rate for taxed and untaxed lines (required outside the US on
    QuickBooks), numbered with the firm's prefix (checked against the ledger). Then the
    connection is live and anything waiting for it drains."""
    by_id = {account.id: account for account in accounts}
    payment, income = by_id.get(payment_account_id), by_id.get(income_account_id)
    if payment is None or payment.kind != "bank":
        raise ConnectionNotReady("Choose a bank or clearing account for payments.")
    if income is None or income.kind != "income":
        raise ConnectionNotReady("Choose an income account for invoice lines.")
    _tax_apply(
        connection,
        rates=tax_rates or [],
        tax_code=tax_code,
        tax_code_zero=tax_code_zero,
        required=connection_needs_tax_codes(connection=connection),
    )
    prefix = _prefix_check(
        connection,
        connection.invoice_prefix if invoice_prefix is None else invoice_prefix,
    )
    with transaction.atomic():
        locked = AccountingConnection.objects.select_for_update().get(pk=connection.pk)
        if locked.status not in (ConnectionStatus.SETUP, ConnectionStatus.CONNECTED):
            raise ConnectionNotReady("Reconnect before changing accounts.")
        first_time = locked.status == ConnectionStatus.SETUP
        for field in ("tax_code", "tax_code_name", "tax_code_zero", "tax_code_zero_name"):
            setattr(locked, field, getattr(connection, field))
        connection = locked
        connection.invoice_prefix = prefix
        connection.payment_account_id = payment.id
        connection.payment_account_code = payment.code
        connection.payment_account_name = payment.name
        connection.income_account_id = income.id
        connection.income_account_code = income.code
        connection.income_account_name = income.name
        connection.status = ConnectionStatus.CONNECTED
        if first_time:
            connection.connected_at, connection.connected_by = timezone.now(), user
        connection.save()
        audit_record_create(
            action="accounting.connected" if first_time else "accounting.accounts_changed",
            firm=connection.firm,
            actor=user,
            target=connection,
            detail={
                "vendor": connection.vendor,
                "organisation": connection.org_name,
                "payment_account": payment.label,
                "income_account": income.label,
                "tax": [connection.tax_code_name, connection.tax_code_zero_name],
                "invoice_prefix": prefix,
            },
            request=request,
        )
        connection_backlog_release(connection=connection)
    return connection


def connection_disconnect(*, connection: AccountingConnection, user, request=None) -> None:
    """Stop syncing, forget the tokens, and revoke them at the vendor (best effort: the
    firm is disconnected here whatever the vendor answers)."""
    with transaction.atomic():
        connection = AccountingConnection.objects.select_for_update().get(pk=connection.pk)
        if connection.status == ConnectionStatus.DISCONNECTED:
            return
        refresh_token = token_decrypt(connection.refresh_token_enc)
        connection.status = ConnectionStatus.DISCONNECTED
        connection.disconnected_at = timezone.now()
        connection.access_token_enc = connection.refresh_token_enc = ""
        connection.save()
        SyncItem.objects.filter(
            connection=connection,
            status__in=[SyncStatus.PENDING, SyncStatus.BLOCKED, SyncStatus.FAILED],
        ).update(status=SyncStatus.CANCELLED)
        audit_record_create(
            action="accounting.disconnected",
            firm=connection.firm,
            actor=user,
            target=connection,
            detail={"vendor": connection.vendor, "organisation": connection.org_name},
            request=request,
        )
    if refresh_token:
        try:
            provider_for(connection.vendor).revoke(refresh_token=refresh_token)
        except ProviderError as exc:
            logger.warning("revoking the %s token failed: %s", connection.vendor, exc.message)
