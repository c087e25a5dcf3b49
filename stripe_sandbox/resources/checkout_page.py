"""The hosted checkout page at a session's `url` (`/c/pay/{cs}`).

The payer sees the firm and the amount, picks one of the session's payment
methods and pays with test details. A declined card shows the error and the
session stays open; a payment redirects to `success_url`, Cancel goes to
`cancel_url`. One form per method (`?method=`), no JavaScript.
"""

from __future__ import annotations

import re
from typing import Any

from stripe_sandbox import errors
from stripe_sandbox.pages import field, h, page
from stripe_sandbox.resources import payment_flow
from stripe_sandbox.router import Request, Response, Router

router = Router()

ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
SYMBOLS = {"usd": "$", "gbp": "£", "eur": "€"}
LABELS = {"card": "Card", "us_bank_account": "US bank account", "bacs_debit": "Bacs Direct Debit"}

# Test card numbers -> outcome (anything else that passes Luhn is declined).
CARDS = {
    "4242424242424242": "succeed",
    "5555555555554444": "succeed",
    "4000000000000002": "decline",
    "4000000000009995": "insufficient_funds",
}
ACH_ROUTING = "110000000"
# Bank account numbers -> (outcome, failure code when it fails later).
ACH_ACCOUNTS = {
    "000123456789": ("succeed", None),
    "000111111113": ("fail_later", "account_closed"),
    "000222222227": ("fail_later", "insufficient_funds"),
}
BACS_SORT_CODE = "108800"
BACS_ACCOUNTS = {
    "00012345": ("succeed", None),
    "00012346": ("fail_later", "insufficient_funds"),
    "00033333": ("fail_later", "account_closed"),
}


