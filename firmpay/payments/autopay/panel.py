"""What the client's invoice page shows of autopay (used by {% pay_panel %})."""

from __future__ import annotations

from django.urls import reverse

from firmpay.invoices.links import link_sign
from firmpay.invoices.models import OUTSTANDING_STATUSES
from firmpay.payments.autopay.authorise import client_autopay_url
from firmpay.payments.autopay.models import InvoiceAutopayStatus
from firmpay.payments.autopay.selectors import (
    client_authorisation,
    invoice_autopay,
    invoice_collection_date,
)

IN_FLIGHT = (InvoiceAutopayStatus.CHARGING, InvoiceAutopayStatus.PROCESSING)
DEBIT_LABELS = {"USD": "ACH bank debit", "GBP": "Bacs Direct Debit"}


def autopay_panel_context(*, invoice, can_pay: bool) -> dict:
    row = invoice_autopay(invoice=invoice)
    authorisation = client_authorisation(firm=invoice.firm, client_id=invoice.client_id)
    active = authorisation is not None and authorisation.status == "active"
    return {
        "charge_in_flight": row is not None and row.status in IN_FLIGHT,
        # The last automatic payment did not go through and another try is scheduled.
        "retrying": row is not None and row.status == InvoiceAutopayStatus.RETRYING,
        "collection_date": invoice_collection_date(invoice=invoice) if active else None,
        "authorisation": authorisation,
        "offer": can_pay and invoice.status in OUTSTANDING_STATUSES and not active,
        "debit_label": DEBIT_LABELS.get(invoice.currency, ""),
        "start_url": reverse(
            "invoice_pay:autopay", kwargs={"token": link_sign(invoice.link_token)}
        ),
        "manage_url": client_autopay_url(client=invoice.client),
    }


def invoice_email_note(*, invoice) -> str:
    """The invoice email's autopay line: when it will be collected, or the offer."""
    from firmpay.payments.connect.selectors import payment_account_can_take_charges

    authorisation = client_authorisation(firm=invoice.firm, client_id=invoice.client_id)
    if authorisation is not None and authorisation.status == "active":
        when = invoice_collection_date(invoice=invoice)
        if when is None:
            return ""
        return (
            f"This invoice will be collected automatically on {when.day} {when:%B %Y} from "
            f"your {authorisation.method_label}. There is nothing for you to do."
        )
    if invoice.status not in OUTSTANDING_STATUSES or not payment_account_can_take_charges(
        firm=invoice.firm
    ):
        return ""
    return (
        "Pay automatically from now on (card or Direct Debit, authorise once): "
        f"{client_autopay_url(client=invoice.client)}"
    )
