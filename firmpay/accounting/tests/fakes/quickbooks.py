"""A stateful respx fake of QuickBooks Online: OAuth (rotating refresh tokens, invalid_grant,
revocation), one company (realmId), and the v3 API's companyinfo, query (Account, Item),
customer, item, invoice (create, void) and payment (create, delete) with `requestid` replays,
429 ThrottleExceeded (003001), 5xx and a response lost after the write."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

import httpx

from firmpay.accounting.tests.fakes.common import (
    FaultsMixin,
    OAuthServer,
    body_json,
    jsonable,
    unexpected_answer,
)

API = "https://quickbooks.api.intuit.com"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
REVOKE_URL = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"

DEFAULT_ACCOUNTS = [
    {
        "Id": "35",
        "Name": "Checking",
        "AcctNum": "1000",
        "AccountType": "Bank",
        "Classification": "Asset",
    },
    {
        "Id": "4",
        "Name": "Undeposited Funds",
        "AcctNum": "1200",
        "AccountType": "Other Current Asset",
        "Classification": "Asset",
    },
    {
        "Id": "84",
        "Name": "Accounts Receivable (A/R)",
        "AcctNum": "1100",
        "AccountType": "Accounts Receivable",
        "Classification": "Asset",
    },
    {
        "Id": "79",
        "Name": "Services",
        "AcctNum": "4000",
        "AccountType": "Income",
        "Classification": "Revenue",
    },
]


UK_TAX_CODES = [
    {"Id": "3", "Name": "20.0% S", "Active": True},
    {"Id": "5", "Name": "0.0% Z", "Active": True},
    {"Id": "9", "Name": "No VAT", "Active": True},
]
US_TAX_CODES = [
    {"Id": "TAX", "Name": "TAX", "Active": True},
    {"Id": "NON", "Name": "NON", "Active": True},
]


def _fault(message: str, status: int = 400, code: str = "6000") -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "Fault": {
                "Error": [{"Message": message, "Detail": message, "code": code}],
                "type": "ValidationFault",
            }
        },
    )


class FakeQuickBooks(FaultsMixin):
    def __init__(
        self,
        *,
        client_id="qbo-client",
        client_secret="qbo-secret",
        company="Acme Books LLC",
        country="US",
    ):
        self.oauth = OAuthServer(client_id=client_id, client_secret=client_secret, access_ttl=3600)
        self.realm = str(secrets.randbelow(10**15) + 10**15)
        self.company = company
        self.country = country
        self.accounts = [dict(row, Active=True) for row in DEFAULT_ACCOUNTS]
        self.tax_codes = [dict(row) for row in (US_TAX_CODES if country == "US" else UK_TAX_CODES)]
        # DisplayNames held by vendors and employees (unique across all three).
        self.other_names: set[str] = set()
        self.query_log: list[str] = []
        self.customers: dict[str, dict] = {}
        self.items: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.requests: dict[tuple[str, str], tuple[int, dict]] = {}
        self._next_id = 100
        self.init_faults()

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def add_customer(self, name: str, email: str = "") -> dict:
        row = {"Id": self._id(), "DisplayName": name, "SyncToken": "0", "Active": True}
        if email:
            row["PrimaryEmailAddr"] = {"Address": email}
        self.customers[row["Id"]] = row
        return row

    def add_accounts(self, count: int) -> None:
        for n in range(count):
            self.accounts.append(
                {
                    "Id": str(1000 + n),
                    "Name": f"Expense {n}",
                    "AccountType": "Expense",
                    "Classification": "Expense",
                    "Active": True,
                }
            )

    def live_payments(self) -> list[dict]:
        return [p for p in self.payments.values() if not p.get("deleted")]

    def install(self, router) -> FakeQuickBooks:
        router.post(TOKEN_URL).mock(side_effect=self.oauth.token)
        router.post(REVOKE_URL).mock(side_effect=self.oauth.revoke)
        router.route(url__startswith=f"{API}/v3/company/").mock(side_effect=self._api)
        return self

    def _api(self, request: httpx.Request):
        match = re.match(r"^/v3/company/([^/]+)/(.*)$", request.url.path)
        realm, path = match.group(1), match.group(2)
        self.log.append((request.method, path, dict(request.headers)))
        if not self.oauth.bearer_ok(request):
            return httpx.Response(
                401,
                json={"fault": {"error": [{"message": "AuthenticationFailed", "code": "3200"}]}},
            )
        if realm != self.realm:
            return _fault("Permission denied for this company", 403, "5020")
        fault = self.take_fault(request)
        if fault is not None and fault.kind == "429_xml":
            return httpx.Response(
                429,
                headers={"Content-Type": "application/xml"},
                text='<?xml version="1.0"?><IntuitResponse><Fault type="ThrottleExceeded">'
                '<Error code="003001"><Message>ThrottleExceeded</Message></Error></Fault>'
                "</IntuitResponse>",
            )
        if fault is not None and fault.kind == "fault_200":
            return httpx.Response(
                200,
                json={
                    "Fault": {
                        "Error": [
                            {
                                "Message": "A business validation error has occurred",
                                "Detail": "Business Validation Error: the request was not processed",
                                "code": "6000",
                            }
                        ],
                        "type": "ValidationFault",
                    },
                    "time": "2026-11-20T10:00:00.000-08:00",
                },
            )
        if fault is not None and unexpected_answer(fault.kind) is not None:
            return unexpected_answer(fault.kind)
        if fault is not None and fault.kind == "429":
            return httpx.Response(
                429,
                headers={"Retry-After": str(fault.retry_after)},
                json={
                    "Fault": {
                        "Error": [
                            {
                                "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                                "code": "003001",
                            }
                        ],
                        "type": "ThrottleExceeded",
                    }
                },
            )
        if fault is not None and fault.kind == "500":
            return httpx.Response(503, text="Service Unavailable")
        if request.url.params.get("minorversion") != "75":
            return _fault("minorversion 75 expected")
        request_id = request.url.params.get("requestid")
        # requestid is unique per company (not per app or deployment).
        if request_id and request.method == "POST" and (realm, request_id) in self.requests:
            status, payload = self.requests[(realm, request_id)]
            return httpx.Response(status, json=payload)
        if request_id and len(request_id) > 50:
            return _fault("requestid longer than 50 characters")
        response = self._dispatch(request, path)
        if request_id and request.method == "POST" and response.status_code < 500:
            self.requests[(realm, request_id)] = (response.status_code, response.json())
        if fault is not None and fault.kind == "timeout_after_store":
            raise httpx.ReadTimeout("the response was lost", request=request)
        return response

    def _dispatch(self, request, path) -> httpx.Response:
        method, params = request.method, request.url.params
        if method == "GET" and path == f"companyinfo/{self.realm}":
            return httpx.Response(
                200,
                json={
                    "CompanyInfo": {"CompanyName": self.company, "Id": "1", "Country": self.country}
                },
            )
        if method == "GET" and path == "query":
            self.query_log.append(params.get("query", ""))
            return self._query(params.get("query", ""))
        if method == "GET" and path.startswith(("invoice/", "payment/")):
            entity, record_id = path.split("/", 1)
            store = self.invoices if entity == "invoice" else self.payments
            row = store.get(record_id)
            if row is None:
                return _fault("Object Not Found", 400, "610")
            return httpx.Response(200, json={entity.capitalize(): self._public(row)})
        if method == "POST":
            body = body_json(request)
            operation = params.get("operation")
            handler = {
                ("customer", None): self._customer_create,
                ("item", None): self._item_create,
                ("invoice", None): self._invoice_create,
                ("invoice", "void"): self._invoice_void,
                ("payment", None): self._payment_create,
                ("payment", "delete"): self._payment_delete,
            }.get((path, operation))
            if handler is not None:
                return handler(body)
        return _fault("Unsupported operation", 400, "500")

    @staticmethod
    def _public(row: dict) -> dict:
        return jsonable(row)

    @staticmethod
    def _page(sql: str, rows: list) -> list:
        """STARTPOSITION (from 1) / MAXRESULTS (default 100, at most 1000)."""
        start = re.search(r"STARTPOSITION (\d+)", sql)
        size = re.search(r"MAXRESULTS (\d+)", sql)
        first = int(start.group(1)) - 1 if start else 0
        count = min(int(size.group(1)) if size else 100, 1000)
        return rows[first : first + count]

    def _where(self, sql: str, rows: list, field: str, get) -> list:
        match = re.search(rf"{field} (=|LIKE) '((?:[^'\\]|\\.)*)'", sql)
        if match is None:
            return rows
        value = re.sub(r"\\(.)", r"\1", match.group(2))
        if match.group(1) == "LIKE":
            return [r for r in rows if str(get(r)).startswith(value.rstrip("%"))]
        return [r for r in rows if get(r) == value]

    def _query(self, sql: str) -> httpx.Response:
        if "from Account" in sql:
            page = self._page(sql, self.accounts)
            return httpx.Response(200, json={"QueryResponse": {"Account": page} if page else {}})
        if "from TaxCode" in sql:
            page = self._page(sql, self.tax_codes)
            return httpx.Response(200, json={"QueryResponse": {"TaxCode": page} if page else {}})
        if "from Customer" in sql:
            rows = list(self.customers.values())
            rows = self._where(sql, rows, "DisplayName", lambda r: r.get("DisplayName"))
            rows = self._where(
                sql,
                rows,
                "PrimaryEmailAddr",
                lambda r: (r.get("PrimaryEmailAddr") or {}).get("Address"),
            )
            rows = [jsonable(r) for r in self._page(sql, rows)]
            return httpx.Response(200, json={"QueryResponse": {"Customer": rows} if rows else {}})
        if "from Invoice" in sql:
            rows = [i for i in self.invoices.values() if not i.get("voided")]
            rows = self._where(sql, rows, "DocNumber", lambda r: r.get("DocNumber"))
            rows = [jsonable(r) for r in self._page(sql, rows)]
            return httpx.Response(200, json={"QueryResponse": {"Invoice": rows} if rows else {}})
        if "from Item" in sql:
            name = re.search(r"Name = '([^']*)'", sql)
            rows = [i for i in self.items.values() if not name or i["Name"] == name.group(1)]
            return httpx.Response(200, json={"QueryResponse": {"Item": rows} if rows else {}})
        return _fault("Unsupported query")

    def _customer_create(self, body):
        if body["DisplayName"] in self.other_names or any(
            c["DisplayName"] == body["DisplayName"] for c in self.customers.values()
        ):
            return _fault("Duplicate Name Exists Error", 400, "6240")
        row = {**body, "Id": self._id(), "SyncToken": "0", "Balance": Decimal(0)}
        self.customers[row["Id"]] = row
        return httpx.Response(200, json={"Customer": self._public(row)})

    def _item_create(self, body):
        row = {**body, "Id": self._id(), "SyncToken": "0"}
        self.items[row["Id"]] = row
        return httpx.Response(200, json={"Item": jsonable(row)})

    def _invoice_create(self, body):
        if body["CustomerRef"]["value"] not in self.customers:
            return _fault("Invalid Reference Id: customer", 400, "2500")
        codes = {c["Id"] for c in self.tax_codes}
        for line in body["Line"]:
            ref = line.get("SalesItemLineDetail", {}).get("TaxCodeRef", {}).get("value")
            if self.country != "US" and not ref:
                return _fault(
                    "Make sure all your transactions have a VAT rate before you save.", 400, "6000"
                )
            if ref and ref not in codes:
                return _fault("Invalid Reference Id: tax code", 400, "2500")
        lines = sum((Decimal(line["Amount"]) for line in body["Line"]), Decimal(0))
        tax = Decimal(body.get("TxnTaxDetail", {}).get("TotalTax", 0))
        row = {
            **body,
            "Id": self._id(),
            "SyncToken": "0",
            "TotalAmt": lines + tax,
            "Balance": lines + tax,
        }
        self.invoices[row["Id"]] = row
        return httpx.Response(200, json={"Invoice": self._public(row)})

    def _stale(self, row, body) -> bool:
        return row is None or body.get("SyncToken") != row["SyncToken"]

    def _invoice_void(self, body):
        row = self.invoices.get(body["Id"])
        if self._stale(row, body):
            return _fault("Stale Object Error", 400, "5010")
        row.update(Balance=Decimal(0), voided=True, SyncToken=str(int(row["SyncToken"]) + 1))
        row["PrivateNote"] = "Voided"
        return httpx.Response(200, json={"Invoice": self._public(row)})

    def _payment_create(self, body):
        amount = Decimal(body["TotalAmt"])
        if not any(a["Id"] == body["DepositToAccountRef"]["value"] for a in self.accounts):
            return _fault("Invalid account", 400, "2500")
        for line in body["Line"]:
            for linked in line["LinkedTxn"]:
                invoice = self.invoices.get(linked["TxnId"])
                if invoice is None or invoice.get("voided"):
                    return _fault("Invalid Reference Id: invoice", 400, "2500")
                if Decimal(line["Amount"]) > invoice["Balance"]:
                    return _fault("The payment amount exceeds the invoice balance", 400, "6000")
                invoice["Balance"] -= Decimal(line["Amount"])
        row = {**body, "Id": self._id(), "SyncToken": "0", "TotalAmt": amount}
        self.payments[row["Id"]] = row
        return httpx.Response(200, json={"Payment": self._public(row)})

    def _payment_delete(self, body):
        row = self.payments.get(body["Id"])
        if self._stale(row, body):
            return _fault("Stale Object Error", 400, "5010")
        if not row.get("deleted"):
            row["deleted"] = True
            for line in row["Line"]:
                for linked in line["LinkedTxn"]:
                    self.invoices[linked["TxnId"]]["Balance"] += Decimal(line["Amount"])
        return httpx.Response(200, json={"Payment": {"Id": row["Id"], "status": "Deleted"}})
