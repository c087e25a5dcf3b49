"""pytest fixtures: a sandbox served in-process on an ephemeral port.

    stripe_sandbox_server  session: the running sandbox (one per test session)
    stripe_sandbox         function: the same sandbox, reset before the test;
                           a `SandboxHandle` with base_url, secret_key,
                           client_id, control(), client()
    stripe_client          function: a `stripe.StripeClient` pointed at it
    webhook_receiver       function: a local HTTP endpoint recording POSTs

Register with `pytest_plugins = ["stripe_sandbox.pytest_plugin"]`.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from stripe_sandbox.config import Config
from stripe_sandbox.sandbox import Sandbox


@dataclass
class SandboxHandle:
    sandbox: Sandbox

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url

    @property
    def secret_key(self) -> str:
        return self.sandbox.config.secret_key

    @property
    def client_id(self) -> str:
        return self.sandbox.config.client_id

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call /_sandbox/<path> with a JSON body; returns the decoded answer."""
        url = self.base_url + "/_sandbox/" + path.lstrip("/")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback
            url,
            data=data,
            method=method.upper(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"control {method} {path}: {exc.code} {exc.read()!r}") from None

    def advance(self, **delta: float) -> int:
        return self.control("POST", "clock/advance", delta)["now"]

    def drain(self, timeout: float = 5) -> None:
        """Wait until every webhook delivery due now has been attempted."""
        assert self.control("POST", "webhooks/drain", {"timeout": timeout})["idle"]

    def client(self, **kwargs: Any) -> stripe.StripeClient:
        return stripe.StripeClient(
            kwargs.pop("api_key", self.secret_key),
            client_id=self.client_id,
            base_addresses={"api": self.base_url, "connect": self.base_url, "files": self.base_url},
            **kwargs,
        )


@pytest.fixture(scope="session")
def stripe_sandbox_server() -> Iterator[Sandbox]:
    sandbox = Sandbox(
        Config(
            port=0,
            data=":memory:",
            verification_delay=None,
            webhook_retry_base=0.2,
            webhook_timeout=2.0,
        )
    )
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def stripe_sandbox(stripe_sandbox_server: Sandbox) -> Iterator[SandboxHandle]:
    config = stripe_sandbox_server.config
    knobs = dataclasses.asdict(config)
    stripe_sandbox_server.reset()
    yield SandboxHandle(stripe_sandbox_server)
    # Tests may turn knobs through /_sandbox/config; the next test starts clean.
    for name, value in knobs.items():
        setattr(config, name, value)


@pytest.fixture
def stripe_client(stripe_sandbox: SandboxHandle) -> stripe.StripeClient:
    return stripe_sandbox.client()


@dataclass
class WebhookReceiver:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    # Status codes to answer with, in order; 200 once exhausted.
    script: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} webhook deliveries, got {len(self.received)}")

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.received]


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                status = receiver.script.pop(0) if receiver.script else 200
                if status < 300:
                    receiver.received.append(
                        {"body": body.decode(), "headers": dict(self.headers), "path": self.path}
                    )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
