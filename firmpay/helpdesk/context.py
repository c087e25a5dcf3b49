"""What each firm message carries for support, captured from the request (never typed)."""

from __future__ import annotations

from urllib.parse import urlsplit

from firmpay.payments.connect.selectors import payment_account_for_firm


def page_path(request) -> str:
    """The page the member was on: htmx sends it as HX-Current-URL (the panel is loaded
    into whatever page is open); otherwise the request's own path."""
    current = request.headers.get("HX-Current-URL", "")
    path = urlsplit(current).path if current else ""
    return (path or request.path)[:300]


def firm_message_context(*, request, extra: dict | None = None) -> dict:
    firm, membership = request.firm, request.membership
    account = payment_account_for_firm(firm=firm)
    return {
        "firm_id": firm.pk,
        "firm_name": firm.name,
        "member_email": request.user.email,
        "member_role": membership.role if membership else "",
        "page_path": page_path(request),
        "payment_account_id": account.stripe_account_id if account else "",
        "payment_account_status": account.status if account else "not_connected",
        "payment_account_created_via": account.created_via if account else "",
        "plan": firm.plan,
        **(extra or {}),
    }
