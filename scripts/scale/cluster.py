"""The moving parts of the scale test: PostgreSQL database, Redis, the Stripe sandbox,
a round-robin TCP load balancer, gunicorn web processes and Huey consumers. Every wait is
bounded and says what it waited for."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SANDBOX_KEY = "sk_test_sandbox_platform_0000000000000000"
SANDBOX_CLIENT_ID = "ca_SandboxPlatform000000000000000"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


class Timeout(RuntimeError):
    pass


def wait_for(what: str, check: Callable[[], bool], timeout: float, every: float = 0.2) -> float:
    started = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001, S110 - not ready yet
            pass
        if time.monotonic() - started > timeout:
            raise Timeout(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


# -- Redis (a system service here: restarted with the exact CI command) ------------------


def redis_ping() -> bool:
    out = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True, timeout=5
    )
    return out.stdout.strip() == "PONG"


def redis_ensure_up(timeout: float = 20) -> None:
    if port_open(6379) and redis_ping():
        return
    subprocess.run(REDIS_START, check=False, timeout=20)
    wait_for("Redis to answer PING", redis_ping, timeout)


def redis_restart() -> float:
    """Shut Redis down (nothing saved: the queue is lost) and start it again. Seconds down."""
    started = time.monotonic()
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True, timeout=10
    )
    wait_for("Redis to stop", lambda: not port_open(6379), 10)
    time.sleep(1.0)  # let producers and consumers notice
    subprocess.run(REDIS_START, check=True, timeout=20)
    wait_for("Redis to answer PING", redis_ping, 20)
    return time.monotonic() - started


def redis_flush(db: int) -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-n", str(db), "flushdb"], check=True,
                   capture_output=True, timeout=10)  # fmt: skip


# -- PostgreSQL -------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_recreate(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')


def pg_drop(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- Processes --------------------------------------------------------------------------


class Proc:
    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path) -> None:
        self.name, self.argv, self.env, self.log_dir = name, argv, env, log_dir
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Proc:
        log = open(self.log_dir / f"{self.name}.log", "a")  # noqa: SIM115 - kept by the child
        self.popen = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.starts += 1
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid if self.popen else -1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        """SIGKILL the process and everything it started (its own session)."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


# -- A round-robin TCP load balancer in front of the web processes ----------------------


class LoadBalancer:
    def __init__(self, port: int, backends: list[int]) -> None:
        self.port, self.backends = port, backends
        self._next = 0
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", port), backlog=128)
        self._server.settimeout(0.5)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self.connections = [0] * len(backends)

    def start(self) -> LoadBalancer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            index = self._next % len(self.backends)
            self._next += 1
            self.connections[index] += 1
            threading.Thread(
                target=self._pipe, args=(client, self.backends[index]), daemon=True
            ).start()

    def _pipe(self, client: socket.socket, port: int) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        client.settimeout(None)
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=1.0):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            client.close()
            upstream.close()
