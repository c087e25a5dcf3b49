"""Tenancy acceptance: every URL pattern that names an object (any captured kwarg) is found
by walking the URL configuration, firm A's object is built through BUILDERS, and a logged-in
owner of firm B gets 404 for it on GET and POST (405 where the view does not take the method).

A pattern added later with a kwarg that has no builder makes `test_every_object_url_is_covered`
fail: add a builder below (keyed by kwarg name, or "namespace:name" + kwarg for a route that
means something else by it), or, for a public token link, an entry in PUBLIC with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from firmpay.tenancy.models import Role
from firmpay.tenancy.tests.factories import (
    client_for,
    make_firm,
    make_member,
    make_owner,
    make_user,
)

# Links whose secret token is the credential: no firm session is involved, so "another
# firm's member" has no meaning there. Each is tested where it is built.
PUBLIC = {
    "invoice_link:show": "client-facing invoice page; signed, revocable token "
    "(firmpay/invoices/tests/test_client_link.py)",
    "invoice_pay:pay": "the client's Pay button under the invoice token (firmpay/payments)",
    "invoice_pay:paid": "the client's return page under the invoice token; the payment must "
    "belong to that token's invoice (firmpay/payments)",
    "reminders:unsubscribe": "the client's signed unsubscribe link (firmpay/reminders)",
    "invoice_pay:autopay": "the client's 'Pay automatically' button under the invoice token "
    "(firmpay/payments/autopay)",
    "autopay-manage": "the client's signed autopay link (firm and client in the signature; "
    "firmpay/payments/tests/test_autopay_pages.py)",
    "autopay-start": "set up autopay under the client's signed autopay link",
    "autopay-revoke": "revoke autopay under the client's signed autopay link",
    "autopay-renew": "email a new autopay link, only for an expired signed link and only to "
    "the client's address on file (firmpay/payments/tests/test_autopay_links_and_dates.py)",
    "tenancy:invitation_accept": "the emailed invitation token; only the invited email may "
    "accept (firmpay/tenancy/tests/test_invitations.py)",
    "tenancy:password_reset_confirm": "Django's signed password reset link",
    "documents:link_invoice_pdf": "the invoice PDF under the client's invoice token "
    "(firmpay/documents/tests/test_pdfs.py)",
    "documents:logo": "the firm's logo, shown on its client pages and emails",
    "documents:style": "the firm's accent colour stylesheet, for its client pages",
}
# The client portal: the credential is the portal session of one client of one firm, never
# a firm member's login; every portal URL with another client's or firm's ids is tested in
# firmpay/portal/tests/test_tenancy.py.
PUBLIC.update(
    {
        name: "client portal (firmpay/portal/tests/test_tenancy.py)"
        for name in (
            "portal:home portal:signin portal:signin_link portal:signout portal:invoice "
            "portal:paid portal:pay portal:paid_return portal:payments portal:statement "
            "portal:details portal:email_confirm portal:methods portal:invoice_pdf "
            "portal:receipt_pdf portal:statement_pdf"
        ).split()
    }
)


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when unnamed
    route: str  # the full route, e.g. "invoices/<int:invoice_id>/send/"
    kwargs: tuple[str, ...]

    def path(self, values: dict) -> str:
        def value(match):
            return str(values[match.group("kwarg")])

        return "/" + re.sub(r"<(?:\w+:)?(?P<kwarg>\w+)>", value, self.route)


def object_routes(resolver=None, prefix="", namespace="", kwargs=()) -> list[Route]:
    """Every pattern in the URL configuration that captures a kwarg, recursively."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        captured = kwargs + tuple(_captured(pattern))
        route = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            routes += object_routes(entry, route, inner, captured)
        elif isinstance(entry, URLPattern) and captured:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            routes.append(Route(name=name or route, route=route, kwargs=captured))
    return routes


