class LogoRefused(ValueError):
    """The uploaded logo is not one we accept; the message says why (shown to the user)."""
