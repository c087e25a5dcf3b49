"""The alert banner: what is wrong with the firm's payment account, and the link that fixes it.

`templates/partials/firm_banners.html` renders `firm_banners` (items with `.level`,
`.message`, `.link_url`, `.link_label`) on every page of the firm's app. Other sources of
banners can be appended in `firm_banner_items`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from firmpay.core.money import format_amount
from firmpay.payments.connect.selectors import firm_payment_alerts
from firmpay.payouts.selectors import failed_payouts_recent

STAFF_SUFFIX = " Ask an owner or admin of your firm to fix this."


@dataclass(frozen=True)
class Banner:
    level: str  # warning | error
    message: str
    link_url: str = ""
    link_label: str = ""


def _alert_link(alert) -> str:
    if alert.action == "onboarding":
        return reverse("integrations:stripe_onboarding")
    if alert.action == "dashboard":
        return alert.action_url or reverse("integrations:stripe_dashboard")
    return reverse("integrations:index")


def firm_banner_items(*, firm, membership) -> list[Banner]:
    """Owners and admins get the link that resolves the problem; staff only the notice."""
    can_act = membership is not None and membership.can_manage
    banners = []
    for alert in firm_payment_alerts(firm=firm):
        if can_act:
            banners.append(
                Banner(alert.level, alert.message, _alert_link(alert), alert.action_label)
            )
        else:
            banners.append(Banner(alert.level, alert.message + STAFF_SUFFIX))
    for payout in failed_payouts_recent(firm=firm):
        amount = format_amount(payout.amount, payout.currency)
        reason = payout.failure_message or "the bank returned it."
        message = f"A payout of {amount} did not reach your bank: {reason}"
        if can_act:
            message += " Check the bank account in Stripe; the money is back in your balance."
        link = reverse("payouts:detail", args=[payout.pk])
        banners.append(Banner("error", message, link, "See the payout"))
    return banners


class _LazyBanners:
    """Computed only when a template renders the banner (htmx fragments never do)."""

    def __init__(self, request):
        self.request = request
        self.items = None

    def __call__(self) -> list[Banner]:
        if self.items is None:
            firm = getattr(self.request, "firm", None)
            membership = getattr(self.request, "membership", None)
            self.items = firm_banner_items(firm=firm, membership=membership) if firm else []
        return self.items


def firm_banners(request) -> dict:
    """Context processor (config/settings.py TEMPLATES)."""
    return {"firm_banners": _LazyBanners(request)}
