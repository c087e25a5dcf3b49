"""THE mapping from an account snapshot to what the Stripe card shows.

Pure functions, table-driven tests. The integration status follows DESIGN.md's table:
the first row that matches, top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from firmpay.payments.stripe.dataclasses import AccountSnapshot

NOT_CONNECTED = "not_connected"
INCOMPLETE = "incomplete"
ACTION_REQUIRED = "action_required"
UNDER_REVIEW = "under_review"
ACTIVE = "active"

LABELS = {
    NOT_CONNECTED: "Not connected",
    INCOMPLETE: "Incomplete",
    ACTION_REQUIRED: "Action required",
    UNDER_REVIEW: "Under review",
    ACTIVE: "Active",
}

# disabled_reason values that mean "Stripe is checking", not "the firm must act".
REVIEW_REASONS = frozenset({"requirements.pending_verification", "under_review"})

# Stripe's requirements.disabled_reason → words a firm understands.
DISABLED_REASON_LABELS = {
    "action_required.requested_capabilities": "Stripe needs more information to turn on the requested payment methods",
    "listed": "Stripe is reviewing the account against its restricted lists",
    "other": "Stripe has restricted the account",
    "platform_paused": "Firmpay has paused this account",
    "rejected.fraud": "Stripe rejected the account (suspected fraud)",
    "rejected.incomplete_verification": "Stripe rejected the account (verification was not completed in time)",
    "rejected.listed": "Stripe rejected the account (restricted lists)",
    "rejected.other": "Stripe rejected the account",
    "rejected.platform_fraud": "Firmpay rejected the account (suspected fraud)",
    "rejected.platform_other": "Firmpay rejected the account",
    "rejected.platform_terms_of_service": "Firmpay rejected the account (terms of service)",
    "rejected.terms_of_service": "Stripe rejected the account (terms of service)",
    "requirements.past_due": "Required information is overdue",
    "requirements.pending_verification": "Stripe is verifying the information provided",
    "under_review": "Stripe is reviewing the account",
}

# Reasons the firm cannot fix by giving Stripe more information.
NOT_FIXABLE_BY_FIRM = frozenset({"platform_paused", "listed", "other"})


def disabled_reason_label(reason: str | None) -> str:
    if not reason:
        return ""
    return DISABLED_REASON_LABELS.get(
        reason, reason.replace("_", " ").replace(".", ": ").capitalize()
    )


def is_rejected(reason: str | None) -> bool:
    return bool(reason) and reason.startswith("rejected.")


@dataclass(frozen=True)
class IntegrationStatus:
    code: str  # one of the module constants
    label: str
    message: str  # what is wrong / what to do next; "" when Active with nothing to say
    fixable_by_firm: bool = True  # False for rejected.*, platform_paused, ...
    charges_until: datetime | None = None  # Action required while charges still work

    @property
    def is_active(self) -> bool:
        return self.code == ACTIVE


def _status(code: str, message: str = "", **extra) -> IntegrationStatus:
    return IntegrationStatus(code=code, label=LABELS[code], message=message, **extra)


def integration_status(snapshot: AccountSnapshot | None) -> IntegrationStatus:
    """Not connected / Incomplete / Action required / Under review / Active, per DESIGN.md.

    `None` means no account or a disconnected one.
    """
    if snapshot is None:
        return _status(NOT_CONNECTED, "Connect a Stripe account to take payments online.")
    req = snapshot.requirements
    if not snapshot.details_submitted:
        return _status(INCOMPLETE, "Finish setting up your Stripe account to take payments.")
    reason = req.disabled_reason
    if req.past_due or req.currently_due or (reason and reason not in REVIEW_REASONS):
        return _action_required(snapshot)
    if req.pending_verification or reason in REVIEW_REASONS or not snapshot.charges_enabled:
        return _status(
            UNDER_REVIEW, "Stripe is reviewing the information you gave. Nothing to do for now."
        )
    return _status(ACTIVE)


def _action_required(snapshot: AccountSnapshot) -> IntegrationStatus:
    req = snapshot.requirements
    reason = req.disabled_reason
    if is_rejected(reason) or reason in NOT_FIXABLE_BY_FIRM:
        whom = "Firmpay support" if reason and "platform" in reason else "Stripe support"
        return _status(
            ACTION_REQUIRED,
            f"{disabled_reason_label(reason)}. This cannot be fixed by the firm in Firmpay: "
            f"contact {whom}.",
            fixable_by_firm=False,
        )
    if snapshot.charges_enabled and req.current_deadline and not req.past_due:
        deadline = req.current_deadline
        return _status(
            ACTION_REQUIRED,
            f"Stripe needs more information. Payments keep working until "
            f"{deadline:%-d %B %Y}: provide it before then.",
            charges_until=deadline,
        )
    if req.past_due or req.currently_due:
        return _status(
            ACTION_REQUIRED, "Stripe needs more information before this account can take payments."
        )
    return _status(ACTION_REQUIRED, f"{disabled_reason_label(reason)}.")


# --- payouts -------------------------------------------------------------------------

PAYOUTS_ACTIVE = "active"
PAYOUTS_PENDING = "pending"
PAYOUTS_DISABLED = "disabled"
PAYOUTS_LABELS = {
    PAYOUTS_ACTIVE: "Active",
    PAYOUTS_PENDING: "Pending",
    PAYOUTS_DISABLED: "Disabled",
}


@dataclass(frozen=True)
class PayoutsStatus:
    code: str  # active | pending | disabled
    label: str
    reason: str  # "" when active


def _payouts(code: str, reason: str = "") -> PayoutsStatus:
    return PayoutsStatus(code=code, label=PAYOUTS_LABELS[code], reason=reason)


def payouts_status(snapshot: AccountSnapshot | None, previously_enabled: bool) -> PayoutsStatus:
    """Active when payouts are enabled; Disabled when Stripe turned them off (rejected,
    paused, overdue information, or off after having been on); otherwise Pending."""
    if snapshot is None:
        return _payouts(PAYOUTS_DISABLED, "No Stripe account is connected.")
    if snapshot.payouts_enabled:
        return _payouts(PAYOUTS_ACTIVE)
    req = snapshot.requirements
    reason = req.disabled_reason
    if is_rejected(reason) or reason in NOT_FIXABLE_BY_FIRM:
        return _payouts(PAYOUTS_DISABLED, disabled_reason_label(reason))
    if not snapshot.details_submitted and not previously_enabled:
        if "external_account" in req.currently_due or "external_account" in req.past_due:
            return _payouts(PAYOUTS_PENDING, "Finish onboarding and add a payout bank account.")
        return _payouts(PAYOUTS_PENDING, "Finish onboarding with Stripe.")
    if req.past_due:
        return _payouts(PAYOUTS_DISABLED, "Required information is overdue.")
    if previously_enabled:
        if reason:
            return _payouts(PAYOUTS_DISABLED, disabled_reason_label(reason))
        if req.currently_due:
            return _payouts(PAYOUTS_DISABLED, "Stripe needs more information.")
        return _payouts(PAYOUTS_DISABLED, "Stripe has paused payouts.")
    if "external_account" in req.currently_due:
        return _payouts(PAYOUTS_PENDING, "Add a payout bank account.")
    if req.currently_due:
        return _payouts(PAYOUTS_PENDING, "Stripe needs more information.")
    return _payouts(PAYOUTS_PENDING, "Stripe is verifying the account.")
