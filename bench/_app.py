"""What the benches share: starting Firmpay exactly as `make run` does (`scripts/run.sh`:
the Stripe sandbox, migrations, `stripe_setup`, gunicorn, the Huey worker) on a data dir of
their own, waiting for it to answer, stopping it; free ports and percentiles."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SANDBOX_KEY = "sk_test_sandbox_platform_0000000000000000"


def free_port(low: int = 0, high: int = 0) -> int:
    """A free port: any (the default), or the first free one in [low, high]."""
    for port in range(low, high + 1) if low else [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise SystemExit(f"no free port in {low}-{high}")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def wait_http(url: str, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"scripts/run.sh exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout}s")


def start_app(
    data_dir: Path, port: int, sandbox_port: int, extra_env: dict | None = None
) -> subprocess.Popen:
    """`scripts/run.sh` in its own session, its output in `data_dir/run.log`; `extra_env`
    (a backing-service mode, `STRIPE_LOG`) goes on top of the environment it is given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STRIPE_", "DATABASE_URL", "REDIS_URL", "HUEY_"))
    }
    env.update(
        FIRMPAY_DATA_DIR=str(data_dir),
        PORT=str(port),
        STRIPE_SANDBOX_PORT=str(sandbox_port),
        LOG_LEVEL="WARNING",
        **(extra_env or {}),
    )
    log = open(data_dir / "run.log", "w")  # noqa: SIM115 - lives as long as the app
    return subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # run.sh stops gunicorn, huey and the sandbox
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
