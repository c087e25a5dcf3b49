"""The card, Manage and the banner say the same thing about the Stripe account, in the same
colour, for every state a firm can meet (issue 18, points 2-4), and the banner's link goes
where that problem is fixed. Accounts are stored snapshots: nothing here calls Stripe."""

from __future__ import annotations

import datetime
import html
import re
import uuid
import zoneinfo
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from firmpay.core.dates import day_format
from firmpay.integrations.tests.conftest import client_for
from firmpay.payments.models import PaymentAccount
from firmpay.payments.stripe.dataclasses import AccountSnapshot, Requirements
from firmpay.tenancy.models import Role

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
ONBOARDING = "/settings/integrations/stripe/onboarding/"
DASHBOARD = "/settings/integrations/stripe/dashboard/"
MANAGE = "/settings/integrations/stripe/manage/"
CONNECT = "/settings/integrations/stripe/connect/"


def midnight_utc_in(days: int) -> datetime.datetime:
    """Stripe's deadlines fall at midnight UTC: the evening before in New York."""
    day = timezone.now().astimezone(datetime.UTC).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


IN_20_DAYS = midnight_utc_in(20)
IN_3_DAYS = midnight_utc_in(3)
VERIFIED = dict(details_submitted=True, charges_enabled=True, payouts_enabled=True)


@dataclass
class Case:
    name: str
    snapshot: dict | None  # AccountSnapshot fields; None: no account
    status: str  # the card's badge
    tone: str
    link: str | None  # the banner's link; None: no banner
    says: str  # a part of the headline every place shows
    via: str = "platform"
    were_enabled: bool = False  # charges and payouts were on once
    deauthorized: bool = False
    restriction: str | None = None  # Manage's Restriction line (None: not shown)
    deadline: datetime.datetime | None = None
    extra: dict = field(default_factory=dict)


CASES = [
    Case("not connected", None, "Not connected", "off", None, "Connect a Stripe account"),
    Case(
        "deauthorized",
        None,
        "Not connected",
        "bad",
        CONNECT,
        "disconnected from Stripe",
        deauthorized=True,
    ),
    Case(
        "incomplete",
        dict(
            requirements=Requirements(
                past_due=("company.tax_id", "external_account"),
                disabled_reason="requirements.past_due",
            )
        ),
        "Incomplete",
        "warn",
        ONBOARDING,
        "Finish setting up your Stripe account",
    ),
    Case(
        "incomplete, own account",
        dict(requirements=Requirements(currently_due=("company.tax_id",))),
        "Incomplete",
        "warn",
        DASHBOARD,
        "Finish setting up",
        via="oauth",
    ),
    Case(
        "due in 20 days",
        dict(
            VERIFIED,
            requirements=Requirements(
                currently_due=("company.tax_id",), current_deadline=IN_20_DAYS
            ),
        ),
        "Action required",
        "warn",
        ONBOARDING,
        "Payments keep working until",
        were_enabled=True,
        deadline=IN_20_DAYS,
    ),
    Case(
        "due in 3 days",
        dict(
            VERIFIED,
            requirements=Requirements(
                currently_due=("company.tax_id",), current_deadline=IN_3_DAYS
            ),
        ),
        "Action required",
        "bad",
        ONBOARDING,
        "Payments keep working until",
        were_enabled=True,
        deadline=IN_3_DAYS,
    ),
    Case(
        "past due",
        dict(
            details_submitted=True,
            requirements=Requirements(
                past_due=("representative.verification.document",),
                disabled_reason="requirements.past_due",
            ),
        ),
        "Action required",
        "bad",
        ONBOARDING,
        "Identity document for the representative",
        restriction="Required information is overdue",
    ),
    Case(
        "under review",
        dict(
            details_submitted=True,
            requirements=Requirements(pending_verification=("company.tax_id",)),
        ),
        "Under review",
        "open",
        MANAGE,
        "Stripe is reviewing",
    ),
    Case(
        "payouts paused",
        dict(VERIFIED, payouts_enabled=False),
        "Active",
        "warn",
        DASHBOARD,
        "Stripe has paused payouts",
        were_enabled=True,
    ),
    Case(
        "charges paused",
        dict(
            details_submitted=True,
            requirements=Requirements(
                currently_due=("company.tax_id",), disabled_reason="requirements.past_due"
            ),
        ),
        "Action required",
        "bad",
        ONBOARDING,
        "Stripe has paused payments",
        were_enabled=True,
        restriction="Required information is overdue",
    ),
    Case(
        "rejected",
        dict(details_submitted=True, requirements=Requirements(disabled_reason="rejected.fraud")),
        "Action required",
        "bad",
        DASHBOARD,
        "cannot be fixed by the firm",
        were_enabled=True,
        restriction="Stripe rejected the account (suspected fraud)",
    ),
    Case("active", dict(VERIFIED), "Active", "ok", None, "clients can pay online"),
]


