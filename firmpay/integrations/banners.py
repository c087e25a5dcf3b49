"""The alert banner: what is wrong with the firm's payment account, and the link that fixes it.

`templates/partials/firm_banners.html` renders `firm_banners` (items with `.level`,
`.message`, `.link_url`, `.link_label`) on every page of the firm's app. The Stripe item
comes from `firmpay.integrations.alerts` (the same object the card and Manage render);
other sources of banners can be appended in `firm_banner_items`.

Every page of the app renders the banner, and what it says changes only when the firm's
payment account or a payout changes: the items are cached per firm (and per "can act")
for `CACHE_SECONDS`, and dropped at once when a PaymentAccount or Payout row of the firm
is saved or deleted (`banners_forget`, connected in IntegrationsConfig.ready). With a
shared cache (Redis) that holds for every process; with the per-process default a worker
that did not make the change sees it within `CACHE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse

from firmpay.core.money import format_amount
from firmpay.integrations.alerts import firm_account_alert
from firmpay.payouts.selectors import failed_payouts_recent

STAFF_SUFFIX = " Ask an owner or admin of your firm to fix this."
CACHE_SECONDS = 30


@dataclass(frozen=True)
class Banner:
    level: str  # info | warning | error
    message: str
    link_url: str = ""
    link_label: str = ""
    tone: str = ""  # the colour the card and Manage use for the same problem


def firm_banner_items(*, firm, membership) -> list[Banner]:
    """Owners and admins get the link that resolves the problem; staff only the notice."""
    can_act = membership is not None and membership.can_manage
    banners = []
    alert = firm_account_alert(firm=firm)
    if alert.banner and can_act:
        banners.append(
            Banner(alert.banner_level, alert.headline, alert.link_url, alert.link_label, alert.tone)
        )
    elif alert.banner:
        suffix = STAFF_SUFFIX if alert.banner_level != "info" else ""
        banners.append(Banner(alert.banner_level, alert.headline + suffix, tone=alert.tone))
    banners += _failed_payout_banners(firm=firm, can_act=can_act)
    return banners


def _failed_payout_banners(*, firm, can_act: bool) -> list[Banner]:
    """A payout that did not reach the bank, until a later one of the account is paid."""
    banners = []
    for payout in failed_payouts_recent(firm=firm):
        amount = format_amount(payout.amount, payout.currency)
        reason = payout.failure_message or "the bank returned it."
        message = f"A payout of {amount} did not reach your bank: {reason}"
        if can_act:
            message += " Check the bank account in Stripe; the money is back in your balance."
        link = reverse("payouts:detail", args=[payout.pk])
        banners.append(Banner("error", message, link, "See the payout", tone="bad"))
    return banners


def _cache_key(firm, can_act: bool) -> str:
    # created_at too: a test database (or a restore) can hand a deleted firm's id to another.
    stamp = firm.created_at.timestamp() if firm.created_at else 0
    return f"firm-banners:{firm.pk}:{stamp}:{int(can_act)}"


def firm_banners_cached(*, firm, membership) -> list[Banner]:
    """`firm_banner_items`, cached per firm until its account or a payout changes."""
    can_act = membership is not None and membership.can_manage
    key = _cache_key(firm, can_act)
    items = cache.get(key)
    if items is None:
        items = firm_banner_items(firm=firm, membership=membership)
        cache.set(key, items, CACHE_SECONDS)
    return items


def banners_forget(*, firm) -> None:
    """Drop the firm's cached banners (its payment account or a payout changed)."""
    cache.delete_many([_cache_key(firm, can_act) for can_act in (False, True)])


def banners_forget_for_row(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for PaymentAccount and Payout."""
    from firmpay.tenancy.models import Firm

    firm = Firm.objects.filter(pk=instance.firm_id).only("created_at").first()
    if firm is not None:
        banners_forget(firm=firm)


class _LazyBanners:
    """Computed only when a template renders the banner (htmx fragments never do)."""

    def __init__(self, request):
        self.request = request
        self.items = None

    def __call__(self) -> list[Banner]:
        if self.items is None:
            firm = getattr(self.request, "firm", None)
            membership = getattr(self.request, "membership", None)
            self.items = firm_banners_cached(firm=firm, membership=membership) if firm else []
        return self.items


def firm_banners(request) -> dict:
    """Context processor (config/settings.py TEMPLATES)."""
    return {"firm_banners": _LazyBanners(request)}
