"""The sync worker (gunicorn.conf.py's worker_class) does not sit through gunicorn's
linger on close after a request whose body it read: the next client is served at once
while the previous one still holds its connection; a body left unread still gets the
graceful close and a complete response."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def app(environ, start_response):
    """Reads the body on /read, leaves it unread elsewhere."""
    if environ["PATH_INFO"] == "/read":
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = b"done"
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", f"{__name__}:app", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--worker-class", "firmpay.ops.gunicorn_worker.SyncWorker",
               "--no-control-socket"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, "gunicorn did not start"
            time.sleep(0.1)
    yield port
    proc.terminate()
    proc.wait(10)


def post(port: int, path: str, body: bytes = b"x" * 1000) -> tuple[socket.socket, bytes]:
    """The whole response (to the server's close); the client's socket stays open."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return sock, data


def test_next_client_is_served_while_the_previous_one_keeps_its_connection(server):
    held, answer = post(server, "/read")
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"done")
    started = time.monotonic()
    other, answer = post(server, "/read")
    # gunicorn's graceful close would wait up to 2 s for the held connection to close.
    assert time.monotonic() - started < 1.0
    assert answer.endswith(b"done")
    held.close(), other.close()


def test_an_unread_body_still_gets_a_complete_response(server):
    sock, answer = post(server, "/unread", b"y" * 200_000)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"done")
    sock.close()
