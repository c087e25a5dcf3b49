"""Settings → Integrations → Accounting: connect (OAuth), finish setup (organisation and
accounts), disconnect, retry; and the sync panel on the invoice page. Thin: services write,
selectors read; every query is scoped by `request.firm`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from firmpay.accounting import selectors, services
from firmpay.accounting.exceptions import AccountingUserError, ScopeMissing
from firmpay.accounting.models import ConnectionStatus
from firmpay.accounting.providers import VENDORS
from firmpay.accounting.providers.base import ProviderError
from firmpay.invoices.models import Invoice
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.roles import Action

INDEX = "integrations:index"


def _vendor(vendor: str) -> str:
    if vendor not in VENDORS:
        raise Http404("unknown accounting provider")
    return vendor


@action_required(Action.INTEGRATION_CONNECT)
@require_POST
def accounting_connect(request, vendor: str):
    redirect_uri = request.build_absolute_uri(reverse(f"accounting:{_vendor(vendor)}_callback"))
    try:
        url = services.oauth_start(
            firm=request.firm,
            user=request.user,
            session=request.session,
            vendor=vendor,
            redirect_uri=redirect_uri,
        )
    except AccountingUserError as exc:
        messages.error(request, exc.message)
        return redirect(INDEX)
    return redirect(url)


@action_required(Action.INTEGRATION_CONNECT)
@require_GET
def accounting_callback(request, vendor: str):
    try:
        connection = services.oauth_complete(
            firm=request.firm,
            user=request.user,
            session=request.session,
            vendor=_vendor(vendor),
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            realm_id=request.GET.get("realmId", ""),
            request=request,
        )
    except AccountingUserError as exc:
        messages.error(request, exc.message)
        return redirect(INDEX)
    if connection.status == ConnectionStatus.CONNECTED:
        messages.success(request, f"Reconnected to {connection.org_name}: syncing resumes.")
        return redirect(INDEX)
    return redirect("accounting:setup")


@action_required(Action.INTEGRATION_CONNECT)
@require_http_methods(["GET", "POST"])
def accounting_setup(request):
    """Step 1 (Xero with several organisations): the organisation. Step 2: the accounts."""
    connection = selectors.connection_for_firm(firm=request.firm)
    if connection is None or connection.status == ConnectionStatus.NEEDS_RECONNECT:
        return redirect(INDEX)
    context = {"settings_section": "integrations", "connection": connection, "error": ""}
    if request.method == "POST" and "org_id" in request.POST:
        try:
            services.connection_organisation_choose(
                connection=connection, org_id=request.POST["org_id"]
            )
        except AccountingUserError as exc:
            context["error"] = exc.message
        return _setup_page(request, context)
    if request.method == "POST":
        return _accounts_post(request, connection, context)
    return _setup_page(request, context)


def _setup_page(request, context):
    connection = context["connection"]
    if connection.org_id:
        try:
            context["accounts"] = services.connection_accounts(connection=connection)
        except (AccountingUserError, ProviderError) as exc:
            context["error"] = exc.message
            context["accounts"] = []
        context["bank_accounts"] = [a for a in context["accounts"] if a.kind == "bank"]
        context["income_accounts"] = [a for a in context["accounts"] if a.kind == "income"]
        try:
            context["tax_rates"] = services.connection_tax_rates(connection=connection)
        except (AccountingUserError, ProviderError) as exc:
            context["error"] = context["error"] or exc.message
            context["tax_rates"] = []
        context["expense_accounts"] = [
            a for a in context["accounts"] if a.kind not in ("bank", "income")
        ]
        context["tax_required"] = services.connection_needs_tax_codes(connection=connection)
        context["invoice_prefix"] = request.POST.get("invoice_prefix", connection.invoice_prefix)
    return render(request, "accounting/setup.html", context)


def _accounts_post(request, connection, context):
    try:
        accounts = services.connection_accounts(connection=connection)
        connection = services.connection_accounts_choose(
            connection=connection,
            accounts=accounts,
            payment_account_id=request.POST.get("payment_account", ""),
            income_account_id=request.POST.get("income_account", ""),
            tax_rates=services.connection_tax_rates(connection=connection),
            tax_code=request.POST.get("tax_code", ""),
            tax_code_zero=request.POST.get("tax_code_zero", ""),
            invoice_prefix=request.POST.get("invoice_prefix"),
            user=request.user,
            request=request,
        )
    except (AccountingUserError, ProviderError) as exc:
        context["error"] = exc.message
        return _setup_page(request, context)
    messages.success(request, f"Connected to {connection.org_name}.")
    return redirect(INDEX)


@action_required(Action.INTEGRATION_CONNECT)
@require_POST
def accounting_payouts(request):
    """ "Book Stripe payouts": on with its three accounts, or off."""
    connection = selectors.connection_for_firm(firm=request.firm)
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        return redirect(INDEX)
    enabled = request.POST.get("book_payouts") == "on"
    try:
        connection = services.connection_payout_booking_set(
            connection=connection,
            accounts=services.connection_accounts(connection=connection) if enabled else [],
            enabled=enabled,
            clearing_account_id=request.POST.get("clearing_account", ""),
            fees_account_id=request.POST.get("fees_account", ""),
            payout_account_id=request.POST.get("payout_account", ""),
            user=request.user,
            request=request,
        )
    except (AccountingUserError, ProviderError) as exc:
        context = {
            "settings_section": "integrations",
            "connection": connection,
            "error": "",
            "payouts_error": exc.message,
            "payouts_form": request.POST,
            "payouts_reconnect_url": (
                reverse(f"accounting:{connection.vendor}_connect")
                if isinstance(exc, ScopeMissing)
                else ""
            ),
        }
        return _setup_page(request, context)
    if connection.book_payouts:
        messages.success(
            request,
            f"Stripe payouts will be booked in {connection.org_name}: payments go to "
            f"{connection.clearing_account_name}, each payout moves to "
            f"{connection.payout_account_name}.",
        )
    else:
        messages.success(request, "Stripe payouts are no longer booked.")
    return redirect("accounting:setup")


@action_required(Action.INTEGRATION_DISCONNECT)
@require_POST
def accounting_disconnect(request):
    connection = selectors.connection_for_firm(firm=request.firm)
    if connection is not None:
        services.connection_disconnect(connection=connection, user=request.user, request=request)
        messages.success(request, f"Disconnected {connection.get_vendor_display()}.")
    return redirect(INDEX)


@action_required(Action.INTEGRATION_CONNECT)
@require_POST
def accounting_retry(request):
    count = services.sync_items_retry(firm=request.firm, actor=request.user)
    messages.success(request, f"Retrying {count} sync{'s' if count != 1 else ''} now.")
    return redirect(INDEX)


def _invoice(request, invoice_id: int) -> Invoice:
    return get_object_or_404(Invoice, pk=invoice_id, firm=request.firm)


@member_required
@require_GET
def invoice_sync_panel(request, invoice_id: int):
    return _panel(request, _invoice(request, invoice_id))


@member_required
@require_POST
def invoice_sync_retry(request, invoice_id: int):
    invoice = _invoice(request, invoice_id)
    services.sync_items_retry(firm=request.firm, invoice=invoice, actor=request.user)
    if request.headers.get("HX-Request") == "true":
        return _panel(request, invoice)
    return redirect("invoices:detail", invoice.pk)


def _panel(request, invoice):
    sync = selectors.invoice_sync_state(firm=request.firm, invoice=invoice)
    return render(request, "accounting/_invoice_sync.html", {"invoice": invoice, "sync": sync})


@member_required
@require_POST
def invoice_contact_resolve(request, invoice_id: int, choice: str):
    """A different contact holds the client's name there: link it, or create a distinct one."""
    invoice = _invoice(request, invoice_id)
    services.contact_conflict_resolve(
        firm=request.firm, invoice=invoice, choice=choice, actor=request.user
    )
    if request.headers.get("HX-Request") == "true":
        return _panel(request, invoice)
    return redirect("invoices:detail", invoice.pk)
