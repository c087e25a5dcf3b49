"""Latency of the Stripe sandbox under 4 concurrent SDK clients.

Starts its own sandbox (`python -m stripe_sandbox --data :memory:` on a free
loopback port, as `make run` does; `--in-process` serves it from a thread of
this process instead, sharing the GIL with the clients), then 4 threads,
each with its own `stripe.StripeClient`, alternate `accounts.retrieve` and
`accounts.create`. Prints per-operation figures, then JSON on the last line
with `p50_ms` and `p99_ms` over every call.

    .venv/bin/python bench/sandbox.py [--calls 400] [--in-process]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import stripe  # noqa: E402

from stripe_sandbox import Config, Sandbox  # noqa: E402

CLIENTS = 4


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def client_for(base_url: str) -> stripe.StripeClient:
    config = Config()
    return stripe.StripeClient(
        config.secret_key,
        client_id=config.client_id,
        base_addresses={"api": base_url, "connect": base_url},
    )


@contextlib.contextmanager
def in_process() -> Iterator[str]:
    sb = Sandbox(Config(port=0, data=":memory:"))
    sb.start()
    try:
        yield sb.base_url
    finally:
        sb.stop()


@contextlib.contextmanager
def separate_process() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "stripe_sandbox", "--port", str(port), "--data", ":memory:"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client_for(base_url).v1.accounts.retrieve_current()
                break
            except stripe.APIConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base_url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def worker(
    base_url: str, calls: int, results: dict[str, list[float]], lock: threading.Lock
) -> None:
    client = client_for(base_url)
    account = client.v1.accounts.create(params={"country": "US", "email": "bench@firm.example"})
    for _ in range(5):  # warm the connection and caches
        client.v1.accounts.retrieve(account.id)
    mine: dict[str, list[float]] = {"retrieve": [], "create": []}
    for i in range(calls):
        started = time.perf_counter()
        if i % 2:
            client.v1.accounts.create(
                params={
                    "country": "US",
                    "email": f"b{i}@firm.example",
                    "metadata": {"bench": str(i)},
                }
            )
            mine["create"].append((time.perf_counter() - started) * 1000)
        else:
            client.v1.accounts.retrieve(account.id)
            mine["retrieve"].append((time.perf_counter() - started) * 1000)
    with lock:
        for key, values in mine.items():
            results[key].extend(values)


def run(base_url: str, calls: int) -> tuple[dict[str, list[float]], float]:
    results: dict[str, list[float]] = {"retrieve": [], "create": []}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=worker, args=(base_url, calls, results, lock))
        for _ in range(CLIENTS)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400, help="calls per client")
    parser.add_argument("--in-process", action="store_true", help="serve from a thread here")
    args = parser.parse_args()
    with in_process() if args.in_process else separate_process() as base_url:
        results, elapsed = run(base_url, args.calls)
    every = results["retrieve"] + results["create"]
    for name, values in results.items():
        print(
            f"{name:9s} n={len(values)} p50={percentile(values, 50):.2f}ms "
            f"p99={percentile(values, 99):.2f}ms mean={statistics.mean(values):.2f}ms"
        )
    summary = {
        "clients": CLIENTS,
        "server": "thread" if args.in_process else "process",
        "calls": len(every),
        "throughput_rps": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 50), 2),
        "p99_ms": round(percentile(every, 99), 2),
    }
    for name, values in results.items():
        summary[f"{name}_p50_ms"] = round(percentile(values, 50), 2)
        summary[f"{name}_p99_ms"] = round(percentile(values, 99), 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
