"""Disputes: opened and closed by control calls, read and answered through
/v1/disputes (retrieve, list, update evidence, close = accept the loss).

    POST /_sandbox/charges/{ch}/dispute  {"reason", "amount", "due_in_days"}
    POST /_sandbox/disputes/{dp}/close   {"status": "won"|"lost"}
"""

from __future__ import annotations

from typing import Any

import stripe.params as sp

from stripe_sandbox import api, errors, objects
from stripe_sandbox.resources import method_details
from stripe_sandbox.resources.dashboard import register_section
from stripe_sandbox.resources.payment_flow import DAY, balance_transaction
from stripe_sandbox.router import Request, Router

router = Router()
register_section("dispute", "Disputes", ["id", "amount", "currency", "status", "reason", "charge"])

DISPUTE_FEE = 1500
REASONS = frozenset(
    "bank_cannot_process check_returned credit_not_processed customer_initiated "
    "debit_not_authorized duplicate fraudulent general incorrect_account_details "
    "insufficient_funds product_not_received product_unacceptable subscription_canceled "
    "unrecognized".split()
)
_EVIDENCE_FIELDS = (
    "access_activity_log billing_address cancellation_policy cancellation_policy_disclosure "
    "cancellation_rebuttal customer_communication customer_email_address customer_name "
    "customer_purchase_ip customer_signature duplicate_charge_documentation "
    "duplicate_charge_explanation duplicate_charge_id product_description receipt "
    "refund_policy refund_policy_disclosure refund_refusal_explanation service_date "
    "service_documentation shipping_address shipping_carrier shipping_date "
    "shipping_documentation shipping_tracking_number uncategorized_file uncategorized_text"
).split()


def _emit(sb, type: str, dispute: dict[str, Any], account: str, **kw: Any) -> None:
    sb.emit(type, dispute, account=account or None, owner=account, **kw)


def open_dispute(
    sb, charge_id: str, *, reason: str = "fraudulent", amount: int | None = None, due_in_days=7
) -> dict[str, Any]:
    account = sb.store.owner(charge_id) or ""
    charge = sb.store.get("charge", charge_id, account=account)
    if charge is None:
        raise errors.resource_missing("charge", charge_id)
    if charge["status"] != "succeeded" or charge.get("disputed"):
        raise errors.invalid_request("Only a succeeded, undisputed charge can be disputed.")
    if reason not in REASONS:
        raise errors.invalid_request(f"Unknown dispute reason {reason!r}.")
    amount = charge["amount"] - charge["amount_refunded"] if amount is None else int(amount)
    now = sb.clock.now()
    dispute = objects.build(
        "dispute",
        now=now,
        amount=amount,
        charge=charge_id,
        currency=charge["currency"],
        evidence={**{name: None for name in _EVIDENCE_FIELDS}, "enhanced_evidence": {}},
        evidence_details={
            "due_by": now + int(due_in_days * DAY),
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
            "submission_method": "not_submitted",
        },
        is_charge_refundable=False,
        metadata={},
        payment_intent=charge["payment_intent"],
        payment_method_details=method_details.dispute_hash(charge, reason),
        reason=reason,
        status="needs_response",
        enhanced_eligibility_types=[],
    )
    txn = balance_transaction(
        sb,
        account,
        -amount,
        charge["currency"],
        dispute["id"],
        "adjustment",
        f"Chargeback withdrawal for {charge_id}",
        fee_details=[
            {
                "amount": DISPUTE_FEE,
                "application": None,
                "currency": charge["currency"],
                "description": "Dispute fee",
                "type": "stripe_fee",
            }
        ],
    )
    dispute["balance_transactions"] = [objects.public(txn)]
    sb.store.insert(dispute, account=account)
    charge["disputed"] = True
    sb.store.save(charge)
    _emit(sb, "charge.dispute.created", dispute, account)
    _emit(sb, "charge.dispute.funds_withdrawn", dispute, account)
    return dispute


