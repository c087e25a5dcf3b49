"""The Stripe webhook endpoint under hostile input: tampered signatures, replays outside the
tolerance, oversized and malformed bodies, and a fuzz that must never produce a 500."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from firmpay.payments.models import StripeEvent
from tests.security.conftest import WEBHOOK_SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_settings")]
URL = "/webhooks/stripe/"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme over the raw bytes (whatever they are)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def event(**fields) -> bytes:
    body = {"id": "evt_sec_1", "object": "event", "type": "account.updated",
            "account": "acct_unknown", "created": int(time.time()), "livemode": False,
            "data": {"object": {"id": "acct_unknown", "object": "account"}}}  # fmt: skip
    return json.dumps(body | fields).encode()


def post(body: bytes, signature: str | None, **extra):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return Client().post(URL, body, content_type="application/json", **headers, **extra)


def test_a_correctly_signed_event_is_stored_once():
    body = event()
    assert post(body, sign(body, WEBHOOK_SECRET)).status_code == 200
    assert post(body, sign(body, WEBHOOK_SECRET)).json()["duplicate"] is True
    assert StripeEvent.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, sig: (body.replace(b"acct_unknown", b"acct_attacker"), sig),
        lambda body, sig: (body, sig.replace("v1=", "v1=0")),
        lambda body, sig: (body, sig.split(",v1=")[0] + ",v1=" + "0" * 64),
        lambda body, sig: (body, sign(body, "whsec_someone_else")),
        lambda body, sig: (body, ""),
        lambda body, sig: (body, None),
        lambda body, sig: (body, "garbage"),
    ],
    ids=[
        "body changed",
        "signature changed",
        "zero signature",
        "other secret",
        "empty",
        "missing",
        "garbage",
    ],
)
def test_tampered_or_missing_signatures_are_refused_and_nothing_stored(tamper):
    body = event()
    body, signature = tamper(body, sign(body, WEBHOOK_SECRET))
    assert post(body, signature).status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_replay_outside_the_tolerance_is_refused():
    body = event()
    old = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    assert post(body, old).status_code == 400
    future = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) + 3600)
    assert post(body, future).status_code in (200, 400)  # the SDK checks age only
    recent = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 200)
    assert post(body, recent).status_code == 200


def test_an_oversized_body_is_refused_before_anything_is_read(settings):
    settings.STRIPE_WEBHOOK_MAX_BYTES = 1024
    body = event(data={"object": {"id": "x", "padding": "a" * 2000}})
    assert post(body, sign(body, WEBHOOK_SECRET)).status_code == 413
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00 not utf-8",
        b"[1, 2, 3]",
        b'"a string"',
        b"{}",
        b'{"id": 12, "type": "x"}',
        b'{"id": "evt_1"}',
        b'{"id": "evt_1", "type": "x", "created": "yesterday"}',
        b'{"id": "evt_1", "type": "x", "created": 1e400}',
        b'{"id": "evt_1", "type": "x", "created": 99999999999999999999}',
        b'{"id": "evt_1", "type": "x", "created": -99999999999999}',
        b'{"id": "evt_\\u0000", "type": "x\\u0000"}',
        b'{"id": "", "type": "x"}',
        b'{"id": "evt_1", "type": ["x"]}',
        b'{"id": "evt_1", "type": "x", "account": {"a": 1}}',
    ],
)
def test_malformed_but_signed_bodies_get_a_400_or_are_stored_harmlessly(body):
    response = post(body, sign(body, WEBHOOK_SECRET))
    assert response.status_code in (200, 400), response.content


def test_other_methods_are_not_allowed():
    assert Client().get(URL).status_code == 405


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=40), st.integers(), st.none()),
        "type": st.one_of(
            st.sampled_from(
                [
                    "account.updated",
                    "checkout.session.completed",
                    "charge.refunded",
                    "payment_intent.succeeded",
                    "account.application.deauthorized",
                ]
            ),
            st.text(max_size=40),
            st.integers(),
        ),  # fmt: skip
        "account": st.one_of(st.text(max_size=30), st.none(), st.integers()),
        "created": st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
        "livemode": json_values,
        "data": json_values,
    },
)


@hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        st.binary(max_size=300),
        event_like.map(lambda d: json.dumps(d).encode()),
        json_values.map(lambda v: json.dumps(v).encode()),
    ),
    signed=st.sampled_from(["valid", "none", "random", "stale"]),
    junk=st.text(max_size=60),
)
def test_fuzzed_webhooks_never_get_a_500(body, signed, junk):
    signature = {
        "valid": lambda: sign(body, WEBHOOK_SECRET),
        "none": lambda: None,
        "random": lambda: junk,
        "stale": lambda: sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600),
    }[signed]()
    if signature is not None and any(ord(ch) < 32 or ord(ch) > 126 for ch in signature):
        signature = signature.encode("ascii", "ignore").decode()
    response = post(body, signature)
    assert response.status_code in (200, 400, 413), (response.status_code, body, signed)
