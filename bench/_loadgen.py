"""A cheap HTTP load generator for the benches: what `wrk -c N` does, in one Python thread.

Every request is built completely before the clock starts (request line, headers, body:
for webhooks the Stripe signature too — Stripe signs, not our machine), so the timed loop
only moves bytes: `connections` sockets driven by one epoll loop (no threads, no
GIL hand-offs, no http.client objects). Each connection sends its next request as soon
as the previous response is complete, as a closed-loop client does. Per request it still
records the latency (connect to the last byte of the response) and checks the status.

gunicorn's sync workers answer every request with `Connection: close`, so each request
gets a fresh connection; a response that keeps the connection open is reused.

The caller measures its own CPU around `run` (`resource.getrusage(RUSAGE_SELF)`): the
sender's cost shares the machine with the server under test.
"""

from __future__ import annotations

import errno
import select
import socket
import time
from dataclasses import dataclass, field


def http_request(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The exact bytes of one HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Conn:
    queue: list[bytes]
    next: int = 0
    sock: socket.socket | None = None
    started: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)
    keep_alive: bool = False
    retries: int = 0


def _header_end(buffer: bytearray) -> int:
    return buffer.find(b"\r\n\r\n")


def _parse_head(head: bytes) -> tuple[int, int | None, bool]:
    """(status, content length or None, connection kept open)."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, keep = None, lines[0].startswith(b"HTTP/1.1")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection":
            keep = value.strip().lower() == b"keep-alive"
    return status, length, keep


def run(port: int, queues: list[list[bytes]], *, timeout: float = 30.0) -> Results:
    """Send every request of every queue (one queue per concurrent connection) to
    127.0.0.1:`port`; the queues run concurrently, each one request at a time."""
    results = Results()
    poller = select.epoll()
    by_fd: dict[int, _Conn] = {}
    address = ("127.0.0.1", port)
    clock = time.perf_counter

    def start(conn: _Conn) -> None:
        while conn.next < len(conn.queue):
            conn.buffer.clear()
            conn.started = clock()
            if conn.sock is not None:
                send(conn)
                return
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            # On loopback the handshake completes inside connect() (or is refused at
            # once): no round through the selector for it.
            code = sock.connect_ex(address)
            if code == 0:
                sock.setblocking(False)
                conn.sock = sock
                by_fd[sock.fileno()] = conn
                poller.register(sock.fileno(), select.EPOLLIN)
                send(conn)
                return
            sock.close()
            results.errors.append(f"connect: {errno.errorcode.get(code, code)}")
            conn.next += 1

    def send(conn: _Conn) -> None:
        try:
            conn.sock.sendall(conn.queue[conn.next])  # a few KB: fits the socket buffer
        except OSError as error:
            drop(conn)
            fail(conn, f"send: {error!r}")

    def drop(conn: _Conn) -> None:
        if conn.sock is not None:
            del by_fd[conn.sock.fileno()]
            conn.sock.close()  # leaves the epoll set with it
            conn.sock = None

    def fail(conn: _Conn, message: str) -> None:
        results.errors.append(message)
        conn.next += 1
        start(conn)

    def finish(conn: _Conn, status: int) -> None:
        results.latencies_ms.append((clock() - conn.started) * 1000)
        results.statuses[status] = results.statuses.get(status, 0) + 1
        conn.next += 1
        if not conn.keep_alive:
            drop(conn)
        start(conn)

    def readable(conn: _Conn) -> None:
        try:
            chunk = conn.sock.recv(65536)
        except OSError as error:
            drop(conn)
            fail(conn, f"recv: {error!r}")
            return
        conn.buffer += chunk
        end = _header_end(conn.buffer)
        if end < 0:
            if not chunk:
                drop(conn)
                fail(conn, "connection closed before a response")
            return
        status, length, conn.keep_alive = _parse_head(bytes(conn.buffer[:end]))
        if length is None:  # read to the close
            if chunk:
                return
            conn.keep_alive = False
        elif len(conn.buffer) - end - 4 < length:
            if not chunk:
                drop(conn)
                fail(conn, "response cut short")
            return
        finish(conn, status)

    conns = [_Conn(queue) for queue in queues if queue]
    for conn in conns:
        start(conn)
    while by_fd:
        events = poller.poll(timeout)
        if not events:
            for conn in conns:
                if conn.sock is not None:
                    drop(conn)
                    fail(conn, "timed out")
            continue
        for fd, _ in events:
            conn = by_fd.get(fd)
            if conn is not None:
                readable(conn)
    poller.close()
    return results
