"""Building and changing account objects (shared by the API, the hosted
pages and the control calls)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from stripe_sandbox import errors, ids, objects
from stripe_sandbox.resources import account_state

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

CURRENCIES = {
    "US": "usd",
    "GB": "gbp",
    "CA": "cad",
    "AU": "aud",
    "NZ": "nzd",
    "IE": "eur",
    "FR": "eur",
    "DE": "eur",
    "NL": "eur",
    "ES": "eur",
    "IT": "eur",
    "JP": "jpy",
}
# Days before a payment can be paid out, by country (Stripe's standard).
PAYOUT_DELAY_DAYS = {"US": 2, "GB": 3, "CA": 2, "AU": 2, "JP": 4}
DASHBOARDS = {"standard": "full", "express": "express", "custom": "none"}
TYPES = {"full": "standard", "express": "express", "none": "custom"}


def dashboard_type(account: dict[str, Any]) -> str:
    """full, express or none. Accounts connected through OAuth carry no
    `stripe_dashboard` (they are not controlled by the platform): full."""
    return (account.get("controller") or {}).get("stripe_dashboard", {}).get("type", "full")


def controller_for(params: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The response's `controller` and the dashboard type, from `controller`
    properties or the deprecated `type`."""
    ctrl = params.get("controller") or {}
    dashboard = (ctrl.get("stripe_dashboard") or {}).get("type")
    if dashboard is None:
        dashboard = DASHBOARDS.get(params.get("type") or "standard", "full")
    full = dashboard == "full"
    controller = {
        "fees": {
            "payer": (ctrl.get("fees") or {}).get("payer") or ("account" if full else "application")
        },
        "is_controller": True,
        "losses": {
            "payments": (ctrl.get("losses") or {}).get("payments")
            or ("stripe" if full else "application")
        },
        "requirement_collection": ctrl.get("requirement_collection")
        or ("stripe" if dashboard != "none" else "application"),
        "stripe_dashboard": {"type": dashboard},
        "type": "application",
    }
    return controller, dashboard


def new_account(
    sb: Sandbox, params: dict[str, Any], *, connected: bool = True, account_id: str | None = None
) -> dict[str, Any]:
    country = (params.get("country") or "US").upper()
    controller, dashboard = controller_for(params)
    account = objects.build("account", now=sb.clock.now(), id=account_id)
    acct = account["id"]
    account.update(
        business_type=None,
        country=country,
        controller=controller,
        default_currency=params.get("default_currency") or CURRENCIES.get(country, "usd"),
        details_submitted=False,
        email=params.get("email"),
        metadata={},
        type=TYPES[dashboard],
        external_accounts={
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/accounts/{acct}/external_accounts",
        },
        tos_acceptance={"date": None, "ip": None, "user_agent": None},
        business_profile=objects.part("account", "business_profile"),
        settings=_settings(country),
    )
    st = account_state.state(account)
    st.update(connected=connected, dashboard=dashboard)
    requested = params.get("capabilities") or {
        "card_payments": {"requested": True},
        "transfers": {"requested": True},
    }
    request_capabilities(sb, account, requested)
    apply_update(sb, account, params)
    account_state.derive(account, sb.clock.now())
    return account


def _settings(country: str) -> dict[str, Any]:
    """What Stripe sets up for a new account: daily payouts after the
    country's delay, descriptors empty until the account sets them."""
    settings = objects.part("account", "settings")
    settings["dashboard"] = objects.part("account", "settings.dashboard", timezone="Etc/UTC")
    settings["payouts"] = objects.part(
        "account",
        "settings.payouts",
        debit_negative_balances=True,
        schedule=objects.part(
            "account",
            "settings.payouts.schedule",
            delay_days=PAYOUT_DELAY_DAYS.get(country, 2),
            interval="daily",
        ),
    )
    return settings


def _company_shape(company: dict[str, Any]) -> None:
    """What Stripe shows of a company: whole addresses, whether ids were
    provided (never the ids), and the document's four fields."""
    if "tax_id" in company:
        company["tax_id_provided"] = bool(company.pop("tax_id"))
    for flag in ("directors_provided", "executives_provided", "owners_provided"):
        company.setdefault(flag, False)
    company.setdefault("tax_id_provided", False)
    company.setdefault("vat_id_provided", False)
    company.setdefault("structure", None)
    if isinstance(company.get("address"), dict):
        company["address"] = {**dict.fromkeys(ADDRESS_KEYS), **company["address"]}
    document = (company.get("verification") or {}).get("document")
    if isinstance(document, dict):
        fields = {"back": None, "details": None, "details_code": None, "front": None}
        company["verification"]["document"] = {**fields, **document}


ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")


