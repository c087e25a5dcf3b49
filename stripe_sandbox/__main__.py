"""`python -m stripe_sandbox --host 127.0.0.1 --port 12111 --data PATH`"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from stripe_sandbox.config import Config
from stripe_sandbox.sandbox import Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = Config()
    parser = argparse.ArgumentParser(prog="python -m stripe_sandbox", description=__doc__)
    parser.add_argument(
        "--host", default=defaults.host, help="address to bind (loopback by default)"
    )
    parser.add_argument("--port", type=int, default=defaults.port)
    parser.add_argument(
        "--data",
        default="stripe-sandbox.sqlite3",
        help="SQLite file that keeps state across restarts, or :memory:",
    )
    parser.add_argument("--secret-key", default=defaults.secret_key)
    parser.add_argument("--client-id", default=defaults.client_id)
    parser.add_argument(
        "--public-url",
        default=None,
        help="base URL browsers use to reach this sandbox (default http://host:port)",
    )
    parser.add_argument(
        "--verification-delay",
        type=float,
        default=defaults.verification_delay,
        help="seconds from onboarding submit to verified; negative = control call only",
    )
    parser.add_argument(
        "--default-api-version",
        default=defaults.default_api_version,
        help="the platform's default API version (events to endpoints without api_version)",
    )
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    delay = None if args.verification_delay < 0 else args.verification_delay
    config = Config(
        host=args.host,
        port=args.port,
        data=args.data,
        secret_key=args.secret_key,
        client_id=args.client_id,
        public_url=args.public_url,
        verification_delay=delay,
        default_api_version=args.default_api_version,
    )
    sandbox = Sandbox(config)
    url = sandbox.start()
    print(
        f"Stripe sandbox on {url}  (secret key {config.secret_key}, client id {config.client_id})",
        flush=True,
    )
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    sandbox.stop()


if __name__ == "__main__":
    main()
