"""The demo firm `make run` starts with: its people, clients and invoices in every state."""

import datetime
from decimal import Decimal

from django.db import transaction

from firmpay.clients.services import client_create
from firmpay.invoices.dates import firm_today
from firmpay.invoices.models import PaymentMethod
from firmpay.invoices.services import (
    invoice_create,
    invoice_record_manual_payment,
    invoice_send,
    invoice_void,
)
from firmpay.invoices.totals import LineInput
from firmpay.tenancy.models import Firm, Membership, Plan, Role, User
from firmpay.tenancy.services import firm_plan_change, firm_update, user_signup

FIRM_NAME = "Demo & Co Accountants"
OWNER_EMAIL = "owner@demo.firmpay.test"
STAFF_EMAIL = "staff@demo.firmpay.test"
PASSWORD = "demo-password-2026"

CLIENTS = [
    {
        "name": "Acme Hardware LLC",
        "email": "ap@acme-hardware.test",
        "city": "Albany",
        "address_line1": "12 State Street",
        "postcode": "12207",
        "country": "United States",
    },
    {
        "name": "Bright Dental PC",
        "email": "office@brightdental.test",
        "city": "Brooklyn",
        "address_line1": "400 Atlantic Ave",
        "postcode": "11217",
        "country": "United States",
    },
    {
        "name": "Cedar & Pine Architects",
        "email": "finance@cedarpine.test",
        "city": "Hartford",
        "address_line1": "88 Pearl Street",
        "postcode": "06103",
        "country": "United States",
    },
    {
        "name": "Dana Whitfield",
        "email": "dana.whitfield@example.test",
        "city": "Newark",
        "reminders_opt_out": True,
    },
]


def _line(description: str, quantity: str, dollars: int, tax: str = "0") -> LineInput:
    return LineInput(description, Decimal(quantity), dollars * 100, Decimal(tax))


def demo_exists() -> bool:
    return (
        Firm.objects.filter(name=FIRM_NAME).exists()
        or User.objects.filter(email=OWNER_EMAIL).exists()
    )


@transaction.atomic
def demo_seed() -> Firm | None:
    """Creates the demo firm once; returns None when it is already there."""
    if demo_exists():
        return None
    owner, firm = user_signup(
        name="Olivia Owner",
        email=OWNER_EMAIL,
        password=PASSWORD,
        firm_name=FIRM_NAME,
        country="US",
        default_currency="USD",
        timezone_name="America/New_York",
    )
    firm_update(
        firm=firm,
        actor=owner,
        email="billing@demo.firmpay.test",
        payment_terms_days=30,
        bank_details="Demo Community Bank\nRouting number 021000021\nAccount number 000123456789",
    )
    firm_plan_change(firm=firm, plan=Plan.STANDARD, actor=owner)
    staff = User.objects.create_user(STAFF_EMAIL, PASSWORD, name="Sam Staff")
    Membership.objects.create(user=staff, firm=firm, role=Role.STAFF)
    acme, bright, cedar, dana = (client_create(firm=firm, **fields) for fields in CLIENTS)
    _invoices_seed(firm=firm, owner=owner, staff=staff, clients=(acme, bright, cedar, dana))
    return firm


def _invoices_seed(*, firm, owner, staff, clients) -> None:
    acme, bright, cedar, dana = clients
    today = firm_today(firm)

    def days_ago(n: int) -> datetime.date:
        return today - datetime.timedelta(days=n)

    def create(client, lines, issued, by=staff):
        return invoice_create(
            firm=firm, client=client, lines=lines, issue_date=issued, created_by=by
        )

    def pay(invoice, amount, method, received, reference=""):
        invoice_record_manual_payment(
            invoice=invoice,
            amount=amount,
            method=method,
            received_on=received,
            reference=reference,
            recorded_by=owner,
        )

    paid = invoice_send(
        invoice=create(acme, [_line("Quarterly bookkeeping (Q2)", "1", 1200)], days_ago(80)),
        sent_by=staff,
    )
    pay(paid, paid.total, PaymentMethod.BANK_TRANSFER, days_ago(60), "ACH 55120")
    partial = invoice_send(
        invoice=create(
            bright,
            [_line("Payroll processing", "3", 150), _line("Sales tax filing", "1", 275, "8.875")],
            days_ago(20),
        ),
        sent_by=staff,
    )
    pay(partial, 30000, PaymentMethod.CHEQUE, days_ago(5), "Cheque 1042")
    invoice_send(
        invoice=create(cedar, [_line("Year-end accounts", "1", 3500)], days_ago(50), by=owner),
        sent_by=owner,
    )  # due 20 days ago: overdue
    invoice_send(
        invoice=create(
            dana,
            [_line("Personal tax return", "1", 650), _line("Extra schedules", "2.5", 90)],
            days_ago(3),
        ),
        sent_by=staff,
    )
    invoice_void(
        invoice=create(acme, [_line("Duplicate of bookkeeping", "1", 1200)], days_ago(30)),
        voided_by=owner,
    )
    create(bright, [_line("Advisory meeting", "2", 200, "8.875")], today)  # draft