def request_capabilities(sb: Sandbox, account: dict[str, Any], caps: dict[str, Any]) -> None:
    st = account_state.state(account)
    for name, settings in caps.items():
        allowed = account_state.CAPABILITY_COUNTRIES.get(name)
        wants = bool((settings or {}).get("requested"))
        if wants and allowed and account["country"] not in allowed:
            raise errors.invalid_request(
                f"The capability {name} is not available for accounts in {account['country']}.",
                param=f"capabilities[{name}]",
            )
        if wants:
            st["requested"].setdefault(name, sb.clock.now())
        else:
            st["requested"].pop(name, None)


def deep_merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def apply_update(sb: Sandbox, account: dict[str, Any], params: dict[str, Any]) -> None:
    """Fields an update (API or hosted page) may set; filling a field is
    what clears its requirement."""
    from stripe_sandbox.api import metadata_merge

    for key in ("business_profile", "company", "settings", "individual"):
        if isinstance(params.get(key), dict):
            account[key] = deep_merge(account.get(key) or {}, params[key])
    if account.get("company"):
        _company_shape(account["company"])
        address = account["company"].get("address")
        if address and not address["country"]:
            address["country"] = account["country"]
    for key in ("business_type", "email", "default_currency"):
        if params.get(key) not in (None, ""):
            account[key] = params[key]
    if "metadata" in params:
        account["metadata"] = metadata_merge(account.get("metadata") or {}, params["metadata"])
    if params.get("tos_acceptance"):
        tos = params["tos_acceptance"]
        account["tos_acceptance"] = {
            "date": tos.get("date"),
            "ip": tos.get("ip"),
            "user_agent": tos.get("user_agent"),
        }
    if params.get("external_account"):
        add_bank_account(sb, account, params["external_account"])
    if params.get("capabilities") and "requested" in account_state.state(account):
        request_capabilities(sb, account, params["capabilities"])


def add_bank_account(sb: Sandbox, account: dict[str, Any], source: Any) -> dict[str, Any]:
    """A payout bank account from a token (`btok_...`) or raw details; it
    replaces the default one, as Stripe does."""
    details = source if isinstance(source, dict) else {}
    country = (details.get("country") or account["country"]).upper()
    number = str(details.get("account_number") or "000123456789")
    bank = objects.build(
        "bank_account",
        account=account["id"],
        account_holder_name=details.get("account_holder_name"),
        account_holder_type=details.get("account_holder_type") or "company",
        bank_name="STRIPE TEST BANK",
        country=country,
        currency=(details.get("currency") or account["default_currency"]).lower(),
        fingerprint=ids.random_token(16),
        last4=number[-4:],
        routing_number=details.get("routing_number")
        or ("108800" if country == "GB" else "110000000"),
        status="new",
        metadata={},
        default_for_currency=True,
        available_payout_methods=["standard"],
    )
    bank["customer"] = None
    account["external_accounts"]["data"] = [bank]
    return bank


def fill_for_verification(sb: Sandbox, account: dict[str, Any], ip: str = "127.0.0.1") -> None:
    """Sandbox defaults for every unmet requirement (control calls and
    accounts created as "existing and active")."""
    name = (
        account.get("business_profile", {}).get("name")
        or account.get("email")
        or "Sandbox business"
    )
    apply_update(
        sb,
        account,
        {
            "business_type": account.get("business_type") or "company",
            "company": {
                "name": (account.get("company") or {}).get("name") or name,
                "tax_id": "000000000",
                "phone": "+15555550100",
                "address": {"line1": "1 Test Street", "city": "Testville", "postal_code": "12345"},
                "verification": {"document": {"front": ids.new_id("file")}},
            },
            "business_profile": {"mcc": "8931", "url": "https://example.com"},
        },
    )
    if not account_state.lookup(account, "tos_acceptance.date"):
        account["tos_acceptance"] = {"date": sb.clock.now(), "ip": ip, "user_agent": None}
    if not account_state.lookup(account, "external_account"):
        add_bank_account(sb, account, {})
