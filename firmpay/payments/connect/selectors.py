"""Reads of the payments app. Every read of firm data takes `firm=`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from firmpay.payments.connect.methods import (
    AccountPaymentMethods,
    MethodOff,
    account_payment_methods,
)
from firmpay.payments.models import CreatedVia, PaymentAccount, StripeEvent, StripeEventStatus
from firmpay.payments.stripe.client import dashboard_base_url
from firmpay.payments.stripe.dataclasses import AccountSnapshot
from firmpay.payments.stripe.endpoints import PINNED_API_VERSION
from firmpay.payments.stripe.requirements import requirement_label
from firmpay.payments.stripe.status import (
    IntegrationStatus,
    PayoutsStatus,
    disabled_reason_label,
    integration_status,
    payouts_status,
)


def payment_account_for_firm(*, firm) -> PaymentAccount | None:
    """The firm's connected account (active, with a Stripe id), or None. A platform row
    still waiting for Stripe's answer is not connected: creating again resumes it."""
    return (
        PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=True)
        .exclude(stripe_account_id="")
        .first()
    )


def payment_account_snapshot(*, account: PaymentAccount | None) -> AccountSnapshot | None:
    """The stored snapshot of a connected account; None when not connected."""
    if account is None or not account.is_connected or not account.snapshot:
        return None
    return AccountSnapshot.from_dict(account.snapshot)


def payment_account_can_take_charges(*, firm) -> bool:
    """May a new payment start for this firm? Connected, not disconnected, charges enabled."""
    return (
        PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=True, charges_enabled=True)
        .exclude(stripe_account_id="")
        .exists()
    )


@dataclass(frozen=True)
class PaymentCard:
    """What the Stripe card on Settings → Integrations shows."""

    account: PaymentAccount | None
    status: IntegrationStatus
    payouts: PayoutsStatus | None  # None when not connected
    created_via: str  # platform | oauth | ""
    firm_can_disconnect: bool  # oauth-connected: the ⋯ menu disconnects; else "contact support"
    can_continue_setup: bool  # platform-created and something is due / not submitted
    methods: AccountPaymentMethods | None = None  # None when not connected


def payment_card(*, firm) -> PaymentCard:
    account = payment_account_for_firm(firm=firm)
    snapshot = payment_account_snapshot(account=account)
    status = integration_status(snapshot)
    payouts = (
        payouts_status(snapshot, account.payouts_were_enabled) if snapshot is not None else None
    )
    created_via = account.created_via if account else ""
    due = snapshot is not None and (
        not snapshot.details_submitted
        or snapshot.requirements.currently_due
        or snapshot.requirements.past_due
        or snapshot.requirements.eventually_due
    )
    return PaymentCard(
        account=account if snapshot is not None else None,
        status=status,
        payouts=payouts,
        created_via=created_via,
        firm_can_disconnect=created_via == CreatedVia.OAUTH,
        can_continue_setup=created_via == CreatedVia.PLATFORM and bool(due),
        methods=account_payment_methods(snapshot=snapshot) if snapshot is not None else None,
    )


@dataclass(frozen=True)
class RequirementRow:
    key: str  # Stripe's key, e.g. company.tax_id
    label: str  # "Company tax ID"
    state: str  # past_due | currently_due | eventually_due | pending_verification
    state_label: str  # "Overdue" (or "Needed" before any submission) | "Due" | "Due later" | ...
    deadline: datetime | None
    error: str  # Stripe's reason when it rejected what was given
    tone: str = "warn"  # badge colour: bad | warn | open


REQUIREMENT_STATES = [
    ("past_due", "Overdue"),
    ("currently_due", "Due"),
    ("eventually_due", "Due later"),
    ("pending_verification", "Being verified"),
]
REQUIREMENT_TONES = {"past_due": "bad", "pending_verification": "open"}
# Until onboarding is submitted once, Stripe lists everything as past_due: a brand-new
# account is not late, it has simply not started.
NOT_YET_SUBMITTED = ("Needed", "warn")


def requirement_rows(snapshot: AccountSnapshot) -> list[RequirementRow]:
    """One row per requirement key, at its most urgent state, labels deduplicated."""
    req = snapshot.requirements
    errors = {error.requirement: error.reason for error in req.errors}
    rows, seen_keys, seen_labels = [], set(), set()
    for state, state_label in REQUIREMENT_STATES:
        for key in getattr(req, state):
            label = requirement_label(key)
            if key in seen_keys or (label, state) in seen_labels:
                seen_keys.add(key)
                continue
            seen_keys.add(key)
            seen_labels.add((label, state))
            deadline = req.current_deadline if state in ("past_due", "currently_due") else None
            if state == "eventually_due":
                deadline = snapshot.future_requirements.current_deadline
            shown = (state_label, REQUIREMENT_TONES.get(state, "warn"))
            if state == "past_due" and not snapshot.details_submitted:
                shown = NOT_YET_SUBMITTED
            rows.append(
                RequirementRow(key, label, state, shown[0], deadline, errors.get(key, ""), shown[1])
            )
    return rows


