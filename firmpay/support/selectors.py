"""Reads for the support back office. Not tenant-scoped on purpose: support staff see
every firm (the views check `is_staff`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from firmpay.core.audit import audit_records_for_firm
from firmpay.payments.connect.selectors import (
    payment_account_for_firm,
    payment_account_panel,
    stripe_events_recent,
    support_firms_with_accounts,
)
from firmpay.payments.models import PaymentAccount
from firmpay.tenancy.models import Firm
from firmpay.tenancy.selectors import members_of_firm


def support_firm_rows(*, query: str = "") -> list:
    """Firms that have or had a payment account; `query` matches the firm's name, its id
    or a Stripe account id (current or past)."""
    rows = support_firms_with_accounts()
    query = query.strip().lower()
    if not query:
        return rows

    def matches(row) -> bool:
        ids = [a.stripe_account_id.lower() for a in [row.account, *row.past_accounts] if a]
        return query in row.firm.name.lower() or query == str(row.firm.pk) or query in ids

    return [row for row in rows if matches(row)]


@dataclass(frozen=True)
class SupportFirmDetail:
    firm: Firm
    members: list
    account: PaymentAccount | None
    panel: object | None  # PaymentAccountPanel of the active account
    past_accounts: list[PaymentAccount]
    events: list
    audit_records: list


def support_firm_detail(*, firm_id: int, events_limit: int = 25) -> SupportFirmDetail:
    firm = get_object_or_404(Firm, pk=firm_id)
    account = payment_account_for_firm(firm=firm)
    past = list(
        PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=False)
        .select_related("disconnected_by")
        .order_by("-disconnected_at")
    )
    stripe_ids = {a.stripe_account_id for a in [account, *past] if a and a.stripe_account_id}
    events = sorted(
        (e for sid in stripe_ids for e in stripe_events_recent(account_id=sid, limit=events_limit)),
        key=lambda event: event.received_at,
        reverse=True,
    )[:events_limit]
    return SupportFirmDetail(
        firm=firm,
        members=list(members_of_firm(firm=firm)),
        account=account,
        panel=payment_account_panel(account=account) if account and account.is_connected else None,
        past_accounts=past,
        events=events,
        audit_records=list(audit_records_for_firm(firm=firm, limit=50)),
    )


def support_active_account(*, firm_id: int, account_id: int) -> PaymentAccount:
    """The firm's active account with this id, or 404 (a stale form never hits another)."""
    return get_object_or_404(
        PaymentAccount.objects.select_related("firm"),
        pk=account_id,
        firm_id=firm_id,
        disconnected_at__isnull=True,
    )