def _captured(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:  # path(): "<int:invoice_id>"
        return list(converters)
    return list(pattern.regex.groupindex)  # re_path(): named groups


class FirmA:
    """Firm A's objects, built on demand and once per test."""

    def __init__(self):
        self.firm = make_firm(name="Firm A", plan="standard")
        self.owner = make_owner(self.firm)
        self.built: dict[str, object] = {}

    def once(self, key: str, build: Callable[[], object]):
        if key not in self.built:
            self.built[key] = build()
        return self.built[key]

    def client(self):
        from firmpay.clients.services import client_create

        return self.once(
            "client", lambda: client_create(firm=self.firm, name="A's client", email="a@c.test")
        )

    def invoice(self):
        from firmpay.invoices.services import invoice_send
        from firmpay.invoices.tests.builders import invoice_build

        def build():
            invoice = invoice_build(firm=self.firm, client=self.client())
            return invoice_send(invoice=invoice)

        return self.once("invoice", build)

    def payment_account(self):
        from firmpay.payments.tests.online import connected_account

        return self.once("account", lambda: connected_account(self.firm))

    def online_payment(self):
        from firmpay.payments.tests.online import pending_payment

        return self.once("payment", lambda: pending_payment(self.invoice(), self.payment_account()))

    def paid_payment(self):
        from django.utils import timezone

        payment = self.online_payment()
        payment.status, payment.succeeded_at = "succeeded", timezone.now()
        payment.save(update_fields=["status", "succeeded_at"])
        return payment

    def payout(self):
        from firmpay.payouts.models import Payout

        def build():
            account = self.payment_account()
            return Payout.objects.create(
                firm=self.firm,
                account=account,
                stripe_account_id=account.stripe_account_id,
                stripe_payout_id="po_firm_a",
                amount=12000,
                currency="USD",
                status="paid",
            )

        return self.once("payout", build)

    def schedule(self):
        import datetime

        from firmpay.invoices.tests.builders import line
        from firmpay.recurring.services import ScheduleTerms, schedule_create

        terms = ScheduleTerms(
            client=self.client(),
            currency="USD",
            frequency="monthly",
            start_date=datetime.date(2030, 1, 1),
            lines=[line()],
        )
        return self.once("schedule", lambda: schedule_create(firm=self.firm, terms=terms))

    def conversation(self):
        from firmpay.helpdesk.models import Conversation

        return self.once(
            "conversation",
            lambda: Conversation.objects.create(firm=self.firm, subject="A's question"),
        )

    def invitation(self):
        from firmpay.tenancy.services import invitation_create

        return self.once(
            "invitation",
            lambda: invitation_create(
                firm=self.firm, email="invitee@a.test", role=Role.STAFF, invited_by=self.owner
            )[0],
        )


# kwarg name (or "namespace:name kwarg") -> firm A's value for it
BUILDERS: dict[str, Callable[[FirmA], object]] = {
    "client_id": lambda a: a.client().pk,
    "invoice_id": lambda a: a.invoice().pk,
    "payment_id": lambda a: a.online_payment().pk,
    "membership_id": lambda a: make_member(a.firm, role=Role.STAFF).pk,
    "invitation_id": lambda a: a.invitation().pk,
    "conversation_id": lambda a: a.conversation().pk,
    "payment_receipts:pdf payment_id": lambda a: a.paid_payment().pk,
    "payout_id": lambda a: a.payout().pk,
    "schedule_id": lambda a: a.schedule().pk,
    # the support back office: every firm is visible to Firmpay staff, to nobody else
    "support:firm firm_id": lambda a: a.firm.pk,
    "support:account_disconnect firm_id": lambda a: a.firm.pk,
    "support:account_disconnect account_id": lambda a: a.payment_account().pk,
}


# Namespaces of the back office: every firm's objects, for Firmpay support staff only.
BACK_OFFICE = {"support", "helpdesk_support"}


def builder_for(route: Route, kwarg: str):
    return BUILDERS.get(f"{route.name} {kwarg}") or BUILDERS.get(kwarg)


ROUTES = object_routes()
FIRM_ROUTES = [route for route in ROUTES if route.name not in PUBLIC]


def test_the_walk_finds_the_object_urls_of_every_app():
    names = {route.name for route in ROUTES}
    assert {"clients:edit", "invoices:detail", "tenancy:membership_role"} <= names


def test_every_object_url_is_covered():
    missing = [
        f"{route.name} ({route.route}): no builder for '{kwarg}'"
        for route in FIRM_ROUTES
        for kwarg in route.kwargs
        if builder_for(route, kwarg) is None
    ]
    assert not missing, (
        "URL patterns with an object kwarg and no builder in "
        "firmpay/tenancy/tests/test_tenancy_isolation.py BUILDERS (or PUBLIC entry with a "
        "reason, for a token link):\n  " + "\n  ".join(missing)
    )


def test_every_public_exception_still_exists():
    stale = set(PUBLIC) - {route.name for route in ROUTES}
    assert not stale, f"PUBLIC lists routes that no longer exist: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", FIRM_ROUTES, ids=lambda route: route.name)
def test_another_firms_member_gets_404(route):
    firm_a = FirmA()
    values = {}
    for kwarg in route.kwargs:
        build = builder_for(route, kwarg)
        if build is None:
            pytest.fail(f"{route.name}: no builder for '{kwarg}' (see BUILDERS)")
        values[kwarg] = build(firm_a)
    path = route.path(values)
    firm_b = make_firm(name="Firm B", plan="standard")
    outsider = client_for(make_owner(firm_b), firm_b, raise_request_exception=False)

    answers = {
        "GET": outsider.get(path).status_code,
        "POST": outsider.post(path, {"role": "owner", "reason": "x"}).status_code,
    }

    assert set(answers.values()) <= {404, 405}, f"{path}: firm B's owner got {answers}"
    assert 404 in answers.values(), f"{path} takes neither GET nor POST: {answers}"
    # The ids are real: whoever may see firm A's object is not refused.
    if answers["GET"] == 404:
        insider = (
            client_for(make_user(is_staff=True))
            if route.name.split(":")[0] in BACK_OFFICE
            else client_for(firm_a.owner, firm_a.firm)
        )
        own = insider.get(path).status_code
        assert own != 404, f"{path}: firm A's own side got 404; the builder is wrong"


STAFF_REFUSED = [
    ("GET", "tenancy:audit_log", {}),
    ("POST", "tenancy:plan", {"plan": "pro"}),
    ("POST", "tenancy:membership_role", {"role": "owner"}),
    ("POST", "tenancy:membership_remove", {}),
    ("POST", "tenancy:invitation_create", {"email": "x@y.test", "role": "owner"}),
    ("POST", "tenancy:invitation_revoke", {}),
    ("POST", "tenancy:firm_settings", {"name": "Taken over"}),
    ("POST", "online_payments:refund", {}),
    ("GET", "integrations:stripe_connect", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, name, data", STAFF_REFUSED, ids=[f"{m} {n}" for m, n, _ in STAFF_REFUSED]
)
def test_staff_cannot_reach_owner_or_manager_pages(method, name, data):
    from django.urls import reverse

    firm_a = FirmA()
    staff = make_member(firm_a.firm, role=Role.STAFF).user
    args = {
        "tenancy:membership_role": [make_member(firm_a.firm).pk],
        "tenancy:membership_remove": [make_member(firm_a.firm).pk],
        "tenancy:invitation_revoke": [firm_a.invitation().pk],
        "online_payments:refund": [firm_a.online_payment().pk],
    }.get(name, [])
    client = client_for(staff, firm_a.firm)
    response = getattr(client, method.lower())(reverse(name, args=args), data)
    assert response.status_code == 403
