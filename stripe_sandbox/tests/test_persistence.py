"""A file-backed sandbox keeps its state across restarts; the CLI serves."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import stripe

from stripe_sandbox import Config, Sandbox


def _client(sb: Sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(
        sb.config.secret_key, base_addresses={"api": sb.base_url, "connect": sb.base_url}
    )


def test_accounts_and_clock_survive_a_restart(tmp_path):
    path = str(tmp_path / "sandbox.sqlite3")
    first = Sandbox(Config(port=0, data=path))
    first.start()
    account = _client(first).v1.accounts.create(params={"email": "kept@firm.example"})
    first.advance(3600)
    now = first.clock.now()
    first.stop()

    second = Sandbox(Config(port=0, data=path))
    second.start()
    try:
        assert _client(second).v1.accounts.retrieve(account.id).email == "kept@firm.example"
        assert second.clock.now() >= now
    finally:
        second.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_command_line_serves_on_loopback(tmp_path):
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stripe_sandbox",
            "--port",
            str(port),
            "--data",
            str(tmp_path / "cli.sqlite3"),
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        client = stripe.StripeClient(
            Config().secret_key,
            base_addresses={
                "api": f"http://127.0.0.1:{port}",
                "connect": f"http://127.0.0.1:{port}",
            },
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                assert client.v1.accounts.retrieve_current().object == "account"
                break
            except stripe.APIConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
