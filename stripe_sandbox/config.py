"""Settings of one sandbox instance."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 12111
    data: str = ":memory:"
    # The platform's credentials: what Firmpay puts in STRIPE_SECRET_KEY and
    # STRIPE_CONNECT_CLIENT_ID when it runs against the sandbox.
    secret_key: str = "sk_test_sandbox_platform_0000000000000000"
    publishable_key: str = "pk_test_sandbox_platform_0000000000000000"
    client_id: str = "ca_SandboxPlatform000000000000000"
    platform_name: str = "Firmpay (sandbox platform)"
    # Seconds (sandbox clock) between "submit" on the onboarding page and the
    # verification finishing; None means only a control call finishes it.
    verification_delay: float | None = 5.0
    # Webhook retry backoff: base * 2**attempt seconds of sandbox clock.
    webhook_retry_base: float = 1.0
    webhook_max_attempts: int = 8
    webhook_timeout: float = 5.0
    # How long a rolled webhook secret keeps signing, in seconds.
    secret_roll_grace: int = 24 * 3600
    idempotency_ttl: int = 24 * 3600
    # The platform account's default API version: what events delivered to
    # an endpoint created without `api_version` are rendered as (Stripe's
    # rule). Older than the SDK's pinned version, as a platform's usually is.
    default_api_version: str = "2026-08-26.dahlia"
    # Public base address used in hosted-page URLs; defaults to host:port.
    public_url: str | None = None

    def base_url(self, port: int | None = None) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{port or self.port}"