def format_amount(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        text = f"{amount:,}"
    else:
        text = f"{amount / 100:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


def firm_name(account: dict[str, Any] | None) -> str:
    if not account:
        return "Sandbox business"
    profile = account.get("business_profile") or {}
    dashboard = ((account.get("settings") or {}).get("dashboard")) or {}
    return (
        profile.get("name")
        or dashboard.get("display_name")
        or (account.get("company") or {}).get("name")
        or account.get("email")
        or "Sandbox business"
    )


def _load(req: Request, cs: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    session = req.sb.store.get("checkout.session", cs)
    if session is None:
        raise errors.StripeError("This checkout page does not exist.", status=404)
    account_id = req.sb.store.owner(cs) or ""
    from stripe_sandbox.resources.accounts import PLATFORM_ACCOUNT_ID

    return session, req.sb.store.get("account", account_id or PLATFORM_ACCOUNT_ID)


def success_url(session: dict[str, Any]) -> str | None:
    url = session.get("success_url")
    return url.replace("{CHECKOUT_SESSION_ID}", session["id"]) if url else None


@router.get("/c/pay/{cs}", kind="page")
def checkout_show(req: Request, cs: str) -> Response:
    session, account = _load(req, cs)
    wanted = req.query.get("method")
    return _render(req, session, account, wanted if isinstance(wanted, str) else None)


@router.post("/c/pay/{cs}", kind="page")
def checkout_pay(req: Request, cs: str) -> Response:
    session, account = _load(req, cs)
    method = req.params.get("method", "")
    if session["status"] != "open" or method not in session["payment_method_types"]:
        return _render(req, session, account, method)
    reader = {"card": _card, "us_bank_account": _ach, "bacs_debit": _bacs}[method]
    problem, outcome, details, code = reader(req.params)
    values = {k: v for k, v in req.params.items() if k not in ("card_number", "cvc")}
    if problem:
        return _render(req, session, account, method, problem, values, status=400)
    billing = {"name": req.params.get("name", "").strip(), "email": req.params.get("email")}
    if session.get("mode") == "setup":
        return _save(req, session, account, method, outcome, details, billing, code, values)
    charge = payment_flow.attempt(
        req.sb,
        session,
        method=method,
        outcome=outcome,
        pm_details=details,
        billing=billing,
        failure_code=code,
    )
    if charge["status"] == "failed":
        return _render(req, session, account, method, charge["failure_message"], values, 402)
    return Response.redirect(success_url(session) or req.sb.url(f"/c/pay/{cs}"))


def _save(req, session, account, method, outcome, details, billing, code, values) -> Response:
    """Setup mode: save the method on the session's customer (a card's number
    picks what its later off-session charges do)."""
    from stripe_sandbox.resources import setup_flow

    number = _digits(req.params.get("card_number", ""))
    declined = method == "card" and number == setup_flow.SETUP_DECLINED
    charge_outcome = (
        setup_flow.SETUP_CARDS.get(number, "succeed") if method == "card" else "succeed"
    )
    seti = setup_flow.complete(
        req.sb,
        session,
        method=method,
        charge_outcome=charge_outcome,
        pm_details=details,
        billing=billing,
        failure_code=code,
        declined=declined,
    )
    if seti["status"] != "succeeded":
        message = seti["last_setup_error"]["message"]
        return _render(req, session, account, method, message, values, 402)
    return Response.redirect(success_url(session) or req.sb.url(f"/c/pay/{session['id']}"))


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(p: dict[str, str]):
    number = _digits(p.get("card_number", ""))
    if not number.isdigit() or not 13 <= len(number) <= 19 or not _luhn(number):
        return "Your card number is incorrect.", "", {}, None
    expiry = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", p.get("expiry", ""))
    if not expiry or not 1 <= int(expiry.group(1)) <= 12:
        return "Your card's expiration date is incomplete.", "", {}, None
    if not re.fullmatch(r"\d{3,4}", p.get("cvc", "").strip()):
        return "Your card's security code is incomplete.", "", {}, None
    year = int(expiry.group(2))
    details = {
        "brand": "mastercard" if number.startswith("5") else "visa",
        "country": "US",
        "exp_month": int(expiry.group(1)),
        "exp_year": year + 2000 if year < 100 else year,
        "funding": "credit",
        "last4": number[-4:],
        "checks": {
            "cvc_check": "pass",
            "address_line1_check": None,
            "address_postal_code_check": None,
        },
    }
    return None, CARDS.get(number, "decline"), details, None


def _ach(p: dict[str, str]):
    routing, number = _digits(p.get("routing_number", "")), _digits(p.get("account_number", ""))
    if not p.get("name", "").strip():
        return "Enter the account holder's name.", "", {}, None
    if routing != ACH_ROUTING:
        return (
            f"Routing number is invalid (use the test routing number {ACH_ROUTING}).",
            "",
            {},
            None,
        )
    if not number.isdigit() or not 4 <= len(number) <= 17:
        return "Account number is invalid.", "", {}, None
    outcome, code = ACH_ACCOUNTS.get(number, ("succeed", None))
    details = {
        "account_holder_type": "individual",
        "account_type": "checking",
        "bank_name": "STRIPE TEST BANK",
        "fingerprint": None,
        "last4": number[-4:],
        "routing_number": routing,
    }
    return None, outcome, details, code


def _bacs(p: dict[str, str]):
    sort_code, number = _digits(p.get("sort_code", "")), _digits(p.get("account_number", ""))
    if not p.get("name", "").strip():
        return "Enter the account holder's name.", "", {}, None
    if sort_code != BACS_SORT_CODE:
        return f"Sort code is invalid (use the test sort code {BACS_SORT_CODE}).", "", {}, None
    if not number.isdigit() or len(number) != 8:
        return "Account number must be 8 digits.", "", {}, None
    if p.get("mandate") != "accepted":
        return "You must accept the Direct Debit mandate to pay by Bacs.", "", {}, None
    outcome, code = BACS_ACCOUNTS.get(number, ("succeed", None))
    details = {"fingerprint": None, "last4": number[-4:], "sort_code": sort_code, "mandate": None}
    return None, outcome, details, code


def _form(session: dict[str, Any], method: str, values: dict[str, str], firm: str) -> str:
    email = values.get("email") or session.get("customer_email") or ""
    common = field("email", "Email", email, type="email", extra="autocomplete=email")
    name = values.get("name", "")
    if method == "card":
        fields = (
            field(
                "card_number", "Card number", "", extra="inputmode=numeric autocomplete=cc-number"
            )
            + "<div class=row><div>"
            + field(
                "expiry",
                "Expiry (MM / YY)",
                values.get("expiry", ""),
                extra="placeholder='MM / YY'",
            )
            + "</div><div>"
            + field("cvc", "CVC", "", extra="inputmode=numeric")
            + "</div></div>"
            + field("name", "Name on card", name, required=False)
            + "<p class=muted>Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is "
            "declined, 4000 0000 0000 9995 has insufficient funds; any future date and CVC.</p>"
        )
    elif method == "us_bank_account":
        fields = (
            field("name", "Account holder name", name)
            + field("routing_number", "Routing number", values.get("routing_number", ""))
            + field("account_number", "Account number", values.get("account_number", ""))
            + "<p class=muted>Test routing 110000000; account 000123456789 settles, "
            "000111111113 fails later (account closed), 000222222227 fails later "
            "(insufficient funds).</p>"
        )
    else:
        fields = (
            field("name", "Account holder name", name)
            + field("sort_code", "Sort code", values.get("sort_code", ""))
            + field("account_number", "Account number", values.get("account_number", ""))
            + "<p><input type=checkbox id=mandate name=mandate value=accepted required> "
            f"<label for=mandate style='display:inline'>I authorise {h(firm)} to debit my account "
            "by Bacs Direct Debit, under the Direct Debit Guarantee.</label></p>"
            "<p class=muted>Test sort code 108800; account 00012345 settles, 00012346 fails "
            "later (insufficient funds).</p>"
        )
    setup = session.get("mode") == "setup"
    if setup and method == "bacs_debit":
        from stripe_sandbox.resources.customers import BACS_GUARANTEE, BACS_TERMS

        fields += (
            f"<section aria-label='Direct Debit mandate'><h3>Direct Debit Instruction</h3>"
            f"<p>{h(BACS_TERMS)}</p><h3>The Direct Debit Guarantee</h3><p>{h(BACS_GUARANTEE)}</p>"
            "<p>You will be told at least 3 working days before each debit: its amount and date."
            "</p></section>"
        )
    button = (
        "Save and authorise future payments"
        if setup
        else "Pay " + format_amount(session["amount_total"], session["currency"])
    )
    return (
        f"<form method=post action='/c/pay/{h(session['id'])}'>"
        f"<input type=hidden name=method value={h(method)}>{common}{fields}"
        f"<button type=submit>{h(button)}</button></form>"
    )


def _render(
    req: Request,
    session: dict[str, Any],
    account: dict[str, Any] | None,
    method: str | None,
    problem: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    firm = firm_name(account)
    if session.get("mode") == "setup":
        head = (
            f"<p class=muted>Set up future payments to {h(firm)}</p><h1>{h(firm)}</h1>"
            f"<p id=amount>Save a payment method: {h(firm)} will charge it for future invoices. "
            "Nothing is charged now.</p>"
        )
    else:
        amount = format_amount(session["amount_total"], session["currency"])
        head = (
            f"<p class=muted>Pay {h(firm)}</p><h1>{h(firm)}</h1>"
            f"<p style='font-size:28px;font-weight:700;margin:4px 0' id=amount>{h(amount)}</p>"
        )
    if session["status"] != "open":
        done = {
            "complete": "This payment is complete. You can close this page."
            if session.get("mode") != "setup"
            else "Your payment method is saved. You can close this page.",
            "expired": "This checkout session has expired.",
        }[session["status"]]
        back = (
            success_url(session) if session["status"] == "complete" else session.get("cancel_url")
        )
        link = f"<p><a href='{h(back)}'>Return to {h(firm)}</a></p>" if back else ""
        return page(f"Pay {firm}", head + f"<p role=status>{h(done)}</p>{link}", status=status)
    items = "".join(
        f"<tr><td>{h(i['description'] or 'Item')} × {i['quantity']}</td>"
        f"<td>{h(format_amount(i['amount_total'], i['currency']))}</td></tr>"
        for i in _items(session)
    )
    methods = session["payment_method_types"]
    method = method if method in methods else methods[0]
    tabs = " ".join(
        f"<strong aria-current=page>{h(LABELS[m])}</strong>"
        if m == method
        else f"<a href='/c/pay/{h(session['id'])}?method={m}'>{h(LABELS[m])}</a>"
        for m in methods
    )
    error = f"<p class=error role=alert>{h(problem)}</p>" if problem else ""
    cancel = session.get("cancel_url")
    body = (
        head
        + f"<table>{items}</table>"
        + f"<nav aria-label='Payment method' class=steps>{tabs}</nav>"
        + f"<h2>{'Save' if session.get('mode') == 'setup' else 'Pay with'} {h(LABELS[method])}</h2>"
        + error
        + _form(session, method, values or {}, firm)
        + (f"<p><a href='{h(cancel)}'>Cancel and return to {h(firm)}</a></p>" if cancel else "")
    )
    return page(f"Pay {firm}", body, status=status)


def _items(session: dict[str, Any]) -> list[dict[str, Any]]:
    from stripe_sandbox import objects

    return objects.private(session).get("line_items") or []
