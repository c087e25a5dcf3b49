class ScheduleError(Exception):
    """A schedule change the firm is told about; `field` names the form field, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class ScheduleInvalid(ScheduleError):
    pass


class ScheduleStateError(ScheduleError):
    pass
