"""What each plan offers and costs, said plainly: its monthly price and Firmpay's fee on
each online payment (the application fee taken through Stripe), both set by the operator
(FIRMPAY_PLAN_MONTHLY_PRICES, FIRMPAY_APPLICATION_FEE_BPS)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from firmpay.core.money import format_amount
from firmpay.tenancy.models import PAID_PLANS, Plan

PLAN_SUMMARIES = {
    Plan.FREE: "Invoices, clients and manual payments. Connect an existing Stripe account.",
    Plan.STANDARD: "Everything in Free, plus a Stripe account created with Firmpay.",
    Plan.PRO: "Everything in Standard, for larger firms.",
}


@dataclass(frozen=True)
class PlanOffer:
    value: str
    label: str
    summary: str
    paid: bool
    current: bool
    price: str  # "No monthly charge" or "$29.00 a month"
    fee: str  # "0.75% of each online payment" or "No Firmpay fee on online payments"
    fee_bps: int


def fee_bps(plan: str) -> int:
    return int(settings.FIRMPAY_APPLICATION_FEE_BPS.get(plan, 0))


def fee_percent(bps: int) -> str:
    """75 → "0.75%", 150 → "1.5%", 200 → "2%"."""
    percent = (Decimal(bps) / 100).normalize()
    return f"{percent:f}%"


def fee_text(plan: str) -> str:
    bps = fee_bps(plan)
    if bps <= 0:
        return "No Firmpay fee on online payments"
    return f"{fee_percent(bps)} of each online payment"


def price_text(plan: str) -> str:
    price = int(settings.FIRMPAY_PLAN_MONTHLY_PRICES.get(plan, 0))
    if price <= 0:
        return "No monthly charge"
    return f"{format_amount(price, settings.FIRMPAY_PLAN_CURRENCY)} a month"


def plan_offers(*, current: str) -> list[PlanOffer]:
    return [
        PlanOffer(
            value=value,
            label=label,
            summary=PLAN_SUMMARIES[value],
            paid=value in PAID_PLANS,
            current=value == current,
            price=price_text(value),
            fee=fee_text(value),
            fee_bps=fee_bps(value),
        )
        for value, label in Plan.choices
    ]
