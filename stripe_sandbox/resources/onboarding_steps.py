"""The steps of the hosted onboarding page: what each shows, what it accepts,
and which requirements it clears."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stripe_sandbox import objects
from stripe_sandbox.pages import field, h
from stripe_sandbox.resources import account_model, account_state
from stripe_sandbox.sandbox import Sandbox


@dataclass
class Step:
    name: str
    title: str
    requirements: list[str]


STEPS = [
    Step("business", "Business details", account_state.BUSINESS),
    Step("document", "Company document", account_state.DOCUMENT),
    Step("bank", "Payout bank account", account_state.BANK),
    Step("additional", "Additional information", []),
    Step("review", "Review and submit", account_state.TOS),
]
MCC = {
    "8931": "Accounting, auditing and bookkeeping",
    "7392": "Management consulting",
    "8111": "Legal services",
}


def step_requirements(step: Step, account: dict[str, Any]) -> list[str]:
    if step.name == "additional":
        return list(account_state.state(account)["extra_due"])
    return step.requirements


def step_done(step: Step, account: dict[str, Any]) -> bool:
    due = set(account_state.missing(account))
    return not (set(step_requirements(step, account)) & due)


def visible_steps(account: dict[str, Any]) -> list[Step]:
    return [s for s in STEPS if s.name != "additional" or account_state.state(account)["extra_due"]]


def first_open(account: dict[str, Any]) -> Step:
    for step in visible_steps(account):
        if not step_done(step, account):
            return step
    return STEPS[-1]


def form(step: Step, account: dict[str, Any]) -> str:
    return {
        "business": _business_form,
        "document": _document_form,
        "bank": _bank_form,
        "additional": _additional_form,
        "review": _review_form,
    }[step.name](account)


def _business_form(account: dict[str, Any]) -> str:
    company = account.get("company") or {}
    address = company.get("address") or {}
    profile = account.get("business_profile") or {}
    options = "".join(
        f"<option value={k}{' selected' if profile.get('mcc') == k else ''}>{h(v)}</option>"
        for k, v in MCC.items()
    )
    btype = account.get("business_type") or "company"
    types = "".join(
        f"<option value={t}{' selected' if btype == t else ''}>{t.replace('_', ' ')}</option>"
        for t in ("company", "non_profit")
    )
    return (
        f"<label for=business_type>Business type</label><select id=business_type name=business_type>{types}</select>"
        + field("company_name", "Legal business name", company.get("name"))
        + field("tax_id", "Employer ID / company number", company.get("tax_id"))
        + field("phone", "Business phone", company.get("phone"), type="tel")
        + field("line1", "Address", address.get("line1"))
        + "<div class=row><div>"
        + field("city", "City", address.get("city"))
        + "</div><div>"
        + field("postal_code", "Postal code", address.get("postal_code"))
        + "</div></div>"
        + f"<label for=mcc>Industry</label><select id=mcc name=mcc>{options}</select>"
        + field("url", "Business website", profile.get("url"), type="url")
    )


def _document_form(account: dict[str, Any]) -> str:
    current = account_state.lookup(account, "company.verification.document")
    note = f"<p class=muted>On file: <code>{h(current)}</code></p>" if current else ""
    return (
        note + "<p>Upload a document proving the company is registered "
        "(certificate of incorporation, IRS letter, Companies House extract).</p>"
        "<label for=document>Company document (PDF, PNG or JPG)</label>"
        "<input id=document name=document type=file accept='.pdf,.png,.jpg,.jpeg' required>"
    )


def _bank_form(account: dict[str, Any]) -> str:
    banks = account["external_accounts"]["data"]
    note = f"<p class=muted>Current: ••••{h(banks[0]['last4'])}</p>" if banks else ""
    if account["country"] == "GB":
        first = field("sort_code", "Sort code (test: 108800)", "", extra="pattern='[0-9]{6}'")
        number = field("account_number", "Account number (test: 00012345)", "")
    else:
        first = field(
            "routing_number", "Routing number (test: 110000000)", "", extra="pattern='[0-9]{9}'"
        )
        number = field("account_number", "Account number (test: 000123456789)", "")
    return note + field("account_holder_name", "Account holder name", "") + first + number


def _additional_form(account: dict[str, Any]) -> str:
    due = account_state.state(account)["extra_due"]
    return "<p>Stripe needs a little more information.</p>" + "".join(
        field("req_" + r, r, "") for r in due
    )


def _review_form(account: dict[str, Any]) -> str:
    company = account.get("company") or {}
    banks = account["external_accounts"]["data"]
    return (
        f"<p>Business: <b>{h(company.get('name') or '—')}</b><br>"
        f"Payouts to: {('••••' + h(banks[0]['last4'])) if banks else '—'}</p>"
        "<label><input type=checkbox name=tos value=accepted required style='width:auto'> "
        "I agree to the Stripe Services Agreement (sandbox)</label>"
    )


# -- applying a submitted step ------------------------------------------------
def apply(
    sb: Sandbox,
    step: Step,
    account: dict[str, Any],
    data: dict[str, str],
    files: dict[str, tuple[str, bytes]],
    *,
    partial: bool,
    ip: str,
) -> list[str]:
    """Store what the form holds; returns error messages (empty when fine).
    `partial` (Save and exit) keeps valid fields and skips blank ones."""
    handler = {
        "business": _apply_business,
        "document": _apply_document,
        "bank": _apply_bank,
        "additional": _apply_additional,
        "review": _apply_review,
    }[step.name]
    problems = handler(sb, account, {k: v.strip() for k, v in data.items()}, files, partial, ip)
    if not problems and not partial and step.name != "additional":
        _clear_resubmitted(account, step)
    return problems


def _clear_resubmitted(account: dict[str, Any], step: Step) -> None:
    """Stripe asks again for a field it already holds (e.g. a tax ID it could not verify);
    submitting the standard step that collects it answers the request."""
    st = account_state.state(account)
    answered = [r for r in st["extra_due"] if r in step.requirements]
    if answered:
        st["extra_due"] = [r for r in st["extra_due"] if r not in answered]
        if not st["extra_due"]:
            st["deadline"] = None
            st["errors"] = []


def _apply_business(sb, account, data, files, partial, ip) -> list[str]:
    names = ("company_name", "tax_id", "phone", "line1", "city", "postal_code", "url")
    blank = [n for n in names if not data.get(n)]
    if blank and not partial:
        return ["Please fill in every field."]
    company: dict[str, Any] = {"address": {}}
    for form_name, key in (("company_name", "name"), ("tax_id", "tax_id"), ("phone", "phone")):
        if data.get(form_name):
            company[key] = data[form_name]
    for key in ("line1", "city", "postal_code"):
        if data.get(key):
            company["address"][key] = data[key]
    if data.get("url") and not data["url"].startswith(("http://", "https://")):
        if not partial:
            return ["The website must start with http:// or https://."]
        data.pop("url")
    profile = {k: data[k] for k in ("mcc", "url") if data.get(k)}
    if data.get("company_name") and not (account.get("business_profile") or {}).get("name"):
        profile["name"] = data["company_name"]  # what dashboards show as the business
    account_model.apply_update(
        sb,
        account,
        {
            "business_type": data.get("business_type") or "company",
            "company": company,
            "business_profile": profile,
        },
    )
    return []


def _apply_document(sb, account, data, files, partial, ip) -> list[str]:
    filename, content = files.get("document", ("", b""))
    if not content:
        return [] if partial else ["Choose a document to upload."]
    kind = (filename.rsplit(".", 1)[-1] or "pdf").lower()
    upload = objects.build(
        "file",
        now=sb.clock.now(),
        filename=filename,
        purpose="account_requirement",
        size=len(content),
        type=kind,
        title=None,
        url=None,
        expires_at=None,
        links={"object": "list", "data": [], "has_more": False, "url": "/v1/file_links"},
    )
    sb.store.insert(upload, account=account["id"])
    account_model.apply_update(
        sb, account, {"company": {"verification": {"document": {"front": upload["id"]}}}}
    )
    return []


def _apply_bank(sb, account, data, files, partial, ip) -> list[str]:
    number = re.sub(r"\s", "", data.get("account_number", ""))
    gb = account["country"] == "GB"
    routing = re.sub(r"[\s-]", "", data.get("sort_code" if gb else "routing_number", ""))
    if not number and not routing and partial:
        return []
    if not re.fullmatch(r"\d{6}" if gb else r"\d{9}", routing):
        return [
            "Enter a valid sort code (6 digits)."
            if gb
            else "Enter a valid routing number (9 digits)."
        ]
    if not re.fullmatch(r"\d{4,17}", number):
        return ["Enter a valid account number."]
    bank = account_model.add_bank_account(
        sb,
        account,
        {
            "account_number": number,
            "routing_number": routing,
            "country": account["country"],
            "account_holder_name": data.get("account_holder_name") or None,
        },
    )
    if objects.private(account).get("connected"):
        sb.emit("account.external_account.created", bank, account=account["id"])
    return []


def _apply_additional(sb, account, data, files, partial, ip) -> list[str]:
    st = account_state.state(account)
    provided = [r for r in st["extra_due"] if data.get("req_" + r)]
    if not partial and len(provided) < len(st["extra_due"]):
        return ["Please answer every question."]
    st["extra_due"] = [r for r in st["extra_due"] if r not in provided]
    if not st["extra_due"]:
        st["deadline"] = None
        st["errors"] = []
    return []


def _apply_review(sb, account, data, files, partial, ip) -> list[str]:
    if partial:
        return []
    if data.get("tos") != "accepted":
        return ["Accept the services agreement to finish."]
    open_steps = [s.title for s in visible_steps(account)[:-1] if not step_done(s, account)]
    if open_steps:
        return ["Still to do: " + ", ".join(open_steps) + "."]
    account["tos_acceptance"] = {
        "date": sb.clock.now(),
        "ip": ip,
        "user_agent": "sandbox onboarding",
    }
    account_state.submit(sb, account, ip=ip)
    return []
