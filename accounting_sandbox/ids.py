"""Identifiers: Xero's are UUIDs, QuickBooks' small integers per company (as strings)."""

from __future__ import annotations

import secrets
import uuid

ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def new_uuid() -> str:
    return str(uuid.uuid4())


def token(length: int = 40) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
