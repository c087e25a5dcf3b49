"""Starting points: a tag for the conversation, a prefilled message, and (for a payment)
the payment's ids added to the captured context. Everything here is read from the firm's
own rows (`firm=`): a payment id of another firm is a 404."""

from __future__ import annotations

from dataclasses import dataclass, field

from firmpay.core.money import format_amount
from firmpay.helpdesk.models import Tag
from firmpay.payments.connect.selectors import payment_account_for_firm, payment_account_panel
from firmpay.payments.online.selectors import online_payment_get


@dataclass(frozen=True)
class Topic:
    tag: str = Tag.GENERAL
    prefill: str = ""
    extra_context: dict = field(default_factory=dict)
    payment_id: int | None = None

    @property
    def label(self) -> str:
        return Tag(self.tag).label


def topic_for(*, firm, tag: str, payment_id: str | int | None = None) -> Topic:
    if tag == Tag.STRIPE_DISCONNECT:
        account = payment_account_for_firm(firm=firm)
        which = f" {account.stripe_account_id}" if account else ""
        return Topic(
            tag=tag,
            prefill=f"Please disconnect our Stripe account{which} from Firmpay.\n\nReason: ",
        )
    if tag == Tag.STRIPE_SETUP:
        account = payment_account_for_firm(firm=firm)
        due = []
        if account is not None:
            due = [row.label for row in payment_account_panel(account=account).requirements]
        asks = f" Stripe still asks for: {', '.join(due)}." if due else ""
        return Topic(tag=tag, prefill=f"I need help finishing our Stripe setup.{asks}\n\n")
    if tag == Tag.PAYMENT_QUESTION and str(payment_id or "").isdigit():
        payment = online_payment_get(firm=firm, payment_id=int(payment_id))
        amount = format_amount(payment.amount, payment.currency)
        return Topic(
            tag=tag,
            payment_id=payment.pk,
            prefill=(
                f"I have a question about the {amount} payment on invoice "
                f"{payment.invoice.number} ({payment.get_status_display().lower()}).\n\n"
            ),
            extra_context={
                "payment_id": payment.pk,
                "payment_status": payment.status,
                "payment_intent_id": payment.payment_intent_id,
                "invoice_number": payment.invoice.number,
            },
        )
    return Topic()
