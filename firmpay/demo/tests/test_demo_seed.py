import pytest
from django.core.management import call_command

from firmpay.demo.seed import FIRM_NAME, OWNER_EMAIL, PASSWORD
from firmpay.invoices.dates import firm_today
from firmpay.invoices.models import Invoice
from firmpay.invoices.selectors import invoice_display_status
from firmpay.tenancy.models import Firm, Membership, Role

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_a_firm_with_invoices_in_every_state(client):
    call_command("demo_seed")
    firm = Firm.objects.get(name=FIRM_NAME)
    assert (firm.plan, firm.country, firm.default_currency, firm.timezone) == (
        "standard",
        "US",
        "USD",
        "America/New_York",
    )
    roles = set(Membership.objects.filter(firm=firm).values_list("user__email", "role"))
    assert (OWNER_EMAIL, Role.OWNER) in roles and any(role == Role.STAFF for _, role in roles)
    today = firm_today(firm)
    states = {invoice_display_status(i, today) for i in Invoice.objects.filter(firm=firm)}
    assert states == {"draft", "open", "overdue", "partially_paid", "paid", "void"}
    assert client.login(email=OWNER_EMAIL, password=PASSWORD)


def test_demo_seed_is_idempotent():
    call_command("demo_seed")
    counts = (Firm.objects.count(), Invoice.objects.count())
    call_command("demo_seed")
    assert (Firm.objects.count(), Invoice.objects.count()) == counts
