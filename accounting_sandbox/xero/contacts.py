"""Xero Contacts: list/search, get, create and update. A contact's name is unique among
active contacts, as Xero enforces it."""

from __future__ import annotations

from typing import Any

from accounting_sandbox.ids import new_uuid
from accounting_sandbox.router import Request, Router
from accounting_sandbox.xero import model
from accounting_sandbox.xero.api import ItemError, X, batch, listing, not_found, public

router = Router()
BASE = "/xero/api.xro/2.0"
READ = ("accounting.contacts", "accounting.contacts.read")
WRITE = ("accounting.contacts",)
SEARCHED = ("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber", "EmailAddress")


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def find(sb: Any, tenant: str, ref: dict[str, Any]) -> dict[str, Any] | None:
    """The contact an invoice's `Contact` points at: by ContactID, ContactNumber or Name."""
    if ref.get("ContactID"):
        return sb.store.get(X, tenant, "Contact", ref["ContactID"].lower())
    for field, value in (
        ("ContactNumber", ref.get("ContactNumber")),
        ("_name_key", ref.get("Name")),
    ):
        if value:
            for row in sb.store.match(X, tenant, "Contact", field, _key(value)):
                if row.get("ContactStatus") == "ACTIVE":
                    return row
    return None


def save(
    sb: Any,
    tenant: str,
    data: dict[str, Any],
    *,
    update_only_id: str | None = None,
    create_only: bool = False,
) -> dict[str, Any]:
    contact_id = (update_only_id or data.get("ContactID") or "").lower()
    existing = sb.store.get(X, tenant, "Contact", contact_id) if contact_id else None
    if contact_id and existing is None:
        raise ItemError(f"The contact with ID {contact_id} could not be found")
    if existing and create_only:
        raise ItemError(
            "A contact that already exists cannot be created again (use POST to update)"
        )
    contact = dict(
        existing
        or {
            "ContactID": new_uuid(),
            "ContactStatus": "ACTIVE",
            "IsSupplier": False,
            "IsCustomer": False,
            "Addresses": [],
            "Phones": [],
            "ContactGroups": [],
            "ContactPersons": [],
            "HasAttachments": False,
            "HasValidationErrors": False,
        }
    )
    contact.update({k: v for k, v in data.items() if k != "ContactID"})
    name = (contact.get("Name") or "").strip()
    if not name:
        raise ItemError("The contact name must be specified.")
    if contact["ContactStatus"] == "ACTIVE":
        _unique_name(sb, tenant, contact["ContactID"], name)
    contact["UpdatedDateUTC"] = model.msnow(sb)
    contact["_name_key"] = _key(name)  # indexed: uniqueness and lookups by name
    return sb.store.put(X, tenant, "Contact", contact["ContactID"], contact)


def _unique_name(sb: Any, tenant: str, contact_id: str, name: str) -> None:
    for row in sb.store.match(X, tenant, "Contact", "_name_key", _key(name)):
        if row["ContactID"] != contact_id and row.get("ContactStatus") == "ACTIVE":
            raise ItemError(
                f"The contact name {name} is already assigned to another contact. "
                "The contact name must be unique across all active contacts."
            )


@router.get(f"{BASE}/Contacts", kind="xero_api", scopes=READ, answer="Contacts")
def contacts_list(req: Request) -> dict[str, Any]:
    term = (req.query.get("searchTerm") or "").lower()
    archived = req.query.get("includeArchived", "false").lower() == "true"

    def keep(row: dict[str, Any]) -> bool:
        if not archived and row.get("ContactStatus") == "ARCHIVED":
            return False
        return not term or any(term in str(row.get(f, "")).lower() for f in SEARCHED)

    return listing(req, "Contact", "Contacts", id_field="ContactID", extra=keep, order="Name")


@router.get(f"{BASE}/Contacts/{{contact}}", kind="xero_api", scopes=READ, answer="Contacts")
def contact_get(req: Request, contact: str) -> dict[str, Any]:
    row = req.sb.store.get(X, req.tenant, "Contact", contact.lower()) or find(
        req.sb, req.tenant, {"ContactNumber": contact}
    )
    if row is None:
        raise not_found()
    return {"Contacts": [public(row)]}


def _items(req: Request) -> list[dict[str, Any]]:
    return list(req.params.get("Contacts") or [])


@router.put(f"{BASE}/Contacts", kind="xero_api", scopes=WRITE, body="Contacts", answer="Contacts")
def contacts_create(req: Request) -> dict[str, Any]:
    return batch(
        req,
        "Contacts",
        _items(req),
        lambda item: save(req.sb, req.tenant, item, create_only=True),
        id_fields=("ContactID",),
    )


@router.post(f"{BASE}/Contacts", kind="xero_api", scopes=WRITE, body="Contacts", answer="Contacts")
def contacts_save(req: Request) -> dict[str, Any]:
    return batch(
        req,
        "Contacts",
        _items(req),
        lambda item: save(req.sb, req.tenant, item),
        id_fields=("ContactID",),
    )


@router.post(
    f"{BASE}/Contacts/{{contact}}",
    kind="xero_api",
    scopes=WRITE,
    body="Contacts",
    answer="Contacts",
)
def contact_update(req: Request, contact: str) -> dict[str, Any]:
    if req.sb.store.get(X, req.tenant, "Contact", contact.lower()) is None:
        raise not_found()
    return batch(
        req,
        "Contacts",
        _items(req)[:1],
        lambda item: save(req.sb, req.tenant, item, update_only_id=contact),
        id_fields=("ContactID",),
    )