@dataclass(frozen=True)
class PaymentAccountPanel:
    """Everything the Manage panel shows."""

    account: PaymentAccount
    stripe_account_id: str
    business_name: str
    country: str
    default_currency: str
    email: str
    live_methods: list[str]  # ["Card", "ACH direct debit", "Bacs direct debit"]
    methods_off: list[MethodOff]  # the country's bank debit when it is not on
    status: IntegrationStatus
    payouts: PayoutsStatus
    requirements: list[RequirementRow]
    disabled_reason: str  # readable, "" when none
    dashboard: str  # full | express | none
    # Full dashboard / sandbox: a plain URL. Express: None; link to a view that calls
    # services.payment_account_dashboard_link (login links are single use).
    dashboard_url: str | None
    can_continue_setup: bool
    firm_can_disconnect: bool
    refreshed_at: datetime | None
    extra: dict = field(default_factory=dict)


def payment_account_panel(*, account: PaymentAccount) -> PaymentAccountPanel:
    snapshot = payment_account_snapshot(account=account) or AccountSnapshot(
        id=account.stripe_account_id
    )
    requirements = requirement_rows(snapshot)
    status = integration_status(snapshot)
    due = not snapshot.details_submitted or any(
        row.state != "pending_verification" for row in requirements
    )
    return PaymentAccountPanel(
        account=account,
        stripe_account_id=account.stripe_account_id,
        business_name=snapshot.business_name,
        country=snapshot.country,
        default_currency=snapshot.default_currency,
        email=snapshot.email,
        live_methods=snapshot.capabilities.live_methods(),
        methods_off=account_payment_methods(snapshot=snapshot).off,
        status=status,
        payouts=payouts_status(snapshot, account.payouts_were_enabled),
        requirements=requirements,
        disabled_reason=disabled_reason_label(snapshot.requirements.disabled_reason),
        dashboard=snapshot.dashboard,
        dashboard_url=_dashboard_url(account, snapshot),
        can_continue_setup=account.created_via == CreatedVia.PLATFORM and due,
        firm_can_disconnect=account.created_via == CreatedVia.OAUTH,
        refreshed_at=account.snapshot_at,
    )


def _dashboard_url(account: PaymentAccount, snapshot: AccountSnapshot) -> str | None:
    if snapshot.dashboard == "express":
        return None
    return dashboard_base_url() + account.stripe_account_id


# --- support back office (Django staff only; the view checks) -------------------------


@dataclass(frozen=True)
class SupportFirmRow:
    firm: object  # tenancy.Firm
    account: PaymentAccount | None  # the active one
    past_accounts: list[PaymentAccount]  # disconnected, newest first


def support_firms_with_accounts() -> list[SupportFirmRow]:
    """Every firm that has or had a payment account, by name, for /support/."""
    rows: dict[int, SupportFirmRow] = {}
    accounts = PaymentAccount.objects.select_related("firm", "disconnected_by").order_by(
        "firm__name", "firm_id", "-created_at"
    )
    for account in accounts:
        row = rows.setdefault(account.firm_id, SupportFirmRow(account.firm, None, []))
        if account.disconnected_at is None:
            rows[account.firm_id] = SupportFirmRow(row.firm, account, row.past_accounts)
        else:
            row.past_accounts.append(account)
    return list(rows.values())


def support_payment_account(*, account_id: int) -> PaymentAccount:
    return PaymentAccount.objects.select_related("firm").get(pk=account_id)


def stripe_events_recent(
    *, status: str | None = None, account_id: str | None = None, limit: int = 100
):
    """Stored events, newest first, for the support back office."""
    events = StripeEvent.objects.defer("payload").order_by("-received_at")
    if status:
        events = events.filter(status=status)
    if account_id:
        events = events.filter(account_id=account_id)
    return events[:limit]


@dataclass(frozen=True)
class FlaggedEvent:
    event_id: str
    type: str
    account_id: str
    received_at: datetime
    api_version: str  # the version Stripe sent it in


def stripe_api_version() -> str:
    """The Stripe API version Firmpay reads (the SDK's pinned version)."""
    return PINNED_API_VERSION


def stripe_events_flagged(*, limit: int = 100) -> list[FlaggedEvent]:
    """Events kept but not read (another API version), newest first, with their version."""
    rows = StripeEvent.objects.filter(status=StripeEventStatus.FLAGGED).order_by("-received_at")
    flagged = []
    for row in rows[:limit]:
        try:
            version = json.loads(row.payload).get("api_version") or ""
        except ValueError:
            version = ""
        flagged.append(
            FlaggedEvent(row.event_id, row.type, row.account_id, row.received_at, str(version))
        )
    return flagged
