"""Every answer the sandbox serves, and every event it emits, is shaped as
the `stripe` SDK's own resource classes say for its pinned API version and
carries every field of Stripe's example object, none of the example's values
(`sdk_shapes.problems`). One long walk: every flow the sandbox has, then
every object of every account read back over HTTP, every event listed and
every event delivered to a webhook endpoint."""

from __future__ import annotations

import json
from typing import Any

import stripe.params as sp

from stripe_sandbox.tests.helpers import fetch, onboard
from stripe_sandbox.tests.sdk_shapes import literals, problems
from stripe_sandbox.tests.test_accounts import create_account
from stripe_sandbox.tests.test_oauth import approve_as_new_account, authorize_url, query
from stripe_sandbox.tests.test_payments_helpers import (
    checkout,
    firm_account,
    gbp_params,
    pay,
    session_params,
)

# Collections a connected account (or the platform) can list, by URL.
LISTS = [
    "/v1/payment_intents",
    "/v1/charges",
    "/v1/checkout/sessions",
    "/v1/balance_transactions",
    "/v1/refunds",
    "/v1/disputes",
    "/v1/payouts",
    "/v1/events",
    "/v1/webhook_endpoints",
    "/v1/application_fees",
    "/v1/payment_method_configurations",
    "/v1/customers",
    "/v1/setup_intents",
    "/v1/payment_methods",
]
# Stored, never answered: onboarding uploads are kept, /v1/files is not served.
NOT_SERVED = {"file"}
# Event types the sandbox sends, every one of which the walk must meet.
EVENT_TYPES = {
    "account.updated",
    "account.application.deauthorized",
    "capability.updated",
    "application_fee.created",
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "payment_intent.created",
    "payment_intent.processing",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.pending",
    "charge.succeeded",
    "charge.failed",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
    "charge.dispute.closed",
    "payout.created",
    "payout.paid",
    "payout.failed",
    "customer.created",
    "setup_intent.created",
    "setup_intent.succeeded",
    "setup_intent.setup_failed",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.updated",
    "payment_method.automatically_updated",
    "mandate.updated",
}


class Walk:
    def __init__(self, sandbox, client) -> None:
        self.sandbox, self.client = sandbox, client
        self.found: dict[str, str] = {}
        self.kinds: set[str] = set()
        self.event_types: set[str] = set()

    def get(self, path: str, account: str | None = None, **params: Any) -> dict[str, Any]:
        options = {"stripe_account": account} if account else {}
        response = self.client.raw_request("get", path, **params, **options)
        return json.loads(response.body)

    def check(self, label: str, obj: Any) -> None:
        data = obj.to_dict() if hasattr(obj, "to_dict") else obj
        self.kinds.add(data.get("object"))
        if data.get("object") == "event":
            self.event_types.add(data["type"])
            self.kinds.add(data["data"]["object"].get("object"))
        for problem in problems(data):
            self.found.setdefault(problem, label)

    def report(self) -> str:
        return "\n".join(f"{label}: {p}" for p, label in sorted(self.found.items()))


def connect_by_oauth(sandbox, client) -> str:
    back = approve_as_new_account(sandbox.base_url, authorize_url(client), email="own@firm.example")
    token = client.oauth.token(
        params={"grant_type": "authorization_code", "code": query(back)["code"]}
    )
    return token.stripe_user_id


