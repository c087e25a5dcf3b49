"""How an account's requirements, capabilities and enabled flags evolve.

Stripe's status fields are derived here from what the account holds (a
requirement is met when its field is filled in) plus the sandbox state in
`_sandbox`: verification (unverified → pending → verified), requirements a
control call added (with a deadline), rejection, paused payouts and forced
capability statuses. `refresh` recomputes, saves, and emits
`account.updated` / `capability.updated` for whatever changed.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from stripe_sandbox import events, objects
from stripe_sandbox.scheduler import job

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox

BUSINESS = [
    "business_type",
    "company.name",
    "company.tax_id",
    "company.phone",
    "company.address.line1",
    "company.address.city",
    "company.address.postal_code",
    "business_profile.mcc",
    "business_profile.url",
]
DOCUMENT = ["company.verification.document"]
BANK = ["external_account"]
TOS = ["tos_acceptance.date", "tos_acceptance.ip"]
REQUIRED = BUSINESS + DOCUMENT + BANK + TOS
# What Stripe checks after submission, listed in pending_verification.
VERIFIED_BY_STRIPE = ["company.tax_id", "company.verification.document"]

PAYMENT_CAPABILITIES = ("card_payments", "us_bank_account_ach_payments", "bacs_debit_payments")
CAPABILITY_COUNTRIES = {"us_bank_account_ach_payments": {"US"}, "bacs_debit_payments": {"GB"}}


def state(account: dict[str, Any]) -> dict[str, Any]:
    st = objects.private(account)
    st.setdefault("verification", "unverified")
    st.setdefault("extra_due", [])
    st.setdefault("deadline", None)
    st.setdefault("eventually_extra", [])
    st.setdefault("errors", [])
    st.setdefault("capability_status", {})
    st.setdefault("requested", {})
    return st


def lookup(account: dict[str, Any], path: str) -> Any:
    if path == "external_account":
        return (account.get("external_accounts") or {}).get("data") or None
    if path == "company.tax_id":
        return (account.get("company") or {}).get("tax_id_provided") or None
    if path == "company.verification.document":
        doc = ((account.get("company") or {}).get("verification") or {}).get("document") or {}
        return doc.get("front")
    node: Any = account
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def missing(account: dict[str, Any]) -> list[str]:
    st = state(account)
    base = [r for r in REQUIRED if lookup(account, r) in (None, "", [], {})]
    return base + [r for r in st["extra_due"] if r not in base]


def _requirements(account: dict[str, Any], now: int) -> dict[str, Any]:
    st = state(account)
    due = missing(account)
    deadline = st["deadline"]
    if st.get("rejected"):
        due, past_due, reason = [], [], f"rejected.{st['rejected']}"
    elif not account.get("details_submitted"):
        # Until onboarding is submitted nothing can be charged: Stripe lists
        # everything as past due straight away.
        past_due, reason = list(due), "requirements.past_due" if due else None
    elif deadline is None or now >= deadline:
        past_due = list(due)
        reason = "requirements.past_due" if due else None
    else:
        past_due, reason = [], None
    pending = (
        list(VERIFIED_BY_STRIPE)
        if st["verification"] == "pending" and not st.get("rejected")
        else []
    )
    if reason is None and pending:
        reason = "requirements.pending_verification"
    if reason is None and st["verification"] != "verified" and not st.get("rejected"):
        reason = "requirements.pending_verification" if account.get("details_submitted") else reason
    eventually = due + [r for r in st["eventually_extra"] if r not in due]
    return {
        "alternatives": [],
        "current_deadline": deadline if due and deadline and now < deadline else None,
        "currently_due": due,
        "disabled_reason": reason,
        "errors": copy.deepcopy(st["errors"]),
        "eventually_due": eventually,
        "past_due": past_due,
        "pending_verification": pending,
    }


def _future_requirements(account: dict[str, Any]) -> dict[str, Any]:
    st = state(account)
    future = st.get("future", {"due": [], "deadline": None})
    return {
        "alternatives": [],
        "current_deadline": future.get("deadline"),
        "currently_due": [],
        "disabled_reason": None,
        "errors": [],
        "eventually_due": list(future.get("due", [])),
        "past_due": [],
        "pending_verification": [],
    }


def capability_status(account: dict[str, Any], name: str) -> str:
    st = state(account)
    if name in st["capability_status"]:
        return st["capability_status"][name]
    reqs = account["requirements"]
    if st.get("rejected") or reqs["past_due"]:
        return "inactive"
    if account["charges_enabled"]:
        return "active"
    return "pending" if account.get("details_submitted") else "inactive"


def derive(account: dict[str, Any], now: int) -> None:
    """Recompute every Stripe-derived status field in place."""
    st = state(account)
    reqs = _requirements(account, now)
    account["requirements"] = reqs
    account["future_requirements"] = _future_requirements(account)
    blocked = bool(reqs["disabled_reason"]) or st["verification"] != "verified"
    account["charges_enabled"] = not blocked
    account["payouts_enabled"] = (
        not blocked and not st.get("payouts_paused") and bool(lookup(account, "external_account"))
    )
    account["capabilities"] = {
        name: capability_status(account, name)
        for name, requested in st["requested"].items()
        if requested
    }


# A capability says why it is off in its own words, not the account's.
_CAPABILITY_REASONS = {
    "requirements.past_due": "requirements.fields_needed",
    "action_required.requested_capabilities": "requirements.fields_needed",
    "requirements.pending_verification": "pending.review",
    "under_review": "pending.review",
    "platform_paused": "platform_paused",
}


def _capability_reason(account_reason: str | None) -> str | None:
    if account_reason is None:
        return None
    if account_reason.startswith("rejected."):
        return "rejected.other"
    return _CAPABILITY_REASONS.get(account_reason, "other")


def capability_object(account: dict[str, Any], name: str) -> dict[str, Any]:
    st = state(account)
    status = account["capabilities"].get(name, "unrequested")
    reqs = copy.deepcopy(account["requirements"])
    reqs["disabled_reason"] = _capability_reason(reqs["disabled_reason"])
    if status == "inactive" and not reqs["disabled_reason"]:
        reqs["disabled_reason"] = st.get("capability_reason", {}).get(name, "other")
    return objects.build(
        "capability",
        id=name,
        account=account["id"],
        requested=bool(st["requested"].get(name)),
        requested_at=st["requested"].get(name) or None,
        requirements=reqs,
        future_requirements=copy.deepcopy(account["future_requirements"]),
        status=status,
    )


def refresh(
    sb: Sandbox,
    account: dict[str, Any],
    *,
    request: dict[str, Any] | None = None,
    emit: bool = True,
) -> dict[str, Any]:
    """Derive, save, and tell webhooks what changed since the stored version
    (callers mutate the account first, then refresh)."""
    before = sb.store.get("account", account["id"]) or copy.deepcopy(account)
    derive(account, sb.clock.now())
    _schedule_deadline(sb, account)
    sb.store.save(account)
    st = objects.private(account)
    if not emit or not (st.get("connected") or st.get("platform")):
        return account
    # The platform's own account events are platform events (no `account`).
    target = None if st.get("platform") else account["id"]
    previous = events.changed_fields(objects.public(before), objects.public(account))
    if previous:
        sb.emit(
            "account.updated",
            account,
            account=target,
            previous_attributes=previous,
            request=request,
        )
    old_caps, new_caps = before.get("capabilities") or {}, account["capabilities"]
    # A capability no longer requested leaves `capabilities`; its own object
    # says `unrequested`.
    for name in sorted(set(new_caps) | set(old_caps)):
        if old_caps.get(name) != new_caps.get(name):
            cap = capability_object(account, name)
            prev = {"status": old_caps[name]} if name in old_caps else None
            sb.emit(
                "capability.updated", cap, account=target, previous_attributes=prev, request=request
            )
    return account


def _schedule_deadline(sb: Sandbox, account: dict[str, Any]) -> None:
    deadline = state(account)["deadline"]
    if deadline and deadline > sb.clock.now() and account["requirements"]["currently_due"]:
        sb.scheduler.cancel("account.refresh", account=account["id"], at=deadline)
        sb.schedule(deadline, "account.refresh", {"account": account["id"], "at": deadline})


def submit(sb: Sandbox, account: dict[str, Any], *, ip: str) -> None:
    """Onboarding finished: details submitted, Stripe starts verifying."""
    account["details_submitted"] = True
    st = state(account)
    if st["verification"] == "unverified":
        st["verification"] = "pending"
        delay = sb.config.verification_delay
        if delay is not None:
            sb.schedule(sb.clock.time() + delay, "account.verify", {"account": account["id"]})


def verify(account: dict[str, Any]) -> None:
    st = state(account)
    st["verification"] = "verified"
    st["extra_due"] = []
    st["deadline"] = None
    st["errors"] = []


@job("account.verify")
def _verify_job(sb: Sandbox, payload: dict[str, Any]) -> None:
    account = sb.store.get("account", payload["account"])
    if account and state(account)["verification"] == "pending" and not missing(account):
        verify(account)
        refresh(sb, account)


@job("account.refresh")
def _refresh_job(sb: Sandbox, payload: dict[str, Any]) -> None:
    account = sb.store.get("account", payload["account"])
    if account:
        refresh(sb, account)
