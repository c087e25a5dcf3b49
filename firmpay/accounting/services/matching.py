"""Finding what already exists in the firm's ledger before creating anything there.

Contacts/customers: Xero keeps contact names unique among active contacts and QuickBooks
keeps DisplayName unique across customers, vendors and employees, so a firm that already
invoices in its ledger has most of its clients there. We look them up (Xero: our client
reference in ContactNumber, then email, then name; QuickBooks: DisplayName, then email) and
link what matches. When a *different* contact holds the client's name, the row fails with
a ContactConflict the invoice page shows, with a one-click link or "create a distinct one".

Invoices: the number there is the connection's prefix and Firmpay's sequence; before
creating one we look it up, so a re-sync after data loss links the invoice already there
instead of sending a duplicate (or fails plainly when that number holds another invoice).
"""

from __future__ import annotations

from decimal import Decimal

from firmpay.accounting.providers.base import (
    ApiContext,
    ContactData,
    Provider,
    ProviderRejected,
    RemoteContact,
    RemoteInvoice,
)


class ContactConflict(ProviderRejected):
    """Another contact holds the client's name there. Not retried: the firm decides."""

    def __init__(self, message: str, *, holder: RemoteContact | None):
        super().__init__(message, status=400)
        self.holder = holder


def client_reference(client) -> str:
    """Our reference for a client, stored in Xero's ContactNumber."""
    return f"FIRMPAY-{client.pk}"


def distinct_name(client) -> str:
    """The name of a contact created beside another one holding the client's name."""
    return f"{client.name} ({client_reference(client)})"


def _same_email(a: str, b: str) -> bool:
    return bool(a) and a.strip().lower() == b.strip().lower()


def contact_match(
    *, provider: Provider, ctx: ApiContext, contact: ContactData
) -> RemoteContact | None:
    """The ledger's contact for this client, or None when there is none. Raises
    ContactConflict when a different contact holds the name."""
    for by in ("number", "email"):
        value = contact.number if by == "number" else contact.email
        found = provider.contact_find(ctx=ctx, by=by, value=value)
        if by == "email":
            found = [row for row in found if row.name == contact.name] or found[:1]
        if found:
            return found[0]
    for holder in provider.contact_find(ctx=ctx, by="name", value=contact.name):
        if not holder.email or _same_email(holder.email, contact.email):
            if not holder.number or holder.number == contact.number:
                return holder
        raise ContactConflict(
            f"{provider.name} already has a different contact named “{holder.name}”"
            f"{' (' + holder.email + ')' if holder.email else ''}. Link this client to it, "
            "or create a distinct contact.",
            holder=holder,
        )
    return None


def name_taken_conflict(*, provider: Provider, contact: ContactData, message: str):
    """The vendor refused the name although no customer holds it (QuickBooks counts vendors
    and employees too): only a distinct contact will do."""
    return ContactConflict(
        f"{provider.name} refused the name “{contact.name}”: another record there holds it "
        f"({message}). Create a distinct contact for this client.",
        holder=None,
    )


def invoice_match(
    *, provider: Provider, ctx: ApiContext, number: str, contact_id: str, total: Decimal
) -> RemoteInvoice | None:
    """The invoice already there under `number` when it is this one (same contact and
    total), None when the number is free; ProviderRejected when another invoice holds it."""
    found = provider.invoice_find(ctx=ctx, number=number)
    if found is None:
        return None
    if found.contact_id == contact_id and found.total == total:
        return found
    raise ProviderRejected(
        f"Invoice number {number} is already used in {provider.name} by another invoice. "
        "Choose a different invoice number prefix in Settings → Integrations.",
        status=400,
    )
