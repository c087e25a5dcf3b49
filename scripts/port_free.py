"""Exit 0 when 127.0.0.1:<port> is free to listen on, 1 when a process listens there.

Binds with SO_REUSEADDR, as gunicorn and the Stripe sandbox do: the TIME_WAIT sockets a
just-stopped run leaves behind for a minute do not count (`make run` restarts at once)."""

import socket
import sys


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            probe.listen(1)
        except OSError:
            return False
    return True


if __name__ == "__main__":
    sys.exit(0 if port_free(int(sys.argv[1])) else 1)
