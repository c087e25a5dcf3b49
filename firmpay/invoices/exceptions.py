from firmpay.core.exceptions import UserFacingError


class InvoiceError(UserFacingError):
    """Something the person asked of an invoice that cannot be done; the message says why.
    `field` names the form field the message belongs beside, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvoiceNotEditable(InvoiceError):
    pass


class InvoiceStateError(InvoiceError):
    pass


class PaymentRefused(InvoiceError):
    pass
