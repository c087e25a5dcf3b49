"""Xero's consent, tokens and /connections, as Xero documents them in 2026."""

from __future__ import annotations

from accounting_sandbox.oauth import jwt_claims
from accounting_sandbox.pytest_plugin import http
from accounting_sandbox.tests.helpers import xero

BROAD = "openid offline_access accounting.transactions accounting.contacts accounting.settings.read"


def test_app_created_after_2_march_2026_cannot_ask_for_accounting_transactions(accounting_sandbox):
    answer = accounting_sandbox.consent("xero", scope=BROAD)
    assert answer["error"] == "invalid_scope"
    assert "accounting.transactions" in answer["error_description"]
    assert answer["state"] == "st"


def test_app_created_before_2_march_2026_keeps_broad_scopes(accounting_sandbox):
    accounting_sandbox.control("POST", "config", {"xero_app_created": "2025-11-20"})
    tokens = accounting_sandbox.connect("xero", scope=BROAD)
    assert "accounting.transactions" in jwt_claims(tokens["access_token"])["scope"]


def test_granular_scopes_are_granted(accounting_sandbox):
    tokens = accounting_sandbox.connect("xero")
    assert jwt_claims(tokens["access_token"])["scope"] == [
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.contacts",
        "accounting.settings.read",
        "accounting.invoices",
        "accounting.payments",
        "accounting.banktransactions",
    ]


def test_cancel_on_the_consent_page_redirects_with_access_denied(accounting_sandbox):
    answer = accounting_sandbox.consent("xero", decision="deny")
    assert answer["error"] == "access_denied"


def test_consent_page_lists_organisations_and_says_sandbox(accounting_sandbox):
    url = (
        f"{accounting_sandbox.base_url}/xero/identity/connect/authorize?response_type=code"
        f"&client_id={accounting_sandbox.config.xero_client_id}&redirect_uri=http://127.0.0.1/cb"
        "&scope=openid+accounting.contacts&state=s"
    )
    status, _, body = http("GET", url)
    assert status == 200
    assert b"Xero sandbox" in body and b"Demo &amp; Co Accountants (UK)" in body
    assert b"Allow access" in body


def test_a_code_works_once(accounting_sandbox):
    answer = accounting_sandbox.consent("xero")
    form = {
        "grant_type": "authorization_code",
        "code": answer["code"],
        "redirect_uri": "http://127.0.0.1/callback",
    }
    assert accounting_sandbox.token("xero", form)[0] == 200
    assert accounting_sandbox.token("xero", form) == (400, {"error": "invalid_grant"})


def test_refresh_rotates_and_the_old_token_works_only_for_the_grace_period(accounting_sandbox):
    first = accounting_sandbox.connect("xero")
    old = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    status, second = accounting_sandbox.token("xero", old)
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    accounting_sandbox.advance(minutes=31)
    assert accounting_sandbox.token("xero", old) == (400, {"error": "invalid_grant"})
    newest = {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}
    assert accounting_sandbox.token("xero", newest)[0] == 200


def test_two_processes_refreshing_one_token_set_break_the_first_ones_token(accounting_sandbox):
    start = accounting_sandbox.connect("xero")
    same = {"grant_type": "refresh_token", "refresh_token": start["refresh_token"]}
    _, by_a = accounting_sandbox.token("xero", same)
    status, by_b = accounting_sandbox.token("xero", same)  # within the 30-minute grace
    assert status == 200 and by_b["refresh_token"] not in (
        by_a["refresh_token"],
        start["refresh_token"],
    )
    assert accounting_sandbox.token(
        "xero", {"grant_type": "refresh_token", "refresh_token": by_a["refresh_token"]}
    ) == (400, {"error": "invalid_grant"})
    assert (
        accounting_sandbox.token(
            "xero", {"grant_type": "refresh_token", "refresh_token": by_b["refresh_token"]}
        )[0]
        == 200
    )


