"""Payouts of a connected account and what each contains. The only code calling
`client.v1.payouts.*` and `client.v1.balance_transactions.*`; answers become the
dataclasses below (event objects through `payout_from_stripe`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from firmpay.payments.facts import PayoutState
from firmpay.payments.stripe.client import get_client
from firmpay.payments.stripe.errors import account_access_checked
from firmpay.payments.stripe.mappers import from_timestamp

PAGE = 100  # Stripe's largest page


@dataclass(frozen=True)
class BalanceLine:
    """One balance transaction: what it moved (gross), the fees taken from it, the net."""

    id: str
    type: str  # charge | payment | refund | adjustment | payout | payment_failure_refund ...
    amount: int
    fee: int
    stripe_fee: int
    application_fee: int
    net: int
    currency: str
    source: str  # ch_, py_, re_, pyr_, dp_, po_ ...
    description: str
    created: datetime | None


def payout_from_stripe(data: Mapping) -> PayoutState:
    arrival = from_timestamp(data.get("arrival_date"))
    return PayoutState(
        id=data["id"],
        amount=int(data.get("amount") or 0),
        currency=str(data.get("currency") or "").upper(),
        status=str(data.get("status") or ""),
        automatic=bool(data.get("automatic")),
        arrival_date=arrival.date() if arrival else None,
        created=from_timestamp(data.get("created")),
        failure_code=str(data.get("failure_code") or ""),
        failure_message=str(data.get("failure_message") or ""),
    )


def _source_id(source) -> str:
    if isinstance(source, Mapping):
        return str(source.get("id") or "")
    return str(source or "")


def balance_line_from_stripe(data: Mapping) -> BalanceLine:
    details = data.get("fee_details") or []
    by_type: dict[str, int] = {}
    for detail in details:
        by_type[detail.get("type") or ""] = by_type.get(detail.get("type") or "", 0) + int(
            detail.get("amount") or 0
        )
    fee = int(data.get("fee") or 0)
    application_fee = by_type.get("application_fee", 0)
    return BalanceLine(
        id=data["id"],
        type=str(data.get("type") or ""),
        amount=int(data.get("amount") or 0),
        fee=fee,
        stripe_fee=fee - application_fee,
        application_fee=application_fee,
        net=int(data.get("net") or 0),
        currency=str(data.get("currency") or "").upper(),
        source=_source_id(data.get("source")),
        description=str(data.get("description") or ""),
        created=from_timestamp(data.get("created")),
    )


# A missing account (not a missing payout) means Firmpay lost access to it.
ACCESS_LOST_CODES = frozenset({"account_invalid"})


def payout_retrieve(*, stripe_account_id: str, payout_id: str) -> PayoutState:
    with account_access_checked("payout retrieve", lost_codes=ACCESS_LOST_CODES):
        payout = get_client().v1.payouts.retrieve(
            payout_id, options={"stripe_account": stripe_account_id}
        )
    return payout_from_stripe(payout.to_dict())


def payout_balance_lines(*, stripe_account_id: str, payout_id: str) -> Iterator[BalanceLine]:
    """Every balance transaction an automatic payout paid out (its own included), one list
    call per page of 100."""
    params: dict = {"payout": payout_id, "limit": PAGE}
    while True:
        with account_access_checked("balance transactions list", lost_codes=ACCESS_LOST_CODES):
            page = get_client().v1.balance_transactions.list(
                params=params, options={"stripe_account": stripe_account_id}
            )
        for item in page.data:
            yield balance_line_from_stripe(item.to_dict())
        if not page.has_more or not page.data:
            return
        params = {**params, "starting_after": page.data[-1].id}
