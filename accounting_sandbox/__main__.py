"""`python -m accounting_sandbox --host 127.0.0.1 --port 12300 --data PATH`"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from accounting_sandbox.config import Config
from accounting_sandbox.sandbox import Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    d = Config()
    parser = argparse.ArgumentParser(prog="python -m accounting_sandbox", description=__doc__)
    parser.add_argument("--host", default=d.host, help="address to bind (loopback by default)")
    parser.add_argument("--port", type=int, default=d.port)
    parser.add_argument(
        "--data",
        default="accounting-sandbox.sqlite3",
        help="SQLite file that keeps state across restarts, or :memory:",
    )
    parser.add_argument("--public-url", default=None, help="base URL browsers use to reach it")
    parser.add_argument("--xero-client-id", default=d.xero_client_id)
    parser.add_argument("--xero-client-secret", default=d.xero_client_secret)
    parser.add_argument(
        "--xero-app-created",
        default=d.xero_app_created,
        help="the Xero app's creation date: on/after 2026-03-02 means granular scopes",
    )
    parser.add_argument("--quickbooks-client-id", default=d.quickbooks_client_id)
    parser.add_argument("--quickbooks-client-secret", default=d.quickbooks_client_secret)
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    config = Config(
        host=args.host,
        port=args.port,
        data=args.data,
        public_url=args.public_url,
        xero_client_id=args.xero_client_id,
        xero_client_secret=args.xero_client_secret,
        xero_app_created=args.xero_app_created,
        quickbooks_client_id=args.quickbooks_client_id,
        quickbooks_client_secret=args.quickbooks_client_secret,
        rate_limits=not args.no_rate_limits,
    )
    sandbox = Sandbox(config)
    url = sandbox.start()
    print(f"Accounting sandbox (Xero + QuickBooks Online) on {url}  ledgers: {url}/", flush=True)
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    sandbox.stop()


if __name__ == "__main__":
    main()
