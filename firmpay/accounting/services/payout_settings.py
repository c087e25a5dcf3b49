"""The firm's choice "Book Stripe payouts" on its accounting connection, with the accounts it
needs: the Stripe clearing account, the fees account and the bank account payouts land in,
each checked against what the vendor accepts for that role (providers'
`payout_account_problem`)."""

from __future__ import annotations

from django.db import transaction

from firmpay.accounting.exceptions import ConnectionNotReady, ScopeMissing
from firmpay.accounting.models import AccountingConnection, ConnectionStatus
from firmpay.accounting.providers import provider_for
from firmpay.accounting.providers.base import PAYOUT_ROLES, LedgerAccount
from firmpay.accounting.services.tokens import connection_access_token
from firmpay.core.audit import audit_record_create

ROLES = tuple(PAYOUT_ROLES)


def _chosen(by_id: dict[str, LedgerAccount], account_id: str, role: str) -> LedgerAccount:
    chosen = by_id.get(account_id)
    if chosen is None:
        raise ConnectionNotReady(f"Choose {PAYOUT_ROLES[role]}.")
    return chosen


def connection_payout_booking_set(
    *,
    connection: AccountingConnection,
    accounts: list[LedgerAccount],
    enabled: bool,
    clearing_account_id: str = "",
    fees_account_id: str = "",
    payout_account_id: str = "",
    user,
    request=None,
) -> AccountingConnection:
    """Turn payout booking on (with its three accounts, refused when the vendor would refuse
    them) or off. Payments recorded from now on go to the clearing account while it is on;
    payouts paid from now on are booked."""
    chosen: dict[str, LedgerAccount] = {}
    if enabled:
        provider = provider_for(connection.vendor)
        problem = provider.payout_scope_problem(
            access_token=connection_access_token(connection=connection)
        )
        if problem:
            raise ScopeMissing(problem)
        by_id = {a.id: a for a in accounts}
        wanted = {
            "clearing": clearing_account_id,
            "fees": fees_account_id,
            "payout": payout_account_id,
        }
        for role in ROLES:
            chosen[role] = _chosen(by_id, wanted[role], role)
            problem = provider.payout_account_problem(account=chosen[role], role=role)
            if problem:
                raise ConnectionNotReady(problem)
        if chosen["clearing"].id == chosen["payout"].id:
            raise ConnectionNotReady(
                "The clearing account and the bank account payouts land in must differ: "
                "the clearing account holds what Stripe owes you until each payout."
            )
    with transaction.atomic():
        locked = AccountingConnection.objects.select_for_update().get(pk=connection.pk)
        if locked.status != ConnectionStatus.CONNECTED:
            raise ConnectionNotReady("Finish connecting before booking payouts.")
        locked.book_payouts = enabled
        for role, picked in chosen.items():
            setattr(locked, f"{role}_account_id", picked.id)
            setattr(locked, f"{role}_account_code", picked.code)
            setattr(locked, f"{role}_account_name", picked.name)
        locked.save()
        audit_record_create(
            action="accounting.payout_booking_" + ("on" if enabled else "off"),
            firm=locked.firm,
            actor=user,
            target=locked,
            detail={role: picked.label for role, picked in chosen.items()},
            request=request,
        )
    return locked
