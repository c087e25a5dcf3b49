"""Finding our payment for an event's ids: our own id first, then the intent, the charge,
the session; only on the account the event names; one query whatever it names."""

import pytest

from firmpay.payments.facts import PaymentRef
from firmpay.payments.online.state import payment_for_ref
from firmpay.payments.tests.online import connected_account, pending_payment, sent_invoice
from firmpay.tenancy.tests.factories import make_firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_payments():
    firm = make_firm()
    account = connected_account(firm)
    first = pending_payment(sent_invoice(firm), account)
    second = pending_payment(sent_invoice(firm), account)
    first.payment_intent_id, first.charge_id = "pi_first", "ch_first"
    first.save()
    return account, first, second


def test_the_first_id_in_order_that_names_a_payment_decides(
    two_payments, django_assert_num_queries
):
    account, first, second = two_payments
    acct = account.stripe_account_id
    with django_assert_num_queries(1):
        # The intent names the first payment, the session the second: the intent wins.
        assert payment_for_ref(PaymentRef(account=acct, intent="pi_first", session=second.checkout_session_id)) == first  # fmt: skip
    assert payment_for_ref(PaymentRef(account=acct, session=second.checkout_session_id)) == second
    assert payment_for_ref(PaymentRef(account=acct, intent="pi_none", charge="ch_first")) == first
    # Our own id echoed back beats every processor id.
    assert payment_for_ref(PaymentRef(account=acct, payment_id=second.pk, intent="pi_first")) == second  # fmt: skip


def test_nothing_on_another_account_or_without_ids(two_payments):
    account, first, _ = two_payments
    assert payment_for_ref(PaymentRef(account="acct_other", intent="pi_first")) is None
    assert payment_for_ref(PaymentRef(account=account.stripe_account_id)) is None
    assert payment_for_ref(PaymentRef(account="", intent="pi_first")) is None
