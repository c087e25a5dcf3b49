"""Stripe objects (as plain JSON dicts) → our dataclasses. One table per concept.

Takes dicts, not StripeObjects, so the same mapping serves API responses
(`obj.to_dict()`), event payloads and fixtures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from firmpay.payments.stripe.dataclasses import (
    AccountSnapshot,
    Capabilities,
    EventEnvelope,
    RequirementError,
    Requirements,
)

# Stripe capability name → our Capabilities field.
CAPABILITY_FIELDS = {
    "card_payments": "card",
    "us_bank_account_ach_payments": "ach",
    "bacs_debit_payments": "bacs",
    "transfers": "transfers",
}

# Legacy `type` → dashboard, for accounts without `controller.stripe_dashboard`.
DASHBOARD_BY_LEGACY_TYPE = {"standard": "full", "express": "express", "custom": "none"}

# `controller.type` → how the account came to Firmpay: `application` means the platform
# controls it (we created it); `account` means it controls itself (connected via OAuth).
CREATED_VIA_BY_CONTROLLER_TYPE = {"application": "platform", "account": "oauth"}


def from_timestamp(value) -> datetime | None:
    if value in (None, "", 0):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def requirements_from_stripe(data: Mapping | None) -> Requirements:
    data = data or {}
    return Requirements(
        currently_due=tuple(data.get("currently_due") or ()),
        eventually_due=tuple(data.get("eventually_due") or ()),
        past_due=tuple(data.get("past_due") or ()),
        pending_verification=tuple(data.get("pending_verification") or ()),
        current_deadline=from_timestamp(data.get("current_deadline")),
        disabled_reason=data.get("disabled_reason") or None,
        errors=tuple(
            RequirementError(
                requirement=error.get("requirement", ""),
                code=error.get("code", ""),
                reason=error.get("reason", ""),
            )
            for error in data.get("errors") or ()
        ),
    )


def capabilities_from_stripe(data: Mapping | None) -> Capabilities:
    values = {}
    for stripe_name, value in (data or {}).items():
        ours = CAPABILITY_FIELDS.get(stripe_name)
        if ours:
            # Expanded capability objects carry `status`; the account object has the string.
            values[ours] = value.get("status") if isinstance(value, Mapping) else value
    return Capabilities(**values)


def dashboard_from_stripe(account: Mapping) -> str:
    controller = account.get("controller") or {}
    dashboard = (controller.get("stripe_dashboard") or {}).get("type")
    if dashboard in {"full", "express", "none"}:
        return dashboard
    return DASHBOARD_BY_LEGACY_TYPE.get(account.get("type") or "", "full")


def created_via_from_stripe(account: Mapping) -> str:
    controller = account.get("controller") or {}
    if controller.get("is_controller") is True:
        return "platform"
    return CREATED_VIA_BY_CONTROLLER_TYPE.get(controller.get("type") or "", "oauth")


def business_name_from_stripe(account: Mapping) -> str:
    profile = account.get("business_profile") or {}
    company = account.get("company") or {}
    dashboard = (account.get("settings") or {}).get("dashboard") or {}
    individual = account.get("individual") or {}
    person = " ".join(
        part for part in (individual.get("first_name"), individual.get("last_name")) if part
    )
    return (
        profile.get("name") or company.get("name") or dashboard.get("display_name") or person or ""
    )


def account_snapshot_from_stripe(account: Mapping) -> AccountSnapshot:
    return AccountSnapshot(
        id=account["id"],
        business_name=business_name_from_stripe(account),
        country=(account.get("country") or "").upper(),
        default_currency=(account.get("default_currency") or "").upper(),
        email=account.get("email") or "",
        charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
        requirements=requirements_from_stripe(account.get("requirements")),
        future_requirements=requirements_from_stripe(account.get("future_requirements")),
        capabilities=capabilities_from_stripe(account.get("capabilities")),
        dashboard=dashboard_from_stripe(account),
        created_via=created_via_from_stripe(account),
    )


def event_envelope_from_payload(
    payload: str | bytes, received_at: datetime | None = None
) -> EventEnvelope:
    data = json.loads(payload)
    body = data.get("data") or {}
    return EventEnvelope(
        id=data["id"],
        type=data["type"],
        account=data.get("account") or "",
        created=from_timestamp(data.get("created")) or datetime.now(tz=UTC),
        livemode=bool(data.get("livemode")),
        object=body.get("object") or {},
        previous_attributes=body.get("previous_attributes") or {},
        received_at=received_at,
        api_version=data.get("api_version") or "",
    )