def store_account(firm, case: Case) -> None:
    account_id = f"acct_{uuid.uuid4().hex[:16]}"
    snapshot = AccountSnapshot(id=account_id, created_via=case.via, **case.snapshot)
    PaymentAccount.objects.create(
        firm=firm,
        stripe_account_id=account_id,
        created_via=case.via,
        snapshot=snapshot.to_dict(),
        snapshot_at=timezone.now(),
        charges_enabled=snapshot.charges_enabled,
        payouts_enabled=snapshot.payouts_enabled,
        charges_were_enabled=case.were_enabled,
        payouts_were_enabled=case.were_enabled,
    )


def deauthorized_account(firm) -> None:
    PaymentAccount.objects.create(
        firm=firm,
        stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
        created_via="oauth",
        deauthorized_at=timezone.now(),
        disconnected_at=timezone.now(),
    )


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def tone_of(page: str, element_id: str) -> str:
    match = re.search(rf'class="badge (\w+)" id="{element_id}"', page)
    return match.group(1) if match else ""


def banners(page: str) -> list[dict]:
    found = re.findall(
        r'<div class="banner banner-\w+ tone-(\w+)"[^>]*><span>(.*?)</span>'
        r'(?: <a href="([^"]*)">)?',
        page,
        re.S,
    )
    return [{"tone": t, "text": html.unescape(m), "link": link or None} for t, m, link in found]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_card_manage_and_banner_agree(make_firm, case):
    firm = make_firm()
    firm.timezone = "America/New_York"
    firm.save(update_fields=["timezone"])
    if case.deauthorized:
        deauthorized_account(firm)
    elif case.snapshot is not None:
        store_account(firm, case)
    owner = client_for(firm.members[Role.OWNER])

    card_page = owner.get("/settings/integrations/").content.decode()
    headline = text_of(card_page, "stripe-status-message")
    assert text_of(card_page, "stripe-status") == case.status
    assert tone_of(card_page, "stripe-status") == case.tone
    assert case.says in headline

    shown = banners(owner.get("/invoices/").content.decode())
    if case.link is None:
        assert shown == []
    else:
        assert shown == [{"tone": case.tone, "text": headline, "link": case.link}]

    if case.snapshot is not None:
        manage = owner.get(MANAGE, headers={"HX-Request": "true"}).content.decode()
        assert text_of(manage, "manage-status") == case.status
        assert tone_of(manage, "manage-status") == case.tone
        assert text_of(manage, "manage-headline") == headline
        assert (text_of(manage, "manage-restriction") or None) == case.restriction
        if case.deadline is not None:
            day = day_format(case.deadline, tz=NEW_YORK)  # the evening before, in New York
            assert day in headline
            assert f"<td>{day}</td>" in manage
            assert day_format(case.deadline, tz=datetime.UTC) not in manage + headline


def test_staff_read_the_same_banner_without_the_link(make_firm):
    firm = make_firm()
    store_account(firm, CASES[6])  # past due
    owner_banner = banners(client_for(firm.members[Role.OWNER]).get("/invoices/").content.decode())
    staff_banner = banners(client_for(firm.members[Role.STAFF]).get("/invoices/").content.decode())
    assert staff_banner[0]["text"].startswith(owner_banner[0]["text"])
    assert "Ask an owner or admin" in staff_banner[0]["text"]
    assert staff_banner[0]["link"] is None and staff_banner[0]["tone"] == "bad"
