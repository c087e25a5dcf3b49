"""Rate limits as the vendors document them, and injected faults."""

from __future__ import annotations

import time

import pytest

from accounting_sandbox.tests.helpers import qbo, xero


@pytest.fixture
def xero_token(accounting_sandbox):
    return accounting_sandbox.connect("xero")["access_token"]


@pytest.fixture
def qbo_token(accounting_sandbox):
    return accounting_sandbox.connect("quickbooks")["access_token"]


def test_xero_allows_60_calls_a_minute_per_organisation(accounting_sandbox, xero_token):
    for _ in range(60):
        status, headers, _ = xero(accounting_sandbox, xero_token, "GET", "Organisation")
        assert status == 200
    assert headers["X-MinLimit-Remaining"] == "0"
    status, headers, body = xero(accounting_sandbox, xero_token, "GET", "Organisation")
    assert status == 429 and headers["X-Rate-Limit-Problem"] == "minute"
    assert 0 < int(headers["Retry-After"]) <= 60
    # another organisation has its own minute
    assert (
        xero(
            accounting_sandbox, xero_token, "GET", "Organisation", tenant=accounting_sandbox.xero_uk
        )[0]
        == 200
    )
    accounting_sandbox.advance(seconds=61)
    assert xero(accounting_sandbox, xero_token, "GET", "Organisation")[0] == 200


def test_xero_allows_5_calls_at_once_per_organisation(accounting_sandbox):
    limits = accounting_sandbox.sandbox.limits
    held = [limits.admit("xero", "org-a") for _ in range(5)]
    verdicts = [h.__enter__() for h in held]
    assert all(v.ok for v in verdicts)
    with limits.admit("xero", "org-a") as sixth:
        assert (sixth.ok, sixth.problem) == (False, "concurrent")
    for h in held:
        h.__exit__(None, None, None)
    with limits.admit("xero", "org-a") as later:
        assert later.ok


def test_quickbooks_throttles_the_11th_call_in_a_second_for_60_seconds(
    accounting_sandbox, qbo_token
):
    accounting_sandbox.config.quickbooks_xml_429_every = 0
    statuses = [qbo(accounting_sandbox, qbo_token, "GET", "preferences")[0] for _ in range(11)]
    if statuses.count(429) == 0:  # the 10 calls straddled a second: push the limit once more
        statuses += [qbo(accounting_sandbox, qbo_token, "GET", "preferences")[0] for _ in range(11)]
    assert 429 in statuses
    status, headers, body = qbo(accounting_sandbox, qbo_token, "GET", "preferences")
    assert status == 429 and body["Fault"]["Error"][0]["code"] == "003001"
    assert headers["Retry-After"] in {str(s) for s in range(55, 61)}
    accounting_sandbox.advance(seconds=61)
    assert qbo(accounting_sandbox, qbo_token, "GET", "preferences")[0] == 200


def test_some_quickbooks_429s_are_xml_without_retry_after(accounting_sandbox, qbo_token):
    accounting_sandbox.config.quickbooks_xml_429_every = 1
    accounting_sandbox.fault(vendor="quickbooks", mode="429")
    status, headers, body = qbo(accounting_sandbox, qbo_token, "GET", "preferences")
    assert status == 429 and "Retry-After" not in headers
    assert body.startswith(b"<?xml") and b"Wait 60 seconds" in body


def test_rate_limits_can_be_turned_off(accounting_sandbox, xero_token):
    accounting_sandbox.control("POST", "config", {"rate_limits": False})
    assert {xero(accounting_sandbox, xero_token, "GET", "Organisation")[0] for _ in range(65)} == {
        200
    }


@pytest.mark.parametrize(
    ("mode", "status", "check"),
    [
        ("500", 500, lambda body: body["Status"] == 500),
        ("503", 503, lambda body: body["Title"] == "Service Unavailable"),
        ("429", 429, lambda body: body["Status"] == 429),
        ("html", 502, lambda body: body.startswith(b"<html>")),
        ("empty", 200, lambda body: body == b""),
        ("fault_in_200", 200, lambda body: body["Type"] == "UnknownErrorException"),
        ("wrong_types", 200, lambda body: isinstance(body["Organisations"][0]["PaysTax"], str)),
    ],
)
def test_xero_faults(accounting_sandbox, xero_token, mode, status, check):
    accounting_sandbox.fault(vendor="xero", path="/Organisation", mode=mode)
    got_status, _, body = xero(accounting_sandbox, xero_token, "GET", "Organisation")
    assert got_status == status and check(body)
    assert xero(accounting_sandbox, xero_token, "GET", "Organisation")[0] == 200  # count=1: once


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        ("500", 500, "10000"),
        ("fault_in_200", 200, "10000"),
        ("429", 429, "003001"),
    ],
)
def test_quickbooks_faults(accounting_sandbox, qbo_token, mode, status, code):
    accounting_sandbox.config.quickbooks_xml_429_every = 0
    accounting_sandbox.fault(vendor="quickbooks", path="/query", mode=mode)
    got_status, _, body = qbo(
        accounting_sandbox, qbo_token, "GET", "query", query={"query": "select * from Account"}
    )
    assert got_status == status and body["Fault"]["Error"][0]["code"] == code


def test_a_timeout_fault_closes_the_connection_unanswered(accounting_sandbox, xero_token):
    import http.client
    import urllib.parse

    accounting_sandbox.fault(vendor="xero", mode="timeout", seconds=0.2)
    url = urllib.parse.urlsplit(accounting_sandbox.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    started = time.monotonic()
    conn.request(
        "GET", "/xero/api.xro/2.0/Organisation", headers={"Authorization": f"Bearer {xero_token}"}
    )
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.getresponse()
    assert time.monotonic() - started >= 0.2


def test_faults_only_hit_matching_paths(accounting_sandbox, xero_token):
    accounting_sandbox.fault(vendor="xero", path="/Invoices", mode="500", count=3)
    assert xero(accounting_sandbox, xero_token, "GET", "Organisation")[0] == 200
    assert accounting_sandbox.control("GET", "faults")["faults"][0]["remaining"] == 3
    accounting_sandbox.control("DELETE", "faults")
    assert xero(accounting_sandbox, xero_token, "GET", "Invoices")[0] == 200
