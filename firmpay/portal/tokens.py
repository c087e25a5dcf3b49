"""Random tokens for emailed links; only their SHA-256 is stored."""

import hashlib
import secrets


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def key_hash(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p).strip().lower() for p in parts).encode()).hexdigest()
