"""OAuth tokens encrypted at rest with Fernet. ACCOUNTING_TOKEN_KEY holds one or more keys,
comma-separated, newest first (rotation: add the new key in front, re-save, drop the old).
Any string works as a key: it is stretched to a Fernet key with SHA-256."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    parts = [part.strip() for part in keys.split(",") if part.strip()]
    if not parts:
        raise ImproperlyConfigured("ACCOUNTING_TOKEN_KEY is not set")
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(p.encode()).digest())) for p in parts]
    )


def token_encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(settings.ACCOUNTING_TOKEN_KEY).encrypt(value.encode()).decode()


def token_decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet(settings.ACCOUNTING_TOKEN_KEY).decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("ACCOUNTING_TOKEN_KEY cannot decrypt stored tokens") from exc
