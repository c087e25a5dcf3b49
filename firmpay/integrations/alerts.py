"""THE one place that decides what a firm is told about its Stripe account.

`account_alert` reads one account snapshot and returns everything the pages show about
it: the card's status badge, the sentence under it (which is also Manage's headline), the
alert banner (or none), the colour of all three, and whether the page should keep asking
for news. The card, Manage and the banner render this object and nothing else, so they
cannot disagree (issue 18: a red "payouts paused" banner above a green "active" card).

States, first match wins (DESIGN.md "The Stripe integration, as a firm sees it"):
deauthorized, not connected, incomplete, rejected, charges paused, action required
(overdue / with a deadline / without), under review, payouts paused, active.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from firmpay.core.dates import day_format, zone_of
from firmpay.payments.connect.selectors import payment_account_for_firm, payment_account_snapshot
from firmpay.payments.models import CreatedVia, PaymentAccount
from firmpay.payments.stripe.dataclasses import AccountSnapshot
from firmpay.payments.stripe.requirements import requirement_label
from firmpay.payments.stripe.status import (
    ACTION_REQUIRED,
    INCOMPLETE,
    LABELS,
    NOT_CONNECTED,
    NOT_FIXABLE_BY_FIRM,
    REVIEW_REASONS,
    UNDER_REVIEW,
    disabled_reason_label,
    integration_status,
    is_rejected,
)

# A page showing an account that may change by itself asks again this often.
POLL_SECONDS = 3

# Colours (CSS classes `tone-*` and `badge <tone>`), and the banner level of each.
OK, INFO, WARN, BAD, OFF = "ok", "open", "warn", "bad", "off"
BANNER_LEVELS = {INFO: "info", WARN: "warning", BAD: "error"}

# Where each problem is fixed (a URL name, or "dashboard" for the Stripe dashboard).
ONBOARDING = "integrations:stripe_onboarding"  # a fresh Account Link on the missing fields
DASHBOARD = "integrations:stripe_dashboard"
MANAGE = "integrations:stripe_manage"
CONNECT = "integrations:stripe_connect"


@dataclass(frozen=True)
class AccountAlert:
    """What the card, Manage and the banner say about the firm's Stripe account."""

    state: str  # deauthorized | not_connected | incomplete | rejected | charges_paused |
    # past_due | deadline | action_required | under_review | payouts_paused | active
    status_code: str  # the card's badge (DESIGN.md's integration status)
    status_label: str
    tone: str  # ok | open | warn | bad | off: the colour of badge, headline and banner
    headline: str  # the card's sentence and Manage's headline
    link_url: str = ""  # the banner's link: where this problem is fixed
    link_label: str = ""
    banner: bool = False  # shown on every page of the firm's app
    restriction: str = ""  # Manage's "Restriction" line; "" when it would only confuse
    live: bool = False  # may change by itself (a webhook): pages keep asking

    @property
    def banner_level(self) -> str:
        return BANNER_LEVELS.get(self.tone, "info")


def firm_account_alert(*, firm, now: datetime.datetime | None = None) -> AccountAlert:
    """The alert for the firm's current account (or its last one, if Stripe cut it off)."""
    account = payment_account_for_firm(firm=firm)
    snapshot = payment_account_snapshot(account=account)
    deauthorized = False
    if snapshot is None:
        latest = (
            PaymentAccount.objects.filter(firm=firm, disconnected_at__isnull=False)
            .order_by("-disconnected_at")
            .only("deauthorized_at")
            .first()
        )
        deauthorized = latest is not None and latest.deauthorized_at is not None
        account = None
    return account_alert(
        account=account,
        snapshot=snapshot,
        deauthorized=deauthorized,
        tz=zone_of(firm),
        now=now or timezone.now(),
    )


def account_alert(
    *,
    account: PaymentAccount | None,
    snapshot: AccountSnapshot | None,
    deauthorized: bool = False,
    tz: datetime.tzinfo = datetime.UTC,
    now: datetime.datetime,
) -> AccountAlert:
    """Pure: the same snapshot always gives the same words, link and colour."""
    if account is None or snapshot is None:
        return _not_connected(deauthorized)
    status = integration_status(snapshot)
    req = snapshot.requirements
    platform = account.created_via == CreatedVia.PLATFORM
    fix = _fix_link(snapshot, platform)
    alert = _Builder(status.code, fix)
    if status.code == INCOMPLETE:
        return alert(
            "incomplete",
            WARN,
            "Finish setting up your Stripe account: clients cannot pay online until you do.",
            banner=True,
            live=True,
            label="Continue Stripe setup",
        )
    if is_rejected(req.disabled_reason) or req.disabled_reason in NOT_FIXABLE_BY_FIRM:
        return _not_fixable(alert, snapshot, status.message)
    if account.charges_were_enabled and not snapshot.charges_enabled:
        return alert(
            "charges_paused",
            BAD,
            "Stripe has paused payments on your account: clients cannot pay online. "
            + _what_is_needed(snapshot),
            banner=True,
            live=True,
            restriction=_restriction(snapshot),
        )
    if status.code == ACTION_REQUIRED:
        return _action_required(alert, snapshot, tz, now)
    if status.code == UNDER_REVIEW:
        return alert(
            "under_review",
            INFO,
            "Stripe is reviewing the information you gave: clients can pay online once it "
            "is done. Nothing to do for now.",
            banner=True,
            live=True,
            link=(MANAGE, "See what Stripe is checking"),
        )
    if account.payouts_were_enabled and not snapshot.payouts_enabled:
        return _payouts_paused(alert, snapshot, platform)
    return _active(alert, snapshot, platform)


