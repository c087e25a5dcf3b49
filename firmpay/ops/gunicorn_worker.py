"""gunicorn's sync worker, minus its linger on close when there is nothing to linger for.

gunicorn 27 closes every connection "gracefully" (`util.close_graceful`, RFC 9112 9.6):
shut the write side, then wait (up to 2 s) reading until the client closes too, so that
unread request bytes cannot make the kernel answer with a reset that truncates the
response. A sync worker serves one connection at a time, so it sits idle through that
round trip (and pays a few more system calls) on every request: at webhook rates it was
a quarter of a worker's time.

Here, when the request's body was read to its end (its Content-Length consumed: every
GET, every webhook), nothing unread can be waiting and a plain close sends FIN after the
response, as before gunicorn 27. Anything else (a body the app did not read, chunked
bodies, errors before a request was parsed) still closes gracefully. Named by
`worker_class` in gunicorn.conf.py.

The response also leaves in one TCP segment: gunicorn writes the headers and the body
with a send each, and with TCP_NODELAY (gunicorn sets it) each send is a segment of its
own, then the close sends a third with the FIN. The connection is corked (Linux TCP_CORK)
while the request is handled; the close (or the graceful close's shutdown) sends what is
held, the FIN in the same segment. One segment instead of three: fewer packets for the
kernel to carry on both sides, and the client woken once. (The sync worker closes after
every response, so nothing stays corked; a full segment leaves at once anyway.)
"""

from __future__ import annotations

import socket

from gunicorn.http.body import LengthReader
from gunicorn.workers import sync


def body_consumed(req) -> bool:
    """The request's body was read to its end, or it had none."""
    reader = getattr(getattr(req, "body", None), "reader", None)
    return isinstance(reader, LengthReader) and reader.length == 0


CORK = getattr(socket, "TCP_CORK", None)  # Linux


def cork(client) -> None:
    """Hold partial segments until the socket is closed (or shut down for writing)."""
    if CORK is not None and client.family in (socket.AF_INET, socket.AF_INET6):
        try:
            client.setsockopt(socket.IPPROTO_TCP, CORK, 1)
        except OSError:
            pass


class SyncWorker(sync.SyncWorker):
    def handle_request(self, listener, req, client, addr):
        cork(client)
        super().handle_request(listener, req, client, addr)
        # The response is written. gunicorn's `handle` then calls close_graceful, which
        # finds the socket closed already and returns.
        if body_consumed(req):
            client.close()
