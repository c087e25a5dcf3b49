"""Writes for clients: create, update, archive and restore."""

from django.utils import timezone

from firmpay.clients.models import Client

EDITABLE_FIELDS = (
    "name",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "postcode",
    "country",
    "currency",
    "reminders_opt_out",
)


def client_create(
    *,
    firm,
    name: str,
    email: str,
    currency: str | None = None,
    address_line1: str = "",
    address_line2: str = "",
    city: str = "",
    postcode: str = "",
    country: str = "",
    reminders_opt_out: bool = False,
) -> Client:
    client = Client(
        firm=firm,
        name=name.strip(),
        email=email.strip().lower(),
        currency=currency or firm.default_currency,
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        postcode=postcode,
        country=country,
        reminders_opt_out=reminders_opt_out,
    )
    client.full_clean()
    client.save()
    return client


def client_update(*, client: Client, **fields) -> Client:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"client_update cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(client, name, value)
    if "email" in fields:
        client.email = client.email.strip().lower()
    client.full_clean()
    client.save(update_fields=[*fields, "updated_at"])
    return client


def client_archive(*, client: Client) -> Client:
    """Archived clients leave the lists and pickers; their invoices stay as they are."""
    if client.archived_at is None:
        client.archived_at = timezone.now()
        client.save(update_fields=["archived_at", "updated_at"])
    return client


def client_restore(*, client: Client) -> Client:
    if client.archived_at is not None:
        client.archived_at = None
        client.save(update_fields=["archived_at", "updated_at"])
    return client