def card_flows(sandbox, client, walk: Walk, acct: str) -> None:
    options = {"stripe_account": acct}
    declined = checkout(client, acct)
    pay(sandbox, declined.id, "card", "decline")
    walk.check("session expire", client.v1.checkout.sessions.expire(declined.id, options=options))
    session = checkout(client, acct)
    walk.check("checkout session create", session)
    paid = pay(sandbox, session.id, "card", "insufficient_funds")
    paid = pay(sandbox, session.id)
    for name in ("session", "payment_intent", "charge"):
        walk.check(f"pay control {name}", paid[name])
    charge = paid["charge"]["id"]
    walk.check(
        "line items", client.v1.checkout.sessions.line_items.list(session.id, options=options)
    )
    walk.check(
        "payment method",
        client.v1.payment_methods.retrieve(paid["charge"]["payment_method"], options=options),
    )
    refund = client.v1.refunds.create(
        params={"charge": charge, "amount": 100, "refund_application_fee": True}, options=options
    )
    walk.check("refund create", refund)
    walk.check(
        "refund update",
        client.v1.refunds.update(refund.id, params={"metadata": {"k": "v"}}, options=options),
    )
    fee = client.v1.application_fees.retrieve(paid["charge"]["application_fee"])
    walk.check("application fee", fee)
    won = sandbox.control("POST", f"charges/{charge}/dispute", {"reason": "fraudulent"})
    client.v1.disputes.update(
        won["id"],
        params={"evidence": {"uncategorized_text": "Signed engagement letter"}},
        options=options,
    )
    walk.check(
        "dispute close", sandbox.control("POST", f"disputes/{won['id']}/close", {"status": "won"})
    )
    other = pay(sandbox, checkout(client, acct).id)
    lost = sandbox.control("POST", f"charges/{other['charge']['id']}/dispute", {})
    walk.check("dispute (API close)", client.v1.disputes.close(lost["id"], options=options))


def debit_flows(sandbox, client, acct: str, method: str, params: dict[str, Any]) -> None:
    options = {"stripe_account": acct}

    def session():
        return client.v1.checkout.sessions.create(params=params, options=options)

    settled = pay(sandbox, session().id, method)
    pay(sandbox, session().id, method, "fail_later")
    sandbox.advance(days=4)
    pi = settled["payment_intent"]["id"]
    client.v1.refunds.create(params={"payment_intent": pi, "amount": 500}, options=options)
    sandbox.advance(days=4)
    returned = pay(sandbox, session().id, method)
    sandbox.control("POST", f"payment_intents/{returned['payment_intent']['id']}/settle")
    sandbox.control(
        "POST", f"payment_intents/{returned['payment_intent']['id']}/return", {"as": "dispute"}
    )
    bounced = pay(sandbox, session().id, method)
    sandbox.control("POST", f"payment_intents/{bounced['payment_intent']['id']}/settle")
    sandbox.control(
        "POST", f"payment_intents/{bounced['payment_intent']['id']}/return", {"as": "failure"}
    )
    failing = pay(sandbox, session().id, method, "fail_later")
    sandbox.control("POST", f"payment_intents/{failing['payment_intent']['id']}/fail", {})


def autopay_flows(sandbox, client, walk: Walk, us: str, gb: str) -> None:
    from stripe_sandbox.tests import test_autopay as ap

    options = {"stripe_account": us}
    cus = ap.customer(client, us)
    walk.check("customer create", client.v1.customers.retrieve(cus, options=options))
    for outcome in ("setup_failed", "succeed", "decline", "authentication_required"):
        session = ap.setup_session(client, us, cus, ["card", "us_bank_account"])
        walk.check("setup session create", session)
        saved = ap.save(sandbox, session.id, "card", outcome)
        for name, obj in saved.items():
            if obj:
                walk.check(f"setup control {name}", obj)
        if outcome == "setup_failed":
            ap.save(sandbox, session.id, "card")
            continue
        try:
            walk.check(
                "off-session charge",
                ap.charge(client, us, cus, saved["payment_method"]["id"], f"k:{outcome}"),
            )
        except Exception as exc:  # noqa: BLE001 - declines answer 402 with the intent
            walk.check("declined charge intent", exc.error.payment_intent)
    pm = saved["payment_method"]["id"]
    sandbox.control("POST", f"payment_methods/{pm}/card", {"exp_month": 1, "exp_year": 2031})
    sandbox.control(
        "POST", f"payment_methods/{pm}/card", {"exp_month": 2, "exp_year": 2032, "automatic": True}
    )
    walk.check("detach", client.v1.payment_methods.detach(pm, options=options))
    ach = ap.save(
        sandbox, ap.setup_session(client, us, cus, ["us_bank_account"]).id, "us_bank_account"
    )
    walk.check("ach charge", ap.charge(client, us, cus, ach["payment_method"]["id"], "k:ach"))
    walk.check("mandate", client.v1.mandates.retrieve(ach["mandate"]["id"], options=options))
    sandbox.control("POST", f"mandates/{ach['mandate']['id']}/revoke", {})
    gcus = ap.customer(client, gb)
    for outcome in ("succeed", "fail_later"):
        bacs = ap.save(
            sandbox,
            ap.setup_session(client, gb, gcus, ["bacs_debit"], "gbp").id,
            "bacs_debit",
            outcome,
        )
        walk.check("bacs mandate", bacs["mandate"])
        ap.charge(
            client, gb, gcus, bacs["payment_method"]["id"], f"k:bacs:{outcome}", currency="gbp"
        )
    sandbox.advance(days=4)


