"""Errors of online payments; every one is safe to show (`str(error)`)."""

from firmpay.payments.exceptions import PaymentsUserError


class OnlinePaymentUnavailable(PaymentsUserError):
    default_message = "Online payment is not available for this invoice right now."


class NothingToPay(PaymentsUserError):
    default_message = "Nothing is due on this invoice."


class PaymentInProgress(PaymentsUserError):
    default_message = (
        "A bank payment for this invoice is already on its way: there is no need to pay again."
    )


class AmountInvalid(PaymentsUserError):
    default_message = "Enter an amount to pay."


class RefundRefused(PaymentsUserError):
    default_message = "This payment cannot be refunded."
