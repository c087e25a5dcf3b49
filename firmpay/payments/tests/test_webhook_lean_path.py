"""POST /webhooks/stripe/ answered before Django's middleware, and kept out of the access
log (a count per minute instead)."""

import io
import json
from types import SimpleNamespace

import pytest
from django.core import signals
from django.db import close_old_connections
from gunicorn.config import Config

from config.wsgi import application
from firmpay.ops.access_log import AccessLogger
from firmpay.payments.models import StripeEvent
from firmpay.payments.stripe import webhooks
from firmpay.payments.tests.conftest import WEBHOOK_SECRET, event_payload

pytestmark = [
    pytest.mark.usefixtures("stripe_settings", "connection_kept"),
    pytest.mark.django_db,
]


@pytest.fixture
def connection_kept():
    """As Django's test client does: the test's transaction must survive request_finished."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(method, path, body=b"", headers=None):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        **(headers or {}),
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer.update(status=status, headers=dict(response_headers))

    answer["body"] = b"".join(application(environ, start_response))
    return answer


def signed(payload: str) -> dict:
    return {"HTTP_STRIPE_SIGNATURE": webhooks.sign(payload, WEBHOOK_SECRET)}


def test_webhook_is_stored_and_answered_without_the_middleware_stack():
    payload = event_payload(event_id="evt_lean")
    answer = call("POST", "/webhooks/stripe/", payload.encode(), signed(payload))
    assert answer["status"] == "200 OK"
    assert json.loads(answer["body"]) == {"received": "evt_lean", "duplicate": False}
    # No session, request id or frame-options middleware ran.
    assert set(answer["headers"]) == {"Content-Type", "Content-Length"}
    assert StripeEvent.objects.get(event_id="evt_lean").payload == payload
    again = call("POST", "/webhooks/stripe/", payload.encode(), signed(payload))
    assert json.loads(again["body"])["duplicate"] is True


def test_lean_webhook_refuses_a_bad_signature_and_stores_nothing():
    payload = event_payload(event_id="evt_lean_bad")
    answer = call(
        "POST", "/webhooks/stripe/", payload.encode(), {"HTTP_STRIPE_SIGNATURE": "t=1,v1=00"}
    )
    assert answer["status"] == "400 Bad Request"
    assert not StripeEvent.objects.exists()


def test_lean_webhook_refuses_an_oversized_body(settings):
    settings.STRIPE_WEBHOOK_MAX_BYTES = 10
    payload = event_payload(event_id="evt_lean_big")
    answer = call("POST", "/webhooks/stripe/", payload.encode(), signed(payload))
    assert answer["status"].startswith("413")
    assert not StripeEvent.objects.exists()


def test_other_methods_and_pages_still_go_through_django():
    answer = call("GET", "/webhooks/stripe/")
    assert answer["status"].startswith("405") and "X-Request-ID" in answer["headers"]


class Sink:
    def __init__(self):
        self.lines = []

    def info(self, message, *args):
        self.lines.append(message % args)


def test_access_log_counts_webhook_deliveries_instead_of_a_line_each(monkeypatch):
    config = Config()
    config.set("accesslog", "-")
    logger = AccessLogger(config)
    logger.access_log = Sink()
    written = []
    monkeypatch.setattr("gunicorn.glogging.Logger.access", lambda self, *a: written.append(a[2]))
    response = SimpleNamespace(status_code=200)
    for _ in range(3):
        logger.access(response, None, {"PATH_INFO": "/webhooks/stripe/"}, 0.001)
    logger.access(response, None, {"PATH_INFO": "/invoices/"}, 0.001)
    assert [environ["PATH_INFO"] for environ in written] == ["/invoices/"]
    logger.quiet_count_flush()
    assert logger.access_log.lines == ["POST /webhooks/stripe/: 3 requests in the last 0 s (2xx=3)"]


class FakeConnection:
    """The bits of Django's connection wrapper the lean path looks after."""

    def __init__(self, *, usable=True, close_at=None):
        self.in_atomic_block, self.connection, self.usable = False, object(), usable
        self.close_at, self.errors_occurred, self.closed = close_at, False, 0

    def is_usable(self):
        return self.usable

    def close(self):
        self.closed += 1
        self.connection = None


def test_a_dead_kept_connection_is_replaced_and_the_event_stored_on_the_retry(monkeypatch):
    from django.db import OperationalError

    from firmpay.payments import webhook_wsgi

    fake = FakeConnection(usable=False)
    monkeypatch.setattr(webhook_wsgi, "connections", {"default": fake})
    tries = []

    def ingest(**kwargs):
        tries.append(kwargs)
        if len(tries) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return "evt_retry", True

    monkeypatch.setattr(webhook_wsgi, "stripe_event_ingest", ingest)
    answer = call("POST", "/webhooks/stripe/", b"{}", {"HTTP_STRIPE_SIGNATURE": "t=1,v1=0"})
    assert answer["status"] == "200 OK" and fake.closed == 1 and len(tries) == 2


def test_a_database_error_on_a_live_connection_is_a_500_without_retry(monkeypatch):
    from django.db import OperationalError

    from firmpay.payments import webhook_wsgi

    monkeypatch.setattr(webhook_wsgi, "connections", {"default": FakeConnection(usable=True)})
    tries = []

    def ingest(**kwargs):
        tries.append(kwargs)
        raise OperationalError("database is locked")

    monkeypatch.setattr(webhook_wsgi, "stripe_event_ingest", ingest)
    answer = call("POST", "/webhooks/stripe/", b"{}", {"HTTP_STRIPE_SIGNATURE": "t=1,v1=0"})
    assert answer["status"].startswith("500") and len(tries) == 1  # Stripe retries a 500


def test_a_connection_past_its_max_age_is_closed_before_the_request(monkeypatch):
    import time

    from firmpay.payments import webhook_wsgi

    old = FakeConnection(close_at=time.monotonic() - 1)
    monkeypatch.setattr(webhook_wsgi, "connections", {"default": old})
    monkeypatch.setattr(webhook_wsgi, "stripe_event_ingest", lambda **kw: ("evt_age", True))
    call("POST", "/webhooks/stripe/", b"{}", {"HTTP_STRIPE_SIGNATURE": "t=1,v1=0"})
    young = FakeConnection(close_at=time.monotonic() + 600)
    monkeypatch.setattr(webhook_wsgi, "connections", {"default": young})
    call("POST", "/webhooks/stripe/", b"{}", {"HTTP_STRIPE_SIGNATURE": "t=1,v1=0"})
    assert (old.closed, young.closed) == (1, 0)