def payout_flows(sandbox, acct: str) -> None:
    sandbox.control("POST", f"accounts/{acct}/payouts", {"outcome": "paid"})
    sandbox.control(
        "POST", f"accounts/{acct}/payouts", {"outcome": "failed", "failure_code": "account_closed"}
    )
    pending = sandbox.control("POST", f"accounts/{acct}/payouts", {"outcome": "pending"})
    sandbox.control("POST", f"payouts/{pending['id']}/outcome", {"outcome": "paid"})


def account_flows(sandbox, client, walk: Walk) -> list[str]:
    created = create_account(client)
    walk.check("account create", created)
    link = client.v1.account_links.create(
        params={
            "account": created.id,
            "type": "account_onboarding",
            "refresh_url": "http://127.0.0.1:9/r",
            "return_url": "http://127.0.0.1:9/x",
        }
    )
    walk.check("account link", link)
    onboard(sandbox.base_url, link.url)
    sandbox.control("POST", f"accounts/{created.id}/verify")
    walk.check(
        "account update", client.v1.accounts.update(created.id, params={"metadata": {"firm": "1"}})
    )
    walk.check(
        "capability update",
        client.v1.accounts.capabilities.update(
            created.id, "us_bank_account_ach_payments", params={"requested": True}
        ),
    )
    walk.check("platform account", client.v1.accounts.retrieve_current())
    due = create_account(client)
    for state in (
        {"state": "requirements_due", "requirements": ["company.tax_id"], "deadline_in_days": 7},
        {
            "state": "verification_failed",
            "requirement": "company.tax_id",
            "code": "verification_failed_tax_id_match",
            "reason": "No match",
        },
        {
            "state": "future_requirements",
            "requirements": ["company.tax_id"],
            "deadline": 4_000_000_000,
        },
        {"state": "past_due", "requirements": ["company.tax_id"]},
        {"state": "payouts_disabled"},
        {"state": "capability", "capability": "card_payments", "status": "inactive"},
        {"state": "rejected", "reason": "fraud"},
    ):
        sandbox.control("POST", f"accounts/{due.id}/state", state)
    walk.check("account reject", client.v1.accounts.reject(due.id, params={"reason": "other"}))
    express = client.v1.accounts.create(
        params={"controller": {"stripe_dashboard": {"type": "express"}}}
    )
    walk.check("login link", client.v1.accounts.login_links.create(express.id))
    walk.check("account delete", client.v1.accounts.delete(express.id))
    owned = connect_by_oauth(sandbox, client)
    settings = f"{sandbox.base_url}/dashboard/accounts/{owned}/settings/payment_methods"
    for switch in ("on", "off", "on"):
        assert fetch(settings, {"method": "us_bank_account", "turn": switch}).status == 302
    gone = connect_by_oauth(sandbox, client)
    client.oauth.deauthorize(params={"stripe_user_id": gone})
    return [created.id, due.id, owned]


