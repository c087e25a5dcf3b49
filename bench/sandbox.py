"""Latency of the Stripe sandbox under 4 concurrent SDK clients.

Starts its own sandbox (in-memory, ephemeral port, background threads),
then 4 threads, each with its own `stripe.StripeClient`, alternate
`accounts.retrieve` and `accounts.create`. The clients share the process
(and its GIL) with the server, so the figures are on the pessimistic side.
Prints per-operation figures, then JSON on the last line with `p50_ms` and
`p99_ms` over every call.

    .venv/bin/python bench/sandbox.py [--calls 400]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import stripe  # noqa: E402

from stripe_sandbox import Config, Sandbox  # noqa: E402

CLIENTS = 4


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def client_for(sb: Sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(
        sb.config.secret_key,
        client_id=sb.config.client_id,
        base_addresses={"api": sb.base_url, "connect": sb.base_url},
    )


def worker(sb: Sandbox, calls: int, results: dict[str, list[float]], lock: threading.Lock) -> None:
    client = client_for(sb)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400, help="calls per client")
    args = parser.parse_args()
    sb = Sandbox(Config(port=0, data=":memory:"))
    sb.start()
    results: dict[str, list[float]] = {"retrieve": [], "create": []}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=worker, args=(sb, args.calls, results, lock))
        for _ in range(CLIENTS)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    sb.stop()
    every = results["retrieve"] + results["create"]
    for name, values in results.items():
        print(
            f"{name:9s} n={len(values)} p50={percentile(values, 50):.2f}ms "
            f"p99={percentile(values, 99):.2f}ms mean={statistics.mean(values):.2f}ms"
        )
    print(
        json.dumps(
            {
                "clients": CLIENTS,
                "calls": len(every),
                "throughput_rps": round(len(every) / elapsed, 1),
                "retrieve_p50_ms": round(percentile(results["retrieve"], 50), 2),
                "retrieve_p99_ms": round(percentile(results["retrieve"], 99), 2),
                "create_p50_ms": round(percentile(results["create"], 50), 2),
                "create_p99_ms": round(percentile(results["create"], 99), 2),
                "p50_ms": round(percentile(every, 50), 2),
                "p99_ms": round(percentile(every, 99), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
