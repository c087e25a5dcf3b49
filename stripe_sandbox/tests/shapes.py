"""Compare a response object with Stripe's example for its resource."""

from __future__ import annotations

from typing import Any

from stripe_sandbox.objects import fixtures

# Fields of Stripe's examples that its API includes only when expanded (`expand[]`):
# a charge's refunds since API 2022-11-15.
INCLUDABLE = {"charge": {"refunds"}}


def missing_fields(obj: Any, kind: str) -> set[str]:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return set(fixtures()[kind]) - set(data) - INCLUDABLE.get(kind, set())


def assert_shape(obj: Any, kind: str) -> None:
    missing = missing_fields(obj, kind)
    assert not missing, f"{kind} lacks {sorted(missing)}"
