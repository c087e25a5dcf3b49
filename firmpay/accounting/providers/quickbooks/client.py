"""QuickBooks Online: OAuth 2.0 (the company's realmId comes back on the redirect) and the
v3 Accounting API, minor version 75. `requestid` is the idempotency key of every write.
Only this package knows QuickBooks' JSON."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

import httpx
from django.conf import settings

from firmpay.accounting.providers.base import (
    PAYOUT_ROLES,
    ApiContext,
    ContactData,
    InvoiceData,
    LedgerAccount,
    NameTaken,
    Organisation,
    PaymentData,
    PayoutFeesData,
    Provider,
    ProviderRejected,
    RateLimited,
    RemoteContact,
    RemoteInvoice,
    RemoteRef,
    TaxRate,
    TokenSet,
    TransferData,
    UnexpectedAnswer,
)
from firmpay.accounting.providers.http import (
    api_request,
    field_of,
    send,
    token_request,
    transport_errors,
)

PAGE_SIZE = 100
# Sales lines need a TaxCodeRef everywhere but the US (automated sales tax there).
NO_TAX_CODE_COUNTRIES = {"US", ""}
QUERY_FIELDS = {"name": "DisplayName", "email": "PrimaryEmailAddr"}


def _literal(value: str) -> str:
    """A string literal for QuickBooks' query language (quotes escaped with a backslash)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


SCOPE = "com.intuit.quickbooks.accounting"
MINOR_VERSION = "75"
ITEM_NAME = "Firmpay invoice line"
BANK_TYPES = {"Bank", "Other Current Asset"}
EXPENSE_TYPES = {"Expense", "Other Expense", "Cost of Goods Sold"}