def close_dispute(sb, dispute: dict[str, Any], status: str, request=None) -> dict[str, Any]:
    if status not in ("won", "lost"):
        raise errors.invalid_request('A dispute closes as "won" or "lost".')
    if dispute["status"] in ("won", "lost"):
        raise errors.invalid_request(f"Dispute {dispute['id']} is already closed.")
    account = sb.store.owner(dispute["id"]) or ""
    previous = {"status": dispute["status"]}
    dispute["status"] = status
    if status == "won":
        txn = balance_transaction(
            sb,
            account,
            dispute["amount"],
            dispute["currency"],
            dispute["id"],
            "adjustment",
            f"Chargeback reversal for {dispute['charge']}",
        )
        dispute["balance_transactions"].append(objects.public(txn))
    sb.store.save(dispute)
    _emit(
        sb,
        "charge.dispute.closed",
        dispute,
        account,
        previous_attributes=previous,
        request=request,
    )
    if status == "won":
        _emit(sb, "charge.dispute.funds_reinstated", dispute, account)
    return dispute


@router.post("/_sandbox/charges/{charge}/dispute", kind="control")
def control_open(req: Request, charge: str) -> dict[str, Any]:
    p = req.params
    return objects.public(
        open_dispute(
            req.sb,
            charge,
            reason=p.get("reason", "fraudulent"),
            amount=p.get("amount"),
            due_in_days=float(p.get("due_in_days", 7)),
        )
    )


@router.post("/_sandbox/disputes/{dispute}/close", kind="control")
def control_close(req: Request, dispute: str) -> dict[str, Any]:
    obj = req.sb.store.get("dispute", dispute)
    if obj is None:
        raise errors.resource_missing("dispute", dispute)
    return objects.public(close_dispute(req.sb, obj, req.params.get("status", "won")))


@router.get("/v1/disputes/{dispute}", params=sp.DisputeRetrieveParams)
def dispute_retrieve(req: Request, dispute: str) -> dict[str, Any]:
    return api.get_or_404(req, "dispute", dispute, param="dispute")


@router.get("/v1/disputes", params=sp.DisputeListParams)
def dispute_list(req: Request) -> dict[str, Any]:
    where = {k: req.params[k] for k in ("charge", "payment_intent") if req.params.get(k)}
    return api.list_page(req, "dispute", "/v1/disputes", where=where)


@router.post("/v1/disputes/{dispute}", params=sp.DisputeUpdateParams)
def dispute_update(req: Request, dispute: str) -> dict[str, Any]:
    obj = api.get_or_404(req, "dispute", dispute, param="dispute")
    if obj["status"] in ("won", "lost"):
        raise errors.invalid_request(
            "This dispute is already closed and can no longer be updated.", param="dispute"
        )
    before = {"status": obj["status"], "evidence": dict(obj["evidence"])}
    p = req.params
    if p.get("evidence"):
        obj["evidence"].update(p["evidence"])
        obj["evidence_details"]["has_evidence"] = True
    if "metadata" in p:
        obj["metadata"] = api.metadata_merge(obj["metadata"], p["metadata"])
    submit = p.get("submit", True)
    if submit and obj["evidence_details"]["has_evidence"]:
        obj["status"] = "under_review"
        obj["evidence_details"]["submission_count"] += 1
        obj["evidence_details"]["submission_method"] = "manual"
    api.save(req, obj)
    previous = {k: v for k, v in before.items() if obj[k] != v}
    api.emit(req, "charge.dispute.updated", obj, previous_attributes=previous or None)
    return obj


@router.post("/v1/disputes/{dispute}/close", params=sp.DisputeCloseParams)
def dispute_close(req: Request, dispute: str) -> dict[str, Any]:
    """Accepting the dispute: it closes as lost."""
    obj = api.get_or_404(req, "dispute", dispute, param="dispute")
    return close_dispute(req.sb, obj, "lost", request=req.stripe_request())
