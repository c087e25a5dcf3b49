class FirmpayError(Exception):
    """Base of our errors."""


class UserFacingError(FirmpayError):
    """An error whose message is safe and useful to show the person who caused it."""
