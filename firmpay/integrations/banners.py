"""The alert banner: what is wrong with the firm's payment account, and the link that fixes it.

`templates/partials/firm_banners.html` renders `firm_banners` (items with `.level`,
`.message`, `.link_url`, `.link_label`) on every page of the firm's app. The Stripe item
comes from `firmpay.integrations.alerts` (the same object the card and Manage render);
other sources of banners can be appended in `firm_banner_items`.
"""

from __future__ import annotations

from dataclasses import dataclass

from firmpay.integrations.alerts import firm_account_alert

STAFF_SUFFIX = " Ask an owner or admin of your firm to fix this."


@dataclass(frozen=True)
class Banner:
    level: str  # info | warning | error
    message: str
    link_url: str = ""
    link_label: str = ""
    tone: str = ""  # the colour the card and Manage use for the same problem


def firm_banner_items(*, firm, membership) -> list[Banner]:
    """Owners and admins get the link that resolves the problem; staff only the notice."""
    alert = firm_account_alert(firm=firm)
    if not alert.banner:
        return []
    can_act = membership is not None and membership.can_manage
    if can_act:
        return [
            Banner(alert.banner_level, alert.headline, alert.link_url, alert.link_label, alert.tone)
        ]
    suffix = STAFF_SUFFIX if alert.banner_level != "info" else ""
    return [Banner(alert.banner_level, alert.headline + suffix, tone=alert.tone)]


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