def test_every_answer_and_event_is_shaped_as_the_sdk_and_stripe_say(
    stripe_sandbox, stripe_client, webhook_receiver
):
    walk = Walk(stripe_sandbox, stripe_client)
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={
            "url": webhook_receiver.url,
            "enabled_events": ["*"],
            "connect": True,
            "api_version": "2026-10-28.endive",
        }
    )
    walk.check("webhook endpoint create", endpoint)
    updated = stripe_client.v1.webhook_endpoints.update(
        endpoint.id, params={"description": "Firmpay Connect events"}
    )
    walk.check("webhook endpoint update", updated)
    platform_endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url + "?platform", "enabled_events": ["*"]}
    )
    us = firm_account(stripe_sandbox, stripe_client)
    gb = firm_account(stripe_sandbox, stripe_client, country="GB")
    card_flows(stripe_sandbox, stripe_client, walk, us)
    debit_flows(stripe_sandbox, stripe_client, us, "us_bank_account", session_params())
    debit_flows(stripe_sandbox, stripe_client, gb, "bacs_debit", gbp_params())
    payout_flows(stripe_sandbox, us)
    autopay_flows(stripe_sandbox, stripe_client, walk, us, gb)
    accounts = [us, gb, *account_flows(stripe_sandbox, stripe_client, walk)]
    walk.check(
        "webhook endpoint delete", stripe_client.v1.webhook_endpoints.delete(platform_endpoint.id)
    )

    for acct in ["", *accounts]:
        read_everything(walk, acct)
    stripe_sandbox.drain()
    for delivered in webhook_receiver.events():
        walk.check("webhook delivery " + delivered["type"], delivered)

    assert not walk.found, "\n" + walk.report()
    assert EVENT_TYPES <= walk.event_types, sorted(EVENT_TYPES - walk.event_types)
    stripes = literals(sp.WebhookEndpointCreateParams.__annotations__["enabled_events"])
    assert walk.event_types <= stripes, f"not Stripe's: {sorted(walk.event_types - stripes)}"
    served = {
        kind
        for (kind,) in stripe_sandbox.sandbox.store.execute("SELECT DISTINCT kind FROM objects")
        if not kind.startswith("_") and kind not in NOT_SERVED
    }
    assert served <= walk.kinds, f"never read back: {sorted(served - walk.kinds)}"


def read_everything(walk: Walk, acct: str) -> None:
    """Every list the account has, every object in it retrieved by id, and
    the account's own objects (account, capabilities, bank accounts)."""
    for url in LISTS:
        if url == "/v1/application_fees" and acct:
            continue
        page = walk.get(url, acct or None, limit=100)
        walk.check(f"list {url}", page)
        for item in page["data"]:
            retrieved = walk.get(f"{url}/{item['id']}", acct or None)
            walk.check(f"retrieve {url}", retrieved)
            if item.get("object") == "checkout.session":
                walk.check("line items", walk.get(f"{url}/{item['id']}/line_items", acct or None))
            if item.get("object") == "setup_intent" and item.get("mandate"):
                walk.check("mandate", walk.get(f"/v1/mandates/{item['mandate']}", acct or None))
            if item.get("object") == "charge" and item.get("payment_method"):
                walk.check(
                    "payment method",
                    walk.get(f"/v1/payment_methods/{item['payment_method']}", acct or None),
                )
    if not acct:
        walk.check("accounts list", walk.get("/v1/accounts", limit=100))
        return
    if walk.get("/v1/accounts", limit=100) and not _connected(walk, acct):
        return
    walk.check("account retrieve", walk.get(f"/v1/accounts/{acct}"))
    walk.check("capabilities", walk.get(f"/v1/accounts/{acct}/capabilities"))
    banks = walk.get(f"/v1/accounts/{acct}/external_accounts")
    walk.check("external accounts", banks)
    for bank in banks["data"]:
        walk.check(
            "external account", walk.get(f"/v1/accounts/{acct}/external_accounts/{bank['id']}")
        )


def _connected(walk: Walk, acct: str) -> bool:
    return any(a["id"] == acct for a in walk.get("/v1/accounts", limit=100)["data"])
