class ReminderError(Exception):
    """A reminder action refused; the message is shown to the firm."""


class ReminderRefused(ReminderError):
    """ "Send reminder now" refused: too soon, opted out, or nothing owed."""


class PolicyInvalid(ReminderError):
    def __init__(self, message: str, *, field: str | None = None, step: int | None = None):
        super().__init__(message)
        self.field = field
        self.step = step
