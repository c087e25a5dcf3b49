"""QuickBooks Online: OAuth 2.0 (the company's realmId comes back on the redirect) and the
v3 Accounting API, minor version 75. `requestid` is the idempotency key of every write.
Only this package knows QuickBooks' JSON."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from django.conf import settings

from firmpay.accounting.providers.base import (
    TIMEOUT,
    ApiContext,
    ContactData,
    InvoiceData,
    LedgerAccount,
    Organisation,
    PaymentData,
    Provider,
    RemoteRef,
    TokenSet,
    api_request,
    token_request,
    transport_errors,
)

SCOPE = "com.intuit.quickbooks.accounting"
MINOR_VERSION = "75"
ITEM_NAME = "Firmpay invoice line"
BANK_TYPES = {"Bank", "Other Current Asset"}


def _describe(response: httpx.Response) -> str:
    try:
        errors = response.json().get("Fault", {}).get("Error", [])
    except ValueError:
        errors = []
    detail = "; ".join(e.get("Detail") or e.get("Message", "") for e in errors)
    return f"QuickBooks: {detail or response.status_code}"


def _account_kind(row: dict) -> str:
    if row.get("AccountType") in BANK_TYPES:
        return "bank"
    if row.get("AccountType") == "Income" or row.get("Classification") == "Revenue":
        return "income"
    return "other"


class QuickBooksProvider(Provider):
    vendor = "quickbooks"
    name = "QuickBooks Online"
    per_minute = 500
    concurrent = 10
    picks_organisation = False

    def is_configured(self) -> bool:
        return bool(settings.QUICKBOOKS_CLIENT_ID and settings.QUICKBOOKS_CLIENT_SECRET)

    def _auth(self) -> tuple[str, str]:
        return (settings.QUICKBOOKS_CLIENT_ID, settings.QUICKBOOKS_CLIENT_SECRET)

    # --- OAuth ---
    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        query = urlencode(
            {
                "client_id": settings.QUICKBOOKS_CLIENT_ID,
                "response_type": "code",
                "scope": SCOPE,
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )
        return f"{settings.QUICKBOOKS_AUTHORIZE_URL}?{query}"

    def _token(self, data: dict) -> TokenSet:
        return token_request(
            settings.QUICKBOOKS_TOKEN_URL,
            data=data,
            auth=self._auth(),
            headers={"Accept": "application/json"},
        )

    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet:
        return self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )

    def refresh(self, *, refresh_token: str) -> TokenSet:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, *, refresh_token: str) -> None:
        with transport_errors():
            httpx.post(
                settings.QUICKBOOKS_REVOKE_URL,
                json={"token": refresh_token},
                auth=self._auth(),
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
            )

    def organisations(self, *, access_token: str, callback: dict) -> list[Organisation]:
        realm = callback.get("realmId", "")
        if not realm:
            return []
        ctx = ApiContext(access_token=access_token, org_id=realm)
        info = self._call(ctx, "GET", f"companyinfo/{realm}").get("CompanyInfo", {})
        return [Organisation(id=realm, name=info.get("CompanyName") or realm)]

    def organisation_release(self, *, access_token: str, org_id: str) -> None:
        # QuickBooks has no per-company disconnect: revoking the token is the disconnect.
        return None

    # --- Accounting API ---
    @property
    def api(self) -> str:
        return settings.QUICKBOOKS_API_BASE.rstrip("/")

    def _call(
        self, ctx: ApiContext, method: str, path: str, *, body=None, step: str = "", params=None
    ) -> dict:
        query = {"minorversion": MINOR_VERSION, **(params or {})}
        key = ctx.idempotency_key(step) if step else ""
        if key:
            query["requestid"] = key[:50]
        return api_request(
            ctx,
            method,
            f"{self.api}/v3/company/{ctx.org_id}/{path}",
            describe=_describe,
            body=body,
            params=query,
        )

    def _query(self, ctx: ApiContext, sql: str, entity: str) -> list[dict]:
        return (
            self._call(ctx, "GET", "query", params={"query": sql})
            .get("QueryResponse", {})
            .get(entity, [])
        )

    def accounts(self, *, ctx: ApiContext) -> list[LedgerAccount]:
        rows = self._query(ctx, "select * from Account", "Account")
        return [
            LedgerAccount(
                id=str(row["Id"]),
                code=row.get("AcctNum", ""),
                name=row.get("Name", ""),
                kind=_account_kind(row),
            )
            for row in rows
            if row.get("Active", True)
        ]

    def contact_create(self, *, ctx: ApiContext, contact: ContactData) -> RemoteRef:
        body = {"DisplayName": contact.name, "PrimaryEmailAddr": {"Address": contact.email}}
        row = self._call(ctx, "POST", "customer", body=body, step="customer")["Customer"]
        return RemoteRef(id=str(row["Id"]))

    def _line_item(self, ctx: ApiContext, income: LedgerAccount) -> str:
        """The service item invoice lines use; it carries the chosen income account."""
        sql = f"select * from Item where Name = '{ITEM_NAME}'"  # noqa: S608 - a constant
        for row in self._query(ctx, sql, "Item"):
            if row.get("IncomeAccountRef", {}).get("value") == income.id:
                return str(row["Id"])
        body = {"Name": ITEM_NAME, "Type": "Service", "IncomeAccountRef": {"value": income.id}}
        return str(self._call(ctx, "POST", "item", body=body, step="item")["Item"]["Id"])

    def invoice_create(self, *, ctx: ApiContext, invoice: InvoiceData) -> RemoteRef:
        item = self._line_item(ctx, invoice.income_account)
        body = {
            "CustomerRef": {"value": invoice.contact_id},
            "DocNumber": invoice.number,
            "TxnDate": invoice.issue_date,
            "DueDate": invoice.due_date,
            "CurrencyRef": {"value": invoice.currency},
            "PrivateNote": invoice.reference,
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": line.line_amount,
                    "Description": line.description,
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": item},
                        "Qty": line.quantity,
                        "UnitPrice": line.unit_amount,
                    },
                }
                for line in invoice.lines
            ],
        }
        tax = sum((line.tax_amount for line in invoice.lines), start=type(invoice.total)(0))
        if tax:
            body["TxnTaxDetail"] = {"TotalTax": tax}
        row = self._call(ctx, "POST", "invoice", body=body, step="invoice")["Invoice"]
        return RemoteRef(id=str(row["Id"]), url=self.invoice_url(str(row["Id"])))

    def invoice_url(self, invoice_id: str) -> str:
        return f"{settings.QUICKBOOKS_APP_URL.rstrip('/')}/app/invoice?txnId={invoice_id}"

    def _sync_token(self, ctx: ApiContext, entity: str, record_id: str) -> str:
        row = self._call(ctx, "GET", f"{entity.lower()}/{record_id}")[entity]
        return str(row.get("SyncToken", "0"))

    def invoice_void(self, *, ctx: ApiContext, invoice_id: str) -> None:
        token = self._sync_token(ctx, "Invoice", invoice_id)
        body = {"Id": invoice_id, "SyncToken": token}
        self._call(ctx, "POST", "invoice", body=body, params={"operation": "void"}, step="void")

    def payment_create(self, *, ctx: ApiContext, payment: PaymentData) -> RemoteRef:
        body = {
            "CustomerRef": {"value": payment.contact_id},
            "TotalAmt": payment.amount,
            "TxnDate": payment.paid_on,
            "CurrencyRef": {"value": payment.currency},
            "Line": [
                {
                    "Amount": payment.amount,
                    "LinkedTxn": [{"TxnId": payment.invoice_id, "TxnType": "Invoice"}],
                }
            ],
            "DepositToAccountRef": {"value": payment.account.id},
            "PaymentRefNum": payment.reference[:21],
            "PrivateNote": payment.reference,
        }
        row = self._call(ctx, "POST", "payment", body=body, step="payment")["Payment"]
        return RemoteRef(id=str(row["Id"]), url=self.invoice_url(payment.invoice_id))

    def payment_reverse(self, *, ctx: ApiContext, payment_id: str) -> None:
        # Deleting the Payment reopens the invoice in QuickBooks, as the refund did here.
        token = self._sync_token(ctx, "Payment", payment_id)
        body = {"Id": payment_id, "SyncToken": token}
        self._call(
            ctx, "POST", "payment", body=body, params={"operation": "delete"}, step="reverse"
        )
