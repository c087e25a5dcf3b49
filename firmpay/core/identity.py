"""One normal form for the email a person signs in with, used everywhere an email identifies
someone: user lookup and creation, the log-in throttle, the password-reset throttle,
invitations. NFKC folds compatibility characters (a fullwidth "ｐ" is "p", as Django's log-in
form already does); casefold folds case beyond ASCII. Two spellings that reach the same
account must count against the same throttle."""

import unicodedata


def email_normalise(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().casefold()
