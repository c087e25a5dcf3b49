"""Whatever nested params the SDK encodes, the sandbox parses back."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode

from stripe_sandbox.forms import listify, parse_query

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
scalars = st.one_of(st.text(max_size=12), st.integers(-(10**9), 10**9), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(keys, inner, min_size=1, max_size=3),
    ),
    max_leaves=12,
)


def as_wire(value, list_item=False):
    """What survives form encoding: every scalar is a string. The SDK
    lower-cases booleans held by a hash but not scalar items of a list, and
    re-encodes a list inside a list as a hash of its items."""
    if isinstance(value, dict):
        return {k: as_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_wire(v, list_item=not list_item) for v in value]
    if isinstance(value, bool) and not list_item:
        return str(value).lower()
    return str(value)


def sdk_encode(params):
    # Exactly what stripe._api_requestor does before sending.
    return urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")


@given(st.dictionaries(keys, values, min_size=1, max_size=4))
def test_sdk_encoding_round_trips(params):
    assert listify(parse_query(sdk_encode(params))) == as_wire(params)
