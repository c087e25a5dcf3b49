"""Steps against the accounting sandbox (a local Xero and QuickBooks over HTTP, with the
vendors' rules and schemas) instead of the respx fakes: consent through its pages (posted
without a browser), then Firmpay's own views for the organisation, accounts and tax."""

from __future__ import annotations

from django.urls import reverse

from firmpay.accounting.models import AccountingConnection
from firmpay.accounting.services import connection_accounts, connection_tax_rates
from firmpay.accounting.tests.flows import SETUP, start_oauth


def point_at(settings, sandbox) -> None:
    settings.ACCOUNTING_TOKEN_KEY = "test-accounting-key"
    for name, value in sandbox.settings().items():
        setattr(settings, name, value)
    rate_budgets_forget(settings)


def rate_budgets_forget(settings) -> None:
    """Every test starts on a fresh sandbox whose organisations have fixed ids: our own
    limiter's Redis budgets (per organisation, per minute) from earlier tests are not this
    test's (without Redis the buckets are database rows, rolled back with each test)."""
    if not settings.REDIS_URL:
        return
    from firmpay.accounting.ratelimit import _redis_limiter

    redis = _redis_limiter().redis
    keys = list(redis.scan_iter("firmpay:acct:*"))
    if keys:
        redis.delete(*keys)


def _pick(options, *, name: str):
    return next(option for option in options if name in option.label)


def connect(browser_client, sandbox, vendor: str, org: str, **choices) -> AccountingConnection:
    """Consent to `org` (tenant or realm id) and finish setup. `choices`: payment (an
    account name), income, tax (a tax name), tax_zero, invoice_prefix."""
    params = start_oauth(browser_client, vendor)
    answer = sandbox.consent(
        vendor,
        redirect_uri=params["redirect_uri"],
        scope=params["scope"],
        state=params["state"],
        choose=[org],
    )
    response = browser_client.get(reverse(f"accounting:{vendor}_callback"), answer)
    assert response["Location"] == SETUP, response["Location"]
    connection = AccountingConnection.objects.exclude(status="disconnected").get(vendor=vendor)
    if not connection.org_id:
        browser_client.post(SETUP, {"org_id": org})
        connection.refresh_from_db()
    accounts = connection_accounts(connection=connection)
    rates = connection_tax_rates(connection=connection)
    form = {
        "payment_account": _pick(accounts, name=choices.get("payment", "Stripe Clearing")).id,
        "income_account": _pick(accounts, name=choices.get("income", "Sales")).id,
        "invoice_prefix": choices.get("invoice_prefix", "FP-"),
    }
    for field, key in (("tax_code", "tax"), ("tax_code_zero", "tax_zero")):
        if key in choices:
            form[field] = _pick(rates, name=choices[key]).code
    response = browser_client.post(SETUP, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.refresh_from_db()
    return connection