class _Builder:
    """Fills in the parts every state shares (the badge, the default fix link)."""

    def __init__(self, status_code: str, fix: tuple[str, str]):
        self.status_code = status_code
        self.fix = fix

    def __call__(self, state, tone, headline, *, link=None, label="", **extra) -> AccountAlert:
        name, default_label = link or self.fix
        banner = extra.get("banner", False)
        return AccountAlert(
            state=state,
            status_code=self.status_code,
            status_label=LABELS[self.status_code],
            tone=tone,
            headline=headline,
            link_url=reverse(name) if banner else "",
            link_label=(label or default_label) if banner else "",
            **extra,
        )


def _not_connected(deauthorized: bool) -> AccountAlert:
    if deauthorized:
        return AccountAlert(
            state="deauthorized",
            status_code=NOT_CONNECTED,
            status_label=LABELS[NOT_CONNECTED],
            tone=BAD,
            headline="Your Stripe account was disconnected from Stripe's side, so clients "
            "cannot pay online. Connect Stripe again to resume online payments.",
            link_url=reverse(CONNECT),
            link_label="Connect Stripe",
            banner=True,
        )
    return AccountAlert(
        state="not_connected",
        status_code=NOT_CONNECTED,
        status_label=LABELS[NOT_CONNECTED],
        tone=OFF,
        headline="Connect a Stripe account to take payments online.",
    )


def _anything_due(snapshot: AccountSnapshot) -> bool:
    req = snapshot.requirements
    return bool(
        not snapshot.details_submitted or req.past_due or req.currently_due or req.eventually_due
    )


def _fix_link(snapshot: AccountSnapshot, platform: bool) -> tuple[str, str]:
    """Stripe's onboarding only helps when it has fields to ask for (else it is a "Review
    and submit" page that changes nothing); everything else is fixed in the dashboard."""
    if platform and _anything_due(snapshot):
        return ONBOARDING, "Provide the information"
    return DASHBOARD, "Open the Stripe dashboard"


def _items(keys) -> str:
    labels = list(dict.fromkeys(requirement_label(key) for key in keys))
    shown = ", ".join(labels[:3])
    return shown + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")


def _what_is_needed(snapshot: AccountSnapshot) -> str:
    req = snapshot.requirements
    keys = req.past_due or req.currently_due
    if keys:
        return f"Stripe needs: {_items(keys)}."
    if req.disabled_reason and req.disabled_reason not in REVIEW_REASONS:
        return f"Stripe says: {disabled_reason_label(req.disabled_reason)}."
    return "Check the account in the Stripe dashboard."


def _restriction(snapshot: AccountSnapshot) -> str:
    """Stripe's disabled_reason in words; not for an account still in first onboarding,
    where Stripe calls every unanswered field "past due"."""
    if not snapshot.details_submitted:
        return ""
    return disabled_reason_label(snapshot.requirements.disabled_reason)


def _not_fixable(alert, snapshot: AccountSnapshot, message: str) -> AccountAlert:
    reason = snapshot.requirements.disabled_reason or ""
    link = (MANAGE, "See the account") if "platform" in reason else None
    return alert(
        "rejected",
        BAD,
        message,
        banner=True,
        restriction=disabled_reason_label(reason),
        link=link or (DASHBOARD, "Open the Stripe dashboard"),
    )


def _action_required(alert, snapshot: AccountSnapshot, tz, now) -> AccountAlert:
    req = snapshot.requirements
    restriction = _restriction(snapshot)
    if req.past_due:
        return alert(
            "past_due",
            BAD,
            f"Stripe needs overdue information ({_items(req.past_due)}). Payments or payouts "
            "may be paused until you provide it.",
            banner=True,
            live=True,
            restriction=restriction,
        )
    if req.currently_due and req.current_deadline:
        day = day_format(req.current_deadline, tz=tz)
        if snapshot.charges_enabled:
            text = f"Payments keep working until {day}: provide it before then."
        else:
            text = f"Provide it by {day}."
        soon = req.current_deadline - now <= datetime.timedelta(days=7)
        return alert(
            "deadline",
            BAD if soon else WARN,
            f"Stripe needs more information ({_items(req.currently_due)}). {text}",
            banner=True,
            live=True,
            restriction=restriction,
        )
    return alert(
        "action_required",
        WARN,
        "Stripe needs more information before this account can take payments. "
        + _what_is_needed(snapshot),
        banner=True,
        live=True,
        restriction=restriction,
    )


def _payouts_paused(alert, snapshot: AccountSnapshot, platform: bool) -> AccountAlert:
    needed = _anything_due(snapshot)
    what = (
        "provide what Stripe asks for to resume them."
        if needed and platform
        else "check your payout bank account in the Stripe dashboard."
    )
    return alert(
        "payouts_paused",
        WARN,
        f"Clients can pay online, but Stripe has paused payouts to your bank account: {what}",
        banner=True,
        live=True,
        restriction=_restriction(snapshot),
    )


def _active(alert, snapshot: AccountSnapshot, platform: bool) -> AccountAlert:
    if not snapshot.payouts_enabled:
        return alert(
            "active",
            OK,
            "Clients can pay online. Stripe starts payouts to your bank once it has checked "
            "the account.",
            live=True,
        )
    later = ""
    if snapshot.requirements.eventually_due or snapshot.future_requirements.currently_due:
        later = " Stripe will need more information later: see Manage."
    return alert("active", OK, "Your Stripe account is active: clients can pay online." + later)
