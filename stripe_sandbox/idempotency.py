"""Idempotency-Key: a retried POST gets the stored answer, not a second effect.

Keys are scoped by account, kept `idempotency_ttl` seconds of sandbox clock,
and bound to the request's params: the same key with other params is an
`idempotency_error`. Only requests that reached their handler are stored
(validation failures and injected faults are not), as Stripe does.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from stripe_sandbox.errors import StripeError
from stripe_sandbox.router import Request, Response

if TYPE_CHECKING:
    from stripe_sandbox.sandbox import Sandbox


def fingerprint(req: Request, raw: dict[str, Any]) -> str:
    text = json.dumps([req.method, req.path, raw], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def lookup(sb: Sandbox, req: Request, raw: dict[str, Any]) -> Response | None:
    key = req.idempotency_key
    if not key:
        return None
    stored = sb.store.idempotent_get(req.account, key)
    if stored is None or stored[3] + sb.config.idempotency_ttl < sb.clock.now():
        return None
    if stored[0] != fingerprint(req, raw):
        raise StripeError(
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
            type="idempotency_error",
        )
    return Response(
        status=stored[1],
        body=stored[2],
        headers={"Idempotent-Replayed": "true", "Original-Request": req.request_id},
    )


def remember(sb: Sandbox, req: Request, raw: dict[str, Any], response: Response) -> None:
    if req.method != "POST" or not req.idempotency_key:
        return
    body = response.body.decode() if isinstance(response.body, bytes) else response.body
    sb.store.idempotent_put(
        req.account,
        req.idempotency_key,
        fingerprint(req, raw),
        response.status,
        body,
        sb.clock.now(),
    )