def test_a_refresh_token_unused_for_60_days_expires(accounting_sandbox):
    tokens = accounting_sandbox.connect("xero")
    accounting_sandbox.advance(days=59)
    status, fresh = accounting_sandbox.token(
        "xero", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert status == 200
    accounting_sandbox.advance(days=61)
    assert accounting_sandbox.token(
        "xero", {"grant_type": "refresh_token", "refresh_token": fresh["refresh_token"]}
    ) == (400, {"error": "invalid_grant"})


def test_access_tokens_expire_after_30_minutes(accounting_sandbox):
    token = accounting_sandbox.connect("xero")["access_token"]
    assert xero(accounting_sandbox, token, "GET", "Organisation")[0] == 200
    accounting_sandbox.advance(minutes=31)
    status, headers, body = xero(accounting_sandbox, token, "GET", "Organisation")
    assert status == 401 and body["Detail"].startswith("TokenExpired")


def test_connections_can_be_filtered_by_the_consents_auth_event(accounting_sandbox):
    tokens = accounting_sandbox.connect("xero", choose=[accounting_sandbox.xero_us])
    event = jwt_claims(tokens["access_token"])["authentication_event_id"]
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    import json

    _, _, everything = http("GET", f"{accounting_sandbox.base_url}/xero/connections", headers=auth)
    assert {c["tenantId"] for c in json.loads(everything)} == {
        accounting_sandbox.xero_us,
        accounting_sandbox.xero_uk,
    }  # the UK one from an older consent
    _, _, this_one = http(
        "GET", f"{accounting_sandbox.base_url}/xero/connections?authEventId={event}", headers=auth
    )
    assert [c["tenantId"] for c in json.loads(this_one)] == [accounting_sandbox.xero_us]


def test_deleting_a_connection_ends_access_to_that_organisation(accounting_sandbox):
    import json

    tokens = accounting_sandbox.connect("xero")
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    _, _, rows = http("GET", f"{accounting_sandbox.base_url}/xero/connections", headers=auth)
    us = next(c for c in json.loads(rows) if c["tenantId"] == accounting_sandbox.xero_us)
    status, _, _ = http(
        "DELETE", f"{accounting_sandbox.base_url}/xero/connections/{us['id']}", headers=auth
    )
    assert status == 204
    assert xero(accounting_sandbox, tokens["access_token"], "GET", "Organisation")[0] == 403


def test_revoking_the_refresh_token_disconnects_everything(accounting_sandbox):
    import base64
    import urllib.parse

    tokens = accounting_sandbox.connect("xero")
    c = accounting_sandbox.config
    basic = base64.b64encode(f"{c.xero_client_id}:{c.xero_client_secret}".encode()).decode()
    status, _, _ = http(
        "POST",
        f"{accounting_sandbox.base_url}/xero/connect/revocation",
        data=urllib.parse.urlencode({"token": tokens["refresh_token"]}).encode(),
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 200
    assert xero(accounting_sandbox, tokens["access_token"], "GET", "Organisation")[0] == 401
    assert accounting_sandbox.control("GET", "xero/connections")["connections"] == []


def test_wrong_client_secret_is_invalid_client(accounting_sandbox):
    accounting_sandbox.config.xero_client_secret = "other"
    answer = accounting_sandbox.consent("xero")
    accounting_sandbox.config.xero_client_secret = "sandbox-xero-client-secret-0000000000000000"
    import base64
    import urllib.parse

    basic = base64.b64encode(f"{accounting_sandbox.config.xero_client_id}:nope".encode()).decode()
    status, _, body = http(
        "POST",
        f"{accounting_sandbox.base_url}/xero/connect/token",
        data=urllib.parse.urlencode(
            {"grant_type": "authorization_code", "code": answer["code"]}
        ).encode(),
        headers={"Authorization": f"Basic {basic}"},
    )
    assert status == 400 and b"invalid_client" in body
