"""Settings of one sandbox instance; most can be changed at run time through
`POST /_sandbox/config`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 12300
    data: str = ":memory:"
    # Base address browsers use for the consent pages; defaults to host:port.
    public_url: str | None = None
    # The Xero app Firmpay is registered as: client id/secret and its creation date, which
    # decides its scopes (granular only for apps created on or after 2 March 2026).
    xero_client_id: str = "SANDBOXXEROCLIENT0000000000000000"
    xero_client_secret: str = "sandbox-xero-client-secret-0000000000000000"
    xero_app_created: str = "2026-03-10"
    quickbooks_client_id: str = "SANDBOXQBOCLIENT00000000000000000000000000000000"
    quickbooks_client_secret: str = "sandbox-qbo-client-secret-00000000000000"
    # Redirect URIs the apps accept; empty: any http(s) URI (handy for tests).
    redirect_uris: tuple[str, ...] = ()
    # Rate limits (per organisation / company); off: never a 429 for volume.
    rate_limits: bool = True
    xero_per_minute: int = 60
    xero_concurrent: int = 5
    xero_per_day: int = 5000
    quickbooks_per_second: int = 10
    quickbooks_concurrent: int = 10
    quickbooks_throttle_seconds: int = 60
    # Every third QuickBooks 429 comes as XML without Retry-After, as Intuit's gateway does.
    quickbooks_xml_429_every: int = 3
    # Tokens
    xero_access_seconds: int = 1800
    xero_refresh_idle_days: int = 60
    xero_refresh_grace_seconds: int = 1800
    quickbooks_access_seconds: int = 3600
    quickbooks_refresh_idle_days: int = 100
    # Check every answer against the vendor schema (tests): a mismatch is a 500.
    check_responses: bool = False
    # Seed the demo ledgers at start and after every reset.
    demo_seed: bool = True

    def base_url(self, port: int | None = None) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{port or self.port}"

    def knobs(self) -> dict[str, object]:
        skip = {"host", "port", "data", "public_url"}
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in skip}
