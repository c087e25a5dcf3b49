"""Xero's state in the store: organisations, the sandbox user's connections, and helpers
shared by the Accounting API modules (dates, money, ids)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from accounting_sandbox.ids import new_uuid

if TYPE_CHECKING:
    from accounting_sandbox.sandbox import Sandbox

X = "xero"
USER = "5c1b0b9d-0f8e-4bb3-9f6f-5a7d0c1e2b3a"  # the one sandbox user who signs in
USER_EMAIL = "owner@sandbox.xero.test"
CENT = Decimal("0.01")
GRANULAR_SINCE = dt.date(2026, 3, 2)
BASIC = {"openid", "profile", "email", "offline_access"}
GRANULAR = {
    "accounting.contacts",
    "accounting.contacts.read",
    "accounting.settings",
    "accounting.settings.read",
    "accounting.invoices",
    "accounting.invoices.read",
    "accounting.payments",
    "accounting.payments.read",
    "accounting.banktransactions",
    "accounting.banktransactions.read",
    "accounting.manualjournals",
    "accounting.manualjournals.read",
    "accounting.attachments",
    "accounting.attachments.read",
    "accounting.journals.read",
    "accounting.budgets.read",
    "accounting.reports.aged.read",
    "accounting.reports.balancesheet.read",
    "accounting.reports.profitandloss.read",
    "accounting.reports.trialbalance.read",
}
BROAD = {"accounting.transactions", "accounting.transactions.read", "accounting.reports.read"}


def app_is_granular(sb: Sandbox) -> bool:
    return dt.date.fromisoformat(sb.config.xero_app_created) >= GRANULAR_SINCE


def scope_problem(sb: Sandbox, scopes: list[str]) -> str:
    """Why this app cannot have these scopes, or ""."""
    allowed = BASIC | GRANULAR | (set() if app_is_granular(sb) else BROAD)
    refused = [s for s in scopes if s not in allowed]
    if not refused:
        return ""
    if set(refused) & BROAD:
        return (
            f"Invalid scope for client: {' '.join(refused)} (apps created on or after "
            "2 March 2026 use granular scopes)"
        )
    return f"Invalid scope for client: {' '.join(refused)}"


# -- time and money -------------------------------------------------------------------------
def today(sb: Sandbox) -> dt.date:
    return dt.datetime.fromtimestamp(sb.clock.now(), dt.UTC).date()


def msdate(day: dt.date | str) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def msnow(sb: Sandbox) -> str:
    return f"/Date({sb.clock.now() * 1000}+0000)/"


def isonow(sb: Sandbox) -> str:
    return dt.datetime.fromtimestamp(sb.clock.now(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0")


def parse_date(value: str | None) -> str | None:
    """Request dates ("2026-05-01", "2026-05-01T00:00:00", "/Date(ms+0000)/") as ISO dates."""
    if not value:
        return None
    if value.startswith("/Date("):
        ms = int(value[6:].split("+")[0].split("-")[0].rstrip(")/"))
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat()
    return value[:10]


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


# -- organisations and connections ------------------------------------------------------------
def org_create(
    sb: Sandbox,
    *,
    name: str,
    country: str = "GB",
    currency: str = "GBP",
    tenant_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    tenant = tenant_id or new_uuid()
    version = {"GB": "UK", "US": "US", "AU": "AU", "NZ": "NZ"}.get(country, "GLOBAL")
    org = {
        "_tenant": tenant,
        "OrganisationID": new_uuid(),
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": currency,
        "CountryCode": country,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "ShortCode": "!" + tenant[:5],
        "_next_invoice": 1,
        **extra,
    }
    sb.store.put(X, "", "org", tenant, org)
    return org


def orgs(sb: Sandbox) -> list[dict[str, Any]]:
    return sb.store.all(X, "", "org")


def org(sb: Sandbox, tenant: str) -> dict[str, Any] | None:
    return sb.store.get(X, "", "org", tenant)


def connections_of(sb: Sandbox, *, user: str, client_id: str) -> list[dict[str, Any]]:
    return sb.store.all(
        X, "", "connection", lambda c: c["user"] == user and c["client_id"] == client_id
    )


def connect(sb: Sandbox, *, user: str, client_id: str, tenant: str, auth_event_id: str) -> dict:
    found = [
        c for c in connections_of(sb, user=user, client_id=client_id) if c["tenantId"] == tenant
    ]
    now = isonow(sb)
    if found:
        conn = found[0]
        conn.update(authEventId=auth_event_id, updatedDateUtc=now)
    else:
        the_org = org(sb, tenant)
        conn = {
            "id": new_uuid(),
            "authEventId": auth_event_id,
            "tenantId": tenant,
            "tenantType": "ORGANISATION",
            "tenantName": the_org["Name"],
            "createdDateUtc": now,
            "updatedDateUtc": now,
            "user": user,
            "client_id": client_id,
        }
    return sb.store.put(X, "", "connection", conn["id"], conn)


def connected(sb: Sandbox, grant: dict[str, Any], tenant: str) -> bool:
    return any(
        c["tenantId"] == tenant
        for c in connections_of(sb, user=grant["user"], client_id=grant["client_id"])
    )


def public_connection(conn: dict[str, Any]) -> dict[str, Any]:
    return {
        k: conn[k]
        for k in (
            "id",
            "authEventId",
            "tenantId",
            "tenantType",
            "tenantName",
            "createdDateUtc",
            "updatedDateUtc",
        )
    }
