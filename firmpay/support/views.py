"""The support back office at /support/: firms with their payment accounts, a firm's
detail (account, recent Stripe events, audit records) and the support-only disconnect."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from firmpay.payments.connect.selectors import stripe_api_version, stripe_events_flagged
from firmpay.payments.exceptions import PaymentsUserError
from firmpay.payments.services import payment_account_disconnect
from firmpay.support.decorators import support_staff_required
from firmpay.support.selectors import (
    support_active_account,
    support_firm_detail,
    support_firm_rows,
)


@support_staff_required
@require_GET
def support_index(request):
    query = request.GET.get("q", "")
    rows = support_firm_rows(query=query)
    context = {
        "rows": rows,
        "query": query,
        "flagged": stripe_events_flagged(limit=50),
        "pinned_api_version": stripe_api_version(),
    }
    return render(request, "support/index.html", context)


@support_staff_required
@require_GET
def support_firm(request, firm_id: int):
    return render(request, "support/firm.html", {"detail": support_firm_detail(firm_id=firm_id)})


@support_staff_required
@require_POST
def support_account_disconnect(request, firm_id: int, account_id: int):
    """Disconnect any account (platform-created included); a reason is required and lands
    in the audit record with the support user and their IP."""
    account = support_active_account(firm_id=firm_id, account_id=account_id)
    try:
        payment_account_disconnect(
            account=account,
            actor=request.user,
            reason=request.POST.get("reason", "").strip(),
            by_support=True,
            support_ticket=request.POST.get("ticket", "").strip(),
            request=request,
        )
    except PaymentsUserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Disconnected {account.stripe_account_id} from {account.firm}.")
    return redirect("support:firm", firm_id=firm_id)
