"""`make run` restarts right after a stop (issue 19, finding 6): the port check ignores the
TIME_WAIT sockets a stopped run leaves behind, and still sees a process listening."""

import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "port_free.py"


def check(port: int) -> int:
    return subprocess.run([sys.executable, str(SCRIPT), str(port)], check=False).returncode


def test_a_listening_port_is_in_use():
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        assert check(server.getsockname()[1]) == 1


def test_a_port_left_in_time_wait_by_a_stopped_server_is_free():
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first: its socket goes to TIME_WAIT
        client.recv(1)
        client.close()
    with socket.socket() as plain:  # what the old check did: refused for a minute
        try:
            plain.bind(("127.0.0.1", port))
            time_wait_blocks = False
        except OSError:
            time_wait_blocks = True

    assert check(port) == 0
    assert time_wait_blocks  # the situation the old check got wrong really happened
