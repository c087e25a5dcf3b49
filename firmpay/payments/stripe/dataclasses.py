"""Our picture of Stripe objects. Core code holds these, never a StripeObject.

Snapshots are stored on PaymentAccount.snapshot as JSON (`to_dict` / `from_dict`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RequirementError:
    requirement: str
    code: str
    reason: str


@dataclass(frozen=True)
class Requirements:
    currently_due: tuple[str, ...] = ()
    eventually_due: tuple[str, ...] = ()
    past_due: tuple[str, ...] = ()
    pending_verification: tuple[str, ...] = ()
    current_deadline: datetime | None = None
    disabled_reason: str | None = None
    errors: tuple[RequirementError, ...] = ()


@dataclass(frozen=True)
class Capabilities:
    """Each is Stripe's capability status: active | inactive | pending | unrequested."""

    card: str = "unrequested"
    ach: str = "unrequested"  # us_bank_account_ach_payments
    bacs: str = "unrequested"  # bacs_debit_payments
    transfers: str = "unrequested"

    @property
    def card_active(self) -> bool:
        return self.card == "active"

    @property
    def ach_active(self) -> bool:
        return self.ach == "active"

    @property
    def bacs_active(self) -> bool:
        return self.bacs == "active"

    def live_methods(self) -> list[str]:
        """Readable names of the payment methods clients can use now."""
        names = []
        if self.card_active:
            names.append("Card")
        if self.ach_active:
            names.append("ACH direct debit")
        if self.bacs_active:
            names.append("Bacs direct debit")
        return names


@dataclass(frozen=True)
class AccountSnapshot:
    id: str
    business_name: str = ""
    country: str = ""
    default_currency: str = ""  # upper case, e.g. "USD"
    email: str = ""
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False
    requirements: Requirements = field(default_factory=Requirements)
    future_requirements: Requirements = field(default_factory=Requirements)
    capabilities: Capabilities = field(default_factory=Capabilities)
    dashboard: str = "full"  # full | express | none
    created_via: str = "platform"  # platform (controller is our application) | oauth

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("requirements", "future_requirements"):
            deadline = data[key]["current_deadline"]
            data[key]["current_deadline"] = deadline.isoformat() if deadline else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> AccountSnapshot:
        return cls(
            id=data["id"],
            business_name=data.get("business_name", ""),
            country=data.get("country", ""),
            default_currency=data.get("default_currency", ""),
            email=data.get("email", ""),
            charges_enabled=data.get("charges_enabled", False),
            payouts_enabled=data.get("payouts_enabled", False),
            details_submitted=data.get("details_submitted", False),
            requirements=_requirements_from_dict(data.get("requirements") or {}),
            future_requirements=_requirements_from_dict(data.get("future_requirements") or {}),
            capabilities=Capabilities(**(data.get("capabilities") or {})),
            dashboard=data.get("dashboard", "full"),
            created_via=data.get("created_via", "platform"),
        )


def _requirements_from_dict(data: dict) -> Requirements:
    deadline = data.get("current_deadline")
    return Requirements(
        currently_due=tuple(data.get("currently_due", ())),
        eventually_due=tuple(data.get("eventually_due", ())),
        past_due=tuple(data.get("past_due", ())),
        pending_verification=tuple(data.get("pending_verification", ())),
        current_deadline=datetime.fromisoformat(deadline) if deadline else None,
        disabled_reason=data.get("disabled_reason"),
        errors=tuple(RequirementError(**error) for error in data.get("errors", ())),
    )


@dataclass(frozen=True)
class EventEnvelope:
    """A stored Stripe event, parsed in the worker from its raw payload."""

    id: str
    type: str
    account: str  # "" for platform events
    created: datetime
    livemode: bool
    object: dict  # data.object, plain JSON
    previous_attributes: dict = field(default_factory=dict)
    received_at: datetime | None = None  # when our webhook stored it (our clock)
    api_version: str = ""  # the version Stripe rendered `object` in


@dataclass(frozen=True)
class WebhookEndpoint:
    id: str
    url: str
    secret: str | None  # only known when the endpoint was just created
    api_version: str = ""
    replaced: str = ""  # the id of an endpoint in another API version this one replaced
