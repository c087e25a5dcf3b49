"""The wire format: auth, unknown routes, form parsing, validation, clock."""

from __future__ import annotations

import pytest
import stripe
from stripe.params import AccountCreateParams, EventListParams

from stripe_sandbox.errors import StripeError
from stripe_sandbox.forms import FormError, parse_query
from stripe_sandbox.validate import validate


def test_missing_key_is_an_authentication_error(stripe_sandbox):
    client = stripe_sandbox.client(api_key="")
    with pytest.raises(stripe.AuthenticationError):
        client.v1.accounts.retrieve_current()


def test_wrong_key_is_an_authentication_error(stripe_sandbox):
    client = stripe_sandbox.client(api_key="sk_test_not_the_platform_key_1234")
    with pytest.raises(
        stripe.AuthenticationError, match=r"Invalid API Key provided: sk_test_\*+1234"
    ):
        client.v1.accounts.retrieve_current()


def test_unknown_route_is_an_invalid_request_error(stripe_client):
    with pytest.raises(stripe.InvalidRequestError, match="Unrecognized request URL"):
        stripe_client.raw_request("get", "/v1/nothing_here")


def test_bracket_keys_nest_like_the_sdk_encodes_them():
    parsed = parse_query("a[b][c]=1&l[0][x]=2&l[1][x]=3&expand[]=one&expand[]=two&e=")
    assert parsed == {
        "a": {"b": {"c": "1"}},
        "l": {"0": {"x": "2"}, "1": {"x": "3"}},
        "expand": ["one", "two"],
        "e": "",
    }


def test_conflicting_bracket_keys_are_rejected():
    with pytest.raises(FormError):
        parse_query("a=1&a[b]=2")


def test_validation_coerces_scalars_and_lists():
    params = validate(
        parse_query("capabilities[card_payments][requested]=true&expand[0]=x"), AccountCreateParams
    )
    assert params == {"capabilities": {"card_payments": {"requested": True}}, "expand": ["x"]}
    assert validate(parse_query("limit=3&created[gte]=5"), EventListParams) == {
        "limit": 3,
        "created": {"gte": 5},
    }


def test_unknown_nested_key_names_its_path():
    with pytest.raises(StripeError) as caught:
        validate(parse_query("controller[stripe_dashbord][type]=full"), AccountCreateParams)
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "controller[stripe_dashbord]"


def test_metadata_keys_that_look_like_indices_stay_a_hash():
    params = validate(parse_query("metadata[0]=a&metadata[1]=b"), AccountCreateParams)
    assert params["metadata"] == {"0": "a", "1": "b"}


def test_clock_advances_through_the_control_api(stripe_sandbox):
    before = stripe_sandbox.control("GET", "clock")["now"]
    after = stripe_sandbox.advance(days=2)
    assert after - before >= 2 * 86400
