"""The Stripe card on Settings → Integrations: connect (create with Firmpay or OAuth),
hosted-onboarding return/refresh, Manage, the Stripe dashboard, disconnect.

Thin views: every write is a `firmpay.payments.services` call (which audits, with the
request for the IP), every read a selector. Sidebars are htmx fragments; without htmx the
same URL renders the whole Integrations page with the sidebar open.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from firmpay.core.live import live_stamp, unchanged
from firmpay.integrations.alerts import POLL_SECONDS, firm_account_alert
from firmpay.integrations.fees import firm_month_fees
from firmpay.payments.autopay.selectors import autopay_disconnect_impact
from firmpay.payments.connect.selectors import (
    payment_account_for_firm,
    payment_account_panel,
    payment_card,
)
from firmpay.payments.exceptions import OAuthDenied, PaymentsUserError
from firmpay.payments.models import CreatedVia
from firmpay.payments.services import (
    oauth_complete,
    oauth_start,
    payment_account_create,
    payment_account_dashboard_link,
    payment_account_disconnect,
    payment_account_onboarding_link,
    payment_account_refresh,
)
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.plans import fee_text
from firmpay.tenancy.roles import Action

INDEX = "integrations:index"

# After Stripe sends the firm back, a message in the colour of the account's alert (the
# card, Manage and the banner say the same: firmpay/integrations/alerts.py).
RETURN_LEVELS = {
    "ok": messages.SUCCESS,
    "open": messages.INFO,
    "warn": messages.WARNING,
    "bad": messages.ERROR,
}


def stripe_card_context(request) -> dict:
    """What `integrations/stripe/card.html` needs; the index view merges it in."""
    membership = request.membership
    card = payment_card(firm=request.firm)
    alert = firm_account_alert(firm=request.firm)
    return {
        "stripe_card": card,
        "stripe_alert": alert,
        "stripe_can_manage": membership is not None and membership.can_manage,
        "stripe_since": _stamp(card, alert),
        "poll_seconds": POLL_SECONDS,
        # Gross, Stripe's fee, Firmpay's fee and net, this month and last.
        "stripe_fees": firm_month_fees(firm=request.firm),
        "stripe_fee_rate": fee_text(request.firm.plan),
    }


def _stamp(card, alert) -> str:
    """What the card and Manage show, in short: a poll with the same stamp gets a 204."""
    account = card.account
    return live_stamp(alert, account.pk if account else None, account and account.snapshot_at)


def _unchanged(request):
    card = payment_card(firm=request.firm)
    return unchanged(request, _stamp(card, firm_account_alert(firm=request.firm)))


@member_required
@require_GET
def stripe_card(request):
    """The card alone, polled by the page while a webhook may change it (204 while nothing
    did); the banner comes along out of band so the two never disagree."""
    if (response := _unchanged(request)) is not None:
        return response
    return render(request, "integrations/stripe/_card_live.html", stripe_card_context(request))


def _sidebar(request, template: str, context: dict):
    """The sidebar fragment for htmx; otherwise a settings page holding the same panel."""
    context = {**stripe_card_context(request), **context}
    if request.headers.get("HX-Request") == "true":
        return render(request, template, context)
    context.update(settings_section="integrations", stripe_panel=template)
    return render(request, "integrations/stripe/page.html", context)


def _back_to_card(request):
    """To the card; an htmx sidebar request (a stale page) reloads the whole page instead
    of swapping the page into the sidebar."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(INDEX)
        return response
    return redirect(INDEX)


def _connected_account(request):
    """The firm's connected account; None too for a row still waiting for Stripe's answer
    (a create whose answer was lost: creating again resumes it with the same key)."""
    account = payment_account_for_firm(firm=request.firm)
    return account if account is not None and account.is_connected else None


