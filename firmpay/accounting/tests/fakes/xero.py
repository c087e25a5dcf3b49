"""A stateful respx fake of Xero: identity (authorization code, rotating refresh tokens,
invalid_grant, revocation), /connections, and the Accounting API's Accounts, Contacts,
Invoices and Payments with the rules Firmpay relies on (AUTHORISED invoices, amount ≤ due,
payments to BANK accounts, payments deleted not edited, Idempotency-Key replays, 429 with
Retry-After, 5xx, a response lost after the write)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import httpx

from firmpay.accounting.tests.fakes.common import (
    FaultsMixin,
    OAuthServer,
    body_json,
    jsonable,
    unexpected_answer,
)

API = "https://api.xero.com"
BROAD_SCOPES = {
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.reports.read",
}
DEFAULT_TAX_RATES = [
    {"Name": "20% (VAT on Income)", "TaxType": "OUTPUT2", "EffectiveRate": 20},
    {"Name": "Zero Rated Income", "TaxType": "ZERORATEDOUTPUT", "EffectiveRate": 0},
    {"Name": "No VAT", "TaxType": "NONE", "EffectiveRate": 0},
    {
        "Name": "20% (VAT on Expenses)",
        "TaxType": "INPUT2",
        "EffectiveRate": 20,
        "CanApplyToRevenue": False,
    },
]
TOKEN_URL = "https://identity.xero.com/connect/token"
REVOKE_URL = "https://identity.xero.com/connect/revocation"

DEFAULT_ACCOUNTS = [
    {"Code": "090", "Name": "Business Bank Account", "Type": "BANK", "Class": "ASSET"},
    {"Code": "610", "Name": "Accounts Receivable", "Type": "CURRENT", "Class": "ASSET"},
    {
        "Code": "800",
        "Name": "Stripe Clearing",
        "Type": "CURRENT",
        "Class": "ASSET",
        "EnablePaymentsToAccount": True,
    },
    {"Code": "200", "Name": "Sales", "Type": "REVENUE", "Class": "REVENUE"},
    {"Code": "260", "Name": "Other Revenue", "Type": "OTHERINCOME", "Class": "REVENUE"},
]


def _error(message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": message}]}],
        },
    )


class FakeXero(FaultsMixin):
    def __init__(
        self, *, client_id="xero-client", client_secret="xero-secret", tenants=None, granular=True
    ):
        self.oauth = OAuthServer(client_id=client_id, client_secret=client_secret, access_ttl=1800)
        self.oauth.on_consent = self.consent_event
        # An app created on or after 2 March 2026 has granular scopes only.
        self.granular = granular
        self.tenants = tenants or [
            {"id": str(uuid.uuid4()), "name": "Acme Books Ltd"},
            {"id": str(uuid.uuid4()), "name": "Acme Demo Company"},
        ]
        self.connections = {
            str(uuid.uuid4()): tenant["id"] for tenant in self.tenants
        }  # connection id -> tenant id
        # connection id -> the authEventId of the consent that granted it
        self.events = {cid: "" for cid in self.connections}
        self.accounts = {
            tenant["id"]: [
                {**row, "AccountID": str(uuid.uuid4()), "Status": "ACTIVE"}
                for row in DEFAULT_ACCOUNTS
            ]
            for tenant in self.tenants
        }
        self.tax_rates = {
            tenant["id"]: [{**row, "Status": "ACTIVE"} for row in DEFAULT_TAX_RATES]
            for tenant in self.tenants
        }
        self.identity_log: list[str] = []
        self.contacts: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.idempotent: dict[tuple[str, str], tuple[int, dict]] = {}
        self.init_faults()

    # --- consent ---
    def scope_error(self, scope: str) -> str:
        """What the consent page answers for `scope`: "" (fine) or the OAuth error."""
        asked = set(scope.split())
        if self.granular and asked & BROAD_SCOPES:
            return "invalid_scope"
        return ""

    def consent_event(self, tenant_ids=None) -> str:
        """A consent granting `tenant_ids` (default all): a new authEventId on their
        connections; organisations connected earlier keep theirs."""
        event = str(uuid.uuid4())
        for cid, tid in self.connections.items():
            if tenant_ids is None or tid in tenant_ids:
                self.events[cid] = event
        return event

    def consent(self, tenant_ids) -> str:
        return self.oauth.issue_code(event=self.consent_event(tenant_ids))

    # --- test helpers ---
    def add_contact(self, name: str, email: str = "", number: str = "", tenant=None) -> dict:
        contact = {
            "ContactID": str(uuid.uuid4()),
            "Name": name,
            "EmailAddress": email,
            "ContactStatus": "ACTIVE",
            "tenant": tenant or self.tenant_id,
        }
        if number:
            contact["ContactNumber"] = number
        self.contacts[contact["ContactID"]] = contact
        return contact

    def add_invoice(self, number: str, contact: dict, total: str = "100.00") -> dict:
        invoice = {
            "InvoiceID": str(uuid.uuid4()),
            "Type": "ACCREC",
            "InvoiceNumber": number,
            "Contact": {"ContactID": contact["ContactID"]},
            "Status": "AUTHORISED",
            "LineItems": [],
            "Total": Decimal(total),
            "AmountDue": Decimal(total),
            "AmountPaid": Decimal(0),
            "tenant": contact["tenant"],
        }
        self.invoices[invoice["InvoiceID"]] = invoice
        return invoice

    @property
    def tenant_id(self) -> str:
        return self.tenants[0]["id"]

    def account(self, code: str, tenant_id: str | None = None) -> dict:
        return next(a for a in self.accounts[tenant_id or self.tenant_id] if a["Code"] == code)

    def live_payments(self) -> list[dict]:
        return [p for p in self.payments.values() if p["Status"] != "DELETED"]

    def install(self, router) -> FakeXero:
        router.post(TOKEN_URL).mock(side_effect=self.oauth.token)
        router.post(REVOKE_URL).mock(side_effect=self._revoke)
        router.get(f"{API}/connections").mock(side_effect=self._connections)
        router.delete(url__regex=rf"^{re.escape(API)}/connections/[^/]+$").mock(
            side_effect=self._connection_delete
        )
        router.route(url__startswith=f"{API}/api.xro/2.0/").mock(side_effect=self._api)
        return self

    # --- identity ---
    def _revoke(self, request):
        self.connections.clear()
        return self.oauth.revoke(request)

    def _connections(self, request):
        self.identity_log.append(str(request.url))
        if not self.oauth.bearer_ok(request):
            return httpx.Response(401, json={"Title": "Unauthorized"})
        names = {t["id"]: t["name"] for t in self.tenants}
        wanted = request.url.params.get("authEventId")
        return httpx.Response(
            200,
            json=[
                {
                    "id": cid,
                    "authEventId": self.events.get(cid, ""),
                    "tenantId": tid,
                    "tenantType": "ORGANISATION",
                    "tenantName": names[tid],
                }
                for cid, tid in self.connections.items()
                if not wanted or self.events.get(cid) == wanted
            ],
        )

    def _connection_delete(self, request):
        self.connections.pop(request.url.path.rsplit("/", 1)[-1], None)
        return httpx.Response(204)

    # --- the Accounting API ---
    def _api(self, request: httpx.Request):
        path = request.url.path.removeprefix("/api.xro/2.0/")
        self.log.append((request.method, path, dict(request.headers)))
        if not self.oauth.bearer_ok(request):
            return httpx.Response(401, json={"Title": "Unauthorized", "Status": 401})
        tenant = request.headers.get("Xero-Tenant-Id", "")
        if tenant not in self.connections.values():
            return httpx.Response(
                403, json={"Title": "Forbidden", "Detail": "AuthenticationUnsuccessful"}
            )
        fault = self.take_fault(request)
        if fault is not None and fault.kind == "429":
            return httpx.Response(
                429,
                headers={"Retry-After": str(fault.retry_after), "X-Rate-Limit-Problem": "minute"},
                json={"Title": "Too Many Requests"},
            )
        if fault is not None and fault.kind == "500":
            return httpx.Response(500, json={"Title": "An error occurred"})
        if fault is not None and unexpected_answer(fault.kind) is not None:
            return unexpected_answer(fault.kind)
        key = request.headers.get("Idempotency-Key")
        if key and (tenant, key) in self.idempotent:
            status, payload = self.idempotent[(tenant, key)]
            return httpx.Response(status, json=payload)
        response = self._dispatch(request, tenant, path)
        if key and request.method in ("PUT", "POST") and response.status_code < 500:
            self.idempotent[(tenant, key)] = (response.status_code, response.json())
        if fault is not None and fault.kind == "timeout_after_store":
            raise httpx.ReadTimeout("the response was lost", request=request)
        return response

    def _dispatch(self, request, tenant: str, path: str) -> httpx.Response:
        method = request.method
        if method == "GET" and path == "Accounts":
            return httpx.Response(200, json={"Accounts": self.accounts[tenant]})
        if method == "GET" and path == "TaxRates":
            return httpx.Response(200, json={"TaxRates": self.tax_rates[tenant]})
        if method == "GET" and path == "Contacts":
            return self._contacts_list(tenant, request.url.params)
        if method == "GET" and path == "Invoices":
            return self._invoices_list(tenant, request.url.params)
        if method in ("PUT", "POST") and path == "Contacts":
            return self._contacts_create(tenant, body_json(request))
        if method in ("PUT", "POST") and path == "Invoices":
            return self._invoices_create(tenant, body_json(request))
        if method == "POST" and path.startswith("Invoices/"):
            return self._invoice_update(tenant, path.split("/", 1)[1], body_json(request))
        if method == "PUT" and path == "Payments":
            summarize = request.url.params.get("summarizeErrors", "true") != "false"
            return self._payments_create(tenant, body_json(request), summarize)
        if method == "POST" and path.startswith("Payments/"):
            return self._payment_delete(tenant, path.split("/", 1)[1], body_json(request))
        return httpx.Response(404, json={"Title": "Not found"})

    def _contacts_list(self, tenant, params):
        """`where` as Firmpay sends it: Field=="value" for Name, EmailAddress, ContactNumber."""
        rows = [c for c in self.contacts.values() if c["tenant"] == tenant]
        where = params.get("where", "")
        if where:
            match = re.fullmatch(r'(\w+)=="((?:[^"\\]|\\.)*)"', where)
            if match is None:
                return _error(f"unsupported where: {where}")
            field, value = match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))
            rows = [c for c in rows if c.get(field) == value]
        return httpx.Response(200, json={"Contacts": [self._public(c) for c in rows]})

    def _invoices_list(self, tenant, params):
        rows = [i for i in self.invoices.values() if i["tenant"] == tenant]
        if params.get("InvoiceNumbers"):
            numbers = set(params["InvoiceNumbers"].split(","))
            rows = [i for i in rows if i.get("InvoiceNumber") in numbers]
        where = params.get("where", "")
        starts = re.search(r'InvoiceNumber\.StartsWith\("([^"]*)"\)', where)
        if starts:
            rows = [i for i in rows if str(i.get("InvoiceNumber", "")).startswith(starts.group(1))]
        return httpx.Response(200, json={"Invoices": [self._public(i) for i in rows[:100]]})

    def _contacts_create(self, tenant, body):
        created = []
        for row in body["Contacts"]:
            if any(
                c["Name"] == row["Name"] and c["tenant"] == tenant for c in self.contacts.values()
            ):
                return _error(
                    f"The contact name {row['Name']} is already assigned to another contact."
                )
            contact = {
                **row,
                "ContactID": str(uuid.uuid4()),
                "ContactStatus": "ACTIVE",
                "tenant": tenant,
            }
            self.contacts[contact["ContactID"]] = contact
            created.append({k: v for k, v in contact.items() if k != "tenant"})
        return httpx.Response(200, json={"Contacts": created})

    def _invoices_create(self, tenant, body):
        created = []
        for row in body["Invoices"]:
            contact = self.contacts.get(row["Contact"]["ContactID"])
            if contact is None or contact["tenant"] != tenant:
                return _error("The contact does not exist.")
            codes = {a["Code"] for a in self.accounts[tenant]}
            if any(line.get("AccountCode") not in codes for line in row["LineItems"]):
                return _error("Account code is not a valid code for this document.")
            taxes = {
                t["TaxType"] for t in self.tax_rates[tenant] if t.get("CanApplyToRevenue", True)
            }
            if any(
                line.get("TaxType", "NONE") not in taxes | {"NONE"} for line in row["LineItems"]
            ):
                return _error("The TaxType code is not a valid tax type for this line.")
            number = row.get("InvoiceNumber")
            if number and any(
                i.get("InvoiceNumber") == number and i["tenant"] == tenant and i["Type"] == "ACCREC"
                for i in self.invoices.values()
            ):
                return _error("Invoice # must be unique.")
            sub = sum((Decimal(line["LineAmount"]) for line in row["LineItems"]), Decimal(0))
            tax = sum((Decimal(line.get("TaxAmount", 0)) for line in row["LineItems"]), Decimal(0))
            invoice = {
                **row,
                "InvoiceID": str(uuid.uuid4()),
                "SubTotal": sub,
                "TotalTax": tax,
                "Total": sub + tax,
                "AmountDue": sub + tax,
                "AmountPaid": Decimal(0),
                "tenant": tenant,
            }
            self.invoices[invoice["InvoiceID"]] = invoice
            created.append(self._public(invoice))
        return httpx.Response(200, json={"Invoices": created})

    @staticmethod
    def _public(row: dict) -> dict:
        return jsonable(row)

    def _invoice_update(self, tenant, invoice_id, body):
        invoice = self.invoices.get(invoice_id)
        if invoice is None or invoice["tenant"] != tenant:
            return httpx.Response(404, json={"Title": "Not found"})
        status = body["Invoices"][0].get("Status")
        if status == "VOIDED":
            if any(p["InvoiceID"] == invoice_id for p in self.live_payments()):
                return _error("Invoice not of valid status for modification: it has payments")
            invoice["Status"] = "VOIDED"
        return httpx.Response(200, json={"Invoices": [self._public(invoice)]})

    def _payments_create(self, tenant, body, summarize=True):
        if len(body["Payments"]) > 50:
            return _error("A request may carry at most 50 payments")
        results = []
        for row in body["Payments"]:
            response = self._payment_create(tenant, row)
            if response.status_code != 200 and summarize:
                return response
            if response.status_code != 200:
                errors = response.json()["Elements"][0]["ValidationErrors"]
                results.append(
                    {
                        **jsonable(row),
                        "StatusAttributeString": "ERROR",
                        "HasValidationErrors": True,
                        "ValidationErrors": errors,
                    }
                )
            else:
                results.append(response.json()["Payments"][0])
        return httpx.Response(200, json={"Payments": results})

    def _payment_create(self, tenant, row):
        invoice = self.invoices.get(row["Invoice"]["InvoiceID"])
        if invoice is None or invoice["tenant"] != tenant:
            return _error("Invoice could not be found")
        if invoice["Status"] != "AUTHORISED":
            return _error("Payment cannot be created: the invoice is not AUTHORISED")
        account = next(
            (a for a in self.accounts[tenant] if a["Code"] == row["Account"]["Code"]), None
        )
        if account is None or not (
            account["Type"] == "BANK" or account.get("EnablePaymentsToAccount")
        ):
            return _error("Account type is invalid for making a payment to/from")
        amount = Decimal(row["Amount"])
        if amount > invoice["AmountDue"]:
            return _error("Payment amount exceeds the amount outstanding on this document")
        payment = {
            "PaymentID": str(uuid.uuid4()),
            "InvoiceID": invoice["InvoiceID"],
            "AccountCode": account["Code"],
            "Amount": amount,
            "Date": row["Date"],
            "Reference": row.get("Reference", ""),
            "Status": "AUTHORISED",
            "tenant": tenant,
        }
        self.payments[payment["PaymentID"]] = payment
        invoice["AmountDue"] -= amount
        invoice["AmountPaid"] += amount
        if invoice["AmountDue"] == 0:
            invoice["Status"] = "PAID"
        return httpx.Response(200, json={"Payments": [self._public(payment)]})

    def _payment_delete(self, tenant, payment_id, body):
        payment = self.payments.get(payment_id)
        if payment is None or payment["tenant"] != tenant:
            return httpx.Response(404, json={"Title": "Not found"})
        if body.get("Status") != "DELETED":
            return _error("Payments can only be deleted")
        if payment["Status"] != "DELETED":
            payment["Status"] = "DELETED"
            invoice = self.invoices[payment["InvoiceID"]]
            invoice["AmountDue"] += payment["Amount"]
            invoice["AmountPaid"] -= payment["Amount"]
            invoice["Status"] = "AUTHORISED"
        return httpx.Response(200, json={"Payments": [self._public(payment)]})
