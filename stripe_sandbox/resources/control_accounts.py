"""Control calls that put a connected account into any state.

POST /_sandbox/accounts/{id}/state  {"state": ..., ...}

  verified              everything provided, submitted and verified (charges and payouts on)
  pending_verification  everything provided and submitted; Stripe still checking
  incomplete            back to a fresh account's requirements (fields kept)
  requirements_due      {"requirements": [...], "deadline_in_days": 7 | "deadline": ts}
                        still charging until the deadline, then past due
  past_due              {"requirements": [...]}: due with the deadline already passed
  verification_failed   {"requirement": "company.verification.document", "code", "reason"}
  eventually_due        {"requirements": [...]}: known future needs, nothing disabled
  future_requirements   {"requirements": [...], "deadline": ts}
  rejected              {"reason": "fraud"|"terms_of_service"|"listed"|"other"|...}
  payouts_disabled      payouts paused by Stripe
  payouts_enabled       undo payouts_disabled
  capability            {"capability": "card_payments", "status": "inactive"|"pending"|"active"|null}
  clear                 drop every override above
"""

from __future__ import annotations

from typing import Any

from stripe_sandbox import errors, objects
from stripe_sandbox.resources import account_model, account_state
from stripe_sandbox.router import Request, Router
from stripe_sandbox.sandbox import Sandbox

router = Router()

DEFAULT_DUE = ["company.verification.additional_document"]


@router.get("/_sandbox/accounts", kind="control")
def accounts(req: Request) -> dict[str, Any]:
    return {"data": [_summary(a) for a in req.sb.store.all("account")]}


@router.post("/_sandbox/accounts", kind="control")
def account_create(req: Request) -> dict[str, Any]:
    """A Stripe account that exists outside the platform (for OAuth sign-in):
    {"email", "business_name", "country", "state": "verified"|"incomplete",
     "connected": false}"""
    p = req.params
    params = {
        "email": p.get("email"),
        "country": p.get("country") or "US",
        "business_profile": {"name": p.get("business_name")},
        "type": "standard",
    }
    account = account_model.new_account(req.sb, params, connected=bool(p.get("connected")))
    account["controller"] = {"is_controller": False, "type": "account"}
    if p.get("state", "verified") == "verified":
        make_verified(req.sb, account)
    account_state.derive(account, req.sb.clock.now())
    req.sb.store.insert(account)
    return objects.public(account)


def make_verified(sb: Sandbox, account: dict[str, Any]) -> None:
    account_model.fill_for_verification(sb, account)
    account["details_submitted"] = True
    account_state.verify(account)


@router.post("/_sandbox/accounts/{account}/verify", kind="control")
def account_verify(req: Request, account: str) -> dict[str, Any]:
    """Finish verification now (what the configurable delay does by itself)."""
    obj = _load(req, account)
    if not obj.get("details_submitted"):
        raise errors.invalid_request(
            "The account has not submitted its details yet; use state=verified to skip onboarding."
        )
    account_state.verify(obj)
    return objects.public(account_state.refresh(req.sb, obj))


@router.post("/_sandbox/accounts/{account}/state", kind="control")
def account_set_state(req: Request, account: str) -> dict[str, Any]:
    obj = _load(req, account)
    name = req.params.get("state")
    handler = _STATES.get(name)
    if handler is None:
        raise errors.invalid_request(f"Unknown state {name!r}; one of {sorted(_STATES)}")
    handler(req.sb, obj, req.params)
    return objects.public(account_state.refresh(req.sb, obj))


def _load(req: Request, account: str) -> dict[str, Any]:
    obj = req.sb.store.get("account", account)
    if obj is None:
        raise errors.resource_missing("account", account)
    return obj


def _summary(account: dict[str, Any]) -> dict[str, Any]:
    st = objects.private(account)
    return {
        "id": account["id"],
        "email": account.get("email"),
        "connected": st.get("connected", False),
        "platform": st.get("platform", False),
        "charges_enabled": account["charges_enabled"],
        "details_submitted": account["details_submitted"],
    }


def _verified(sb, acct, p):
    _clear(sb, acct, p)
    make_verified(sb, acct)


def _pending(sb, acct, p):
    account_model.fill_for_verification(sb, acct)
    acct["details_submitted"] = True
    account_state.state(acct)["verification"] = "pending"


def _incomplete(sb, acct, p):
    acct["details_submitted"] = False
    account_state.state(acct)["verification"] = "unverified"


def _due(sb, acct, p, *, passed: bool = False):
    st = account_state.state(acct)
    st["extra_due"] = list(p.get("requirements") or DEFAULT_DUE)
    if passed:
        st["deadline"] = sb.clock.now()
    else:
        st["deadline"] = int(
            p.get("deadline") or sb.clock.now() + 86400 * float(p.get("deadline_in_days", 7))
        )


def _failed(sb, acct, p):
    requirement = p.get("requirement") or "company.verification.document"
    st = account_state.state(acct)
    st["errors"] = [
        {
            "code": p.get("code") or "verification_document_failed_other",
            "reason": p.get("reason") or "The document could not be verified.",
            "requirement": requirement,
        }
    ]
    if requirement not in st["extra_due"]:
        st["extra_due"].append(requirement)


def _eventually(sb, acct, p):
    account_state.state(acct)["eventually_extra"] = list(p.get("requirements") or DEFAULT_DUE)


def _future(sb, acct, p):
    account_state.state(acct)["future"] = {
        "due": list(p.get("requirements") or DEFAULT_DUE),
        "deadline": p.get("deadline"),
    }


def _rejected(sb, acct, p):
    account_state.state(acct)["rejected"] = p.get("reason") or "other"


def _payouts(paused: bool):
    def apply(sb, acct, p):
        account_state.state(acct)["payouts_paused"] = paused

    return apply


def _capability(sb, acct, p):
    st = account_state.state(acct)
    name, status = p.get("capability"), p.get("status", "inactive")
    if name not in st["requested"]:
        raise errors.invalid_request(f"Capability {name!r} was not requested on this account.")
    if status is None:
        st["capability_status"].pop(name, None)
    else:
        st["capability_status"][name] = status
        st.setdefault("capability_reason", {})[name] = p.get("reason") or "other"


def _clear(sb, acct, p):
    st = account_state.state(acct)
    st.update(
        extra_due=[],
        deadline=None,
        errors=[],
        eventually_extra=[],
        capability_status={},
        rejected=None,
        payouts_paused=False,
        future={"due": [], "deadline": None},
    )


_STATES = {
    "verified": _verified,
    "pending_verification": _pending,
    "incomplete": _incomplete,
    "requirements_due": _due,
    "past_due": lambda sb, a, p: _due(sb, a, p, passed=True),
    "verification_failed": _failed,
    "eventually_due": _eventually,
    "future_requirements": _future,
    "rejected": _rejected,
    "payouts_disabled": _payouts(True),
    "payouts_enabled": _payouts(False),
    "capability": _capability,
    "clear": _clear,
}