def _absolute(request, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


def _off_to(request, make_url):
    """Off to the Stripe page whose URL `make_url()` mints; a refusal is a message on the card."""
    try:
        url = make_url()
    except PaymentsUserError as error:
        messages.error(request, str(error))
        return redirect(INDEX)
    return redirect(url)


def _onboarding_redirect(request, account):
    """A fresh single-use Account Link, then off to Stripe-hosted onboarding."""
    return _off_to(
        request,
        lambda: payment_account_onboarding_link(
            account=account,
            return_url=_absolute(request, "integrations:stripe_return"),
            refresh_url=_absolute(request, "integrations:stripe_onboarding"),
        ),
    )


@action_required(Action.INTEGRATION_CONNECT)
@require_GET
def stripe_connect(request):
    if _connected_account(request) is not None:
        messages.info(request, "This firm already has a Stripe account.")
        return _back_to_card(request)
    return _sidebar(request, "integrations/stripe/connect.html", {})


@action_required(Action.INTEGRATION_CONNECT)
@require_POST
def stripe_account_create(request):
    """Create with Firmpay (paid plans; the service refuses and audits otherwise)."""
    try:
        account = payment_account_create(firm=request.firm, actor=request.user, request=request)
    except PaymentsUserError as error:  # PlanRequired for a free firm, Stripe failures
        messages.error(request, str(error))
        return redirect(INDEX)
    return _onboarding_redirect(request, account)


@action_required(Action.INTEGRATION_CONNECT)
@require_GET
def stripe_onboarding(request):
    """Stripe's `refresh_url`, "Continue setup" and the banner's link: mint a fresh link."""
    account = _connected_account(request)
    if account is None:
        messages.info(request, "Connect a Stripe account first.")
        return redirect(INDEX)
    if account.created_via != CreatedVia.PLATFORM:
        return redirect("integrations:stripe_dashboard")
    return _onboarding_redirect(request, account)


@member_required
@require_GET
def stripe_onboarding_return(request):
    """Stripe's `return_url`. Coming back proves nothing: read the account again."""
    account = _connected_account(request)
    if account is None:
        return redirect(INDEX)
    try:
        payment_account_refresh(account=account)
    except PaymentsUserError as error:
        messages.warning(request, str(error))
        return redirect(INDEX)
    alert = firm_account_alert(firm=request.firm)
    messages.add_message(request, RETURN_LEVELS.get(alert.tone, messages.INFO), alert.headline)
    return redirect(INDEX)


@action_required(Action.INTEGRATION_CONNECT)
@require_POST
def stripe_status_refresh(request):
    """ "Check with Stripe now": re-read the account instead of waiting for a webhook."""
    account = _connected_account(request)
    if account is not None:
        try:
            payment_account_refresh(account=account)
            messages.success(request, "Status checked with Stripe.")
        except PaymentsUserError as error:
            messages.warning(request, str(error))
    return redirect(INDEX)


@member_required
@require_GET
def stripe_manage(request):
    """The Manage panel (polled while the account may change; 204 while nothing did).
    Staff see it read-only."""
    account = _connected_account(request)
    if account is None:
        return _back_to_card(request)
    if (response := _unchanged(request)) is not None:
        return response
    panel = payment_account_panel(account=account)
    return _sidebar(request, "integrations/stripe/manage.html", {"panel": panel})


@action_required(Action.INTEGRATION_CONNECT)
@require_GET
def stripe_dashboard(request):
    """The Stripe dashboard (a fresh login link for Express accounts: minted on click)."""
    account = _connected_account(request)
    if account is None:
        return redirect(INDEX)
    return _off_to(request, lambda: payment_account_dashboard_link(account=account))


@action_required(Action.INTEGRATION_CONNECT)
@require_POST
def stripe_oauth_start(request):
    """Connect an existing account: off to Stripe's consent page with a one-time state."""
    if _connected_account(request) is not None:
        messages.info(request, "This firm already has a Stripe account.")
        return redirect(INDEX)
    return _off_to(
        request,
        lambda: oauth_start(
            firm=request.firm,
            user=request.user,
            session=request.session,
            redirect_uri=_absolute(request, "integrations:stripe_oauth_callback"),
        ),
    )


@action_required(Action.INTEGRATION_CONNECT)
@require_GET
def stripe_oauth_callback(request):
    """Stripe sends the browser back here with `code` and `state`, or with `error`."""
    try:
        oauth_complete(
            firm=request.firm,
            user=request.user,
            session=request.session,
            state=request.GET.get("state", ""),
            code=request.GET.get("code") or None,
            error=request.GET.get("error") or None,
            request=request,
        )
    except OAuthDenied as error:
        messages.info(request, str(error))
    except PaymentsUserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your Stripe account is connected.")
    return redirect(INDEX)


@action_required(Action.INTEGRATION_DISCONNECT)
@require_http_methods(["GET", "POST"])
def stripe_disconnect(request):
    """GET: confirm (or, for a platform-created account, say support does it). POST: do it."""
    account = _connected_account(request)
    if account is None:
        return _back_to_card(request)
    if request.method == "GET":
        impact = autopay_disconnect_impact(account=account)
        return _sidebar(
            request, "integrations/stripe/disconnect.html", {"account": account, "autopay": impact}
        )
    try:
        payment_account_disconnect(account=account, actor=request.user, request=request)
    except PaymentsUserError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Stripe is disconnected: clients can no longer pay online. You can connect again "
            "at any time.",
        )
    return redirect(INDEX)
