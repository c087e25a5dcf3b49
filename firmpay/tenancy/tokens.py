import hashlib
import secrets


def invitation_token_new() -> str:
    """The secret in an invitation link (256 bits); only its hash is stored."""
    return secrets.token_urlsafe(32)


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