def _describe(response: httpx.Response) -> str:
    try:
        errors = response.json().get("Fault", {}).get("Error", [])
    except (ValueError, AttributeError):
        errors = []
    if not isinstance(errors, list):
        errors = []
    detail = "; ".join(
        f"{e.get('Detail') or e.get('Message', '')} ({e.get('code', '?')})"
        for e in errors
        if isinstance(e, dict)
    )
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
    # Intuit: 10 requests a second per company (formerly 500 a minute), 10 in flight, and
    # wait 60 s after a 429 (which sometimes carries an XML body and no Retry-After).
    per_minute = 10
    window_seconds = 1
    concurrent = 10
    backoff_after_429 = 60.0
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
            send(
                "POST",
                settings.QUICKBOOKS_REVOKE_URL,
                json={"token": refresh_token},
                auth=self._auth(),
                headers={"Accept": "application/json"},
            )

    def organisations(self, *, access_token: str, callback: dict) -> list[Organisation]:
        realm = callback.get("realmId", "")
        if not realm:
            return []
        ctx = ApiContext(access_token=access_token, org_id=realm)
        info = self._call(ctx, "GET", f"companyinfo/{realm}").get("CompanyInfo", {})
        if not isinstance(info, dict):
            raise UnexpectedAnswer("QuickBooks' company information was not a record.")
        country = info.get("Country") or ""
        return [
            Organisation(
                id=realm,
                name=info.get("CompanyName") or realm,
                country=country if isinstance(country, str) else "",
            )
        ]

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
        try:
            return api_request(
                ctx,
                method,
                f"{self.api}/v3/company/{ctx.org_id}/{path}",
                describe=_describe,
                vendor="QuickBooks",
                body=body,
                params=query,
            )
        except RateLimited as limited:
            if limited.retry_after is None:
                limited.retry_after = self.backoff_after_429
            raise

    def _query(self, ctx: ApiContext, sql: str, entity: str) -> list[dict]:
        response = self._call(ctx, "GET", "query", params={"query": sql}).get("QueryResponse", {})
        rows = response.get(entity, []) if isinstance(response, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UnexpectedAnswer(f"QuickBooks' {entity} query did not answer with records.")
        return rows

    def _query_all(self, ctx: ApiContext, sql: str, entity: str) -> list[dict]:
        """Every row, a page of PAGE_SIZE at a time (STARTPOSITION counts from 1)."""
        rows: list[dict] = []
        while True:
            page = self._query(
                ctx, f"{sql} STARTPOSITION {len(rows) + 1} MAXRESULTS {PAGE_SIZE}", entity
            )
            rows += page
            if len(page) < PAGE_SIZE:
                return rows

    def accounts(self, *, ctx: ApiContext) -> list[LedgerAccount]:
        rows = self._query_all(ctx, "select * from Account", "Account")
        return [
            LedgerAccount(
                id=field_of(row, "Id"),
                code=row.get("AcctNum", ""),
                name=row.get("Name", ""),
                kind=_account_kind(row),
                type=str(row.get("AccountType", "")),
            )
            for row in rows
            if row.get("Active", True)
        ]

    def tax_rates(self, *, ctx: ApiContext) -> list[TaxRate]:
        rows = self._query_all(ctx, "select * from TaxCode", "TaxCode")
        return [
            TaxRate(code=field_of(row, "Id"), name=row.get("Name", ""))
            for row in rows
            if row.get("Active", True)
        ]

    def needs_tax_codes(self, *, country: str) -> bool:
        return country.upper() not in NO_TAX_CODE_COUNTRIES

    def contact_find(self, *, ctx: ApiContext, by: str, value: str) -> list[RemoteContact]:
        if not value or by not in QUERY_FIELDS:
            return []
        sql = f"select * from Customer where {QUERY_FIELDS[by]} = {_literal(value)}"  # noqa: S608
        return [
            RemoteContact(
                id=field_of(row, "Id"),
                name=row.get("DisplayName", ""),
                email=(row.get("PrimaryEmailAddr") or {}).get("Address", ""),
            )
            for row in self._query(ctx, sql, "Customer")
            if row.get("Active", True)
        ]

    def contact_create(self, *, ctx: ApiContext, contact: ContactData) -> RemoteRef:
        body = {"DisplayName": contact.name, "PrimaryEmailAddr": {"Address": contact.email}}
        try:
            payload = self._call(ctx, "POST", "customer", body=body, step="customer")
        except ProviderRejected as rejected:
            if "(6240)" in rejected.message:
                raise NameTaken(rejected.message, status=rejected.status) from rejected
            raise
        return RemoteRef(id=field_of(payload, "Customer", "Id"))

    def invoice_find(self, *, ctx: ApiContext, number: str) -> RemoteInvoice | None:
        sql = f"select * from Invoice where DocNumber = {_literal(number)}"  # noqa: S608
        for row in self._query(ctx, sql, "Invoice"):
            invoice_id = field_of(row, "Id")
            return RemoteInvoice(
                id=invoice_id,
                number=row.get("DocNumber", ""),
                contact_id=str((row.get("CustomerRef") or {}).get("value", "")),
                total=Decimal(str(row.get("TotalAmt", "0"))),
                url=self.invoice_url(invoice_id),
            )
        return None

    def invoice_numbers_with_prefix(self, *, ctx: ApiContext, prefix: str) -> list[str]:
        sql = (
            f"select * from Invoice where DocNumber LIKE {_literal(prefix + '%')} "  # noqa: S608
            "STARTPOSITION 1 MAXRESULTS 5"
        )
        return [str(row.get("DocNumber", "")) for row in self._query(ctx, sql, "Invoice")]

    def _line_item(self, ctx: ApiContext, income: LedgerAccount) -> str:
        """The service item invoice lines use; it carries the chosen income account."""
        sql = f"select * from Item where Name = '{ITEM_NAME}'"  # noqa: S608 - a constant
        for row in self._query(ctx, sql, "Item"):
            if (row.get("IncomeAccountRef") or {}).get("value") == income.id:
                return field_of(row, "Id")
        body = {"Name": ITEM_NAME, "Type": "Service", "IncomeAccountRef": {"value": income.id}}
        return field_of(self._call(ctx, "POST", "item", body=body, step="item"), "Item", "Id")

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
                        **({"TaxCodeRef": {"value": line.tax_code}} if line.tax_code else {}),
                    },
                }
                for line in invoice.lines
            ],
        }
        tax = sum((line.tax_amount for line in invoice.lines), start=Decimal(0))
        if tax:
            body["TxnTaxDetail"] = {"TotalTax": tax}
        invoice_id = field_of(
            self._call(ctx, "POST", "invoice", body=body, step="invoice"), "Invoice", "Id"
        )
        return RemoteRef(id=invoice_id, url=self.invoice_url(invoice_id))

    def invoice_url(self, invoice_id: str) -> str:
        return f"{settings.QUICKBOOKS_APP_URL.rstrip('/')}/app/invoice?txnId={invoice_id}"

    def _sync_token(self, ctx: ApiContext, entity: str, record_id: str) -> str:
        return field_of(
            self._call(ctx, "GET", f"{entity.lower()}/{record_id}"), entity, "SyncToken"
        )

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
        payload = self._call(ctx, "POST", "payment", body=body, step="payment")
        return RemoteRef(
            id=field_of(payload, "Payment", "Id"), url=self.invoice_url(payment.invoice_id)
        )

    def payment_reverse(self, *, ctx: ApiContext, payment_id: str) -> None:
        # Deleting the Payment reopens the invoice in QuickBooks, as the refund did here.
        token = self._sync_token(ctx, "Payment", payment_id)
        body = {"Id": payment_id, "SyncToken": token}
        self._call(
            ctx, "POST", "payment", body=body, params={"operation": "delete"}, step="reverse"
        )

    # --- booking Stripe payouts ---
    def payout_account_problem(self, *, account: LedgerAccount, role: str) -> str:
        """The stricter reading of Intuit's documentation: a Transfer moves money between
        asset accounts, but the fees are an expense paid out of the clearing account (a
        Purchase), which a Bank account pays; so both ends must be Bank accounts, not Other
        Current Asset ones such as Undeposited Funds."""
        if role == "fees":
            if account.type in EXPENSE_TYPES:
                return ""
            return (
                f"Choose an expense account for {PAYOUT_ROLES[role]} ({account.label} is not one)."
            )
        if account.type == "Bank":
            return ""
        return (
            f"{account.label} cannot be {PAYOUT_ROLES[role]}: QuickBooks books a payout as a "
            "transfer and its fees as an expense paid from the clearing account, and both need "
            "Bank accounts. Add a Bank account named “Stripe” in QuickBooks if you have none."
        )

    def payout_fees_create(self, *, ctx: ApiContext, fees: PayoutFeesData) -> RemoteRef:
        body = {
            "PaymentType": "Cash",
            "AccountRef": {"value": fees.clearing.id},
            "TxnDate": fees.date,
            "CurrencyRef": {"value": fees.currency},
            "PrivateNote": fees.reference,
            "Line": [
                {
                    "Amount": line.amount,
                    "Description": line.description,
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": fees.expense.id}},
                }
                for line in fees.lines
            ],
        }
        payload = self._call(ctx, "POST", "purchase", body=body, step="fees")
        return RemoteRef(id=field_of(payload, "Purchase", "Id"))

    def transfer_create(self, *, ctx: ApiContext, transfer: TransferData) -> RemoteRef:
        body = {
            "FromAccountRef": {"value": transfer.source.id},
            "ToAccountRef": {"value": transfer.target.id},
            "Amount": transfer.amount,
            "TxnDate": transfer.date,
            "CurrencyRef": {"value": transfer.currency},
            "PrivateNote": transfer.reference,
        }
        payload = self._call(ctx, "POST", "transfer", body=body, step="transfer")
        return RemoteRef(id=field_of(payload, "Transfer", "Id"))
