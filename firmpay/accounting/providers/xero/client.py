"""Xero: OAuth 2.0 (rotating refresh tokens), /connections for the organisations, and the
Accounting API for contacts, invoices and payments. Only this package knows Xero's JSON."""

from __future__ import annotations

import base64
import json
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
    ProviderError,
    ProviderRejected,
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
    json_answer,
    raise_for_response,
    send,
    token_request,
    transport_errors,
)

# Xero's account types whose class is EXPENSE.
EXPENSE_TYPES = {"EXPENSE", "OVERHEADS", "DIRECTCOSTS"}
WHERE_FIELDS = {"number": "ContactNumber", "email": "EmailAddress", "name": "Name"}


def _quoted(value: str) -> str:
    """A string literal for Xero's `where` filter."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _claims(access_token: str) -> dict:
    """The claims of Xero's access token (a JWT); {} when it is not one."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def auth_event_id(access_token: str) -> str:
    """The consent this token came from (`authentication_event_id` in the access token, a
    JWT): /connections filtered by it lists only the organisations granted just now."""
    value = _claims(access_token).get("authentication_event_id", "")
    return value if isinstance(value, str) else ""


def granted_scopes(access_token: str) -> frozenset[str]:
    """The scopes the firm granted, from the access token's `scope` claim (Xero's token
    answer carries none beside it): a list, or one space-separated string."""
    value = _claims(access_token).get("scope", [])
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return frozenset()
    return frozenset(s for s in value if isinstance(s, str))


# Either allows bank transactions and bank transfers: the granular scope (apps created on or
# after 2 March 2026) or the broad one of older apps.
BANKING_SCOPES = frozenset({"accounting.banktransactions", "accounting.transactions"})


def _describe(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"Xero refused the request ({response.status_code})"
    messages = [
        error.get("Message", "")
        for element in body.get("Elements", [])
        for error in element.get("ValidationErrors", [])
    ]
    detail = "; ".join(m for m in messages if m) or body.get("Message") or body.get("Detail")
    return f"Xero: {detail or response.status_code}"


def _account_kind(row: dict) -> str:
    if row.get("Type") == "BANK" or row.get("EnablePaymentsToAccount"):
        return "bank"
    if row.get("Class") == "REVENUE":
        return "income"
    return "other"


class XeroProvider(Provider):
    vendor = "xero"
    name = "Xero"
    per_minute = 60
    concurrent = 5
    window_seconds = 60
    backoff_after_429 = 60.0
    payment_batch = 50
    picks_organisation = True

    # --- settings (this adapter owns them) ---
    @property
    def api(self) -> str:
        return settings.XERO_API_BASE.rstrip("/")

    def is_configured(self) -> bool:
        return bool(settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET)

    def _auth(self) -> tuple[str, str]:
        return (settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET)

    # --- OAuth ---
    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.XERO_CLIENT_ID,
                "redirect_uri": redirect_uri,
                "scope": settings.XERO_SCOPES,
                "state": state,
            }
        )
        return f"{settings.XERO_AUTHORIZE_URL}?{query}"

    def _token(self, data: dict) -> TokenSet:
        return token_request(settings.XERO_TOKEN_URL, data=data, auth=self._auth())

    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet:
        return self._token(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )

    def refresh(self, *, refresh_token: str) -> TokenSet:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, *, refresh_token: str) -> None:
        with transport_errors():
            send("POST", settings.XERO_REVOKE_URL, data={"token": refresh_token}, auth=self._auth())

    def _connections(self, access_token: str, auth_event: str = "") -> list[dict]:
        with transport_errors():
            response = send(
                "GET",
                f"{self.api}/connections",
                params={"authEventId": auth_event} if auth_event else None,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            )
        raise_for_response(response, describe=_describe, vendor="Xero")
        rows = json_answer(response, vendor="Xero")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UnexpectedAnswer("Xero's list of organisations was not a list.")
        return rows

    def organisations(self, *, access_token: str, callback: dict) -> list[Organisation]:
        """The organisations granted in this consent only (not every one the user ever
        connected): /connections filtered by the token's authentication event."""
        rows = self._connections(access_token, auth_event_id(access_token))
        return [
            Organisation(
                id=field_of(row, "tenantId"), name=row.get("tenantName") or row["tenantId"]
            )
            for row in rows
            if row.get("tenantType", "ORGANISATION") == "ORGANISATION"
        ]

    def organisation_release(self, *, access_token: str, org_id: str) -> None:
        for row in self._connections(access_token):
            if row.get("tenantId") == org_id:
                with transport_errors():
                    send(
                        "DELETE",
                        f"{self.api}/connections/{row['id']}",
                        headers={"Authorization": f"Bearer {access_token}"},
                    )

    # --- Accounting API ---
    def _call(
        self, ctx: ApiContext, method: str, path: str, *, body=None, step="", params=None
    ) -> dict:
        headers = {"Xero-Tenant-Id": ctx.org_id}
        key = ctx.idempotency_key(step) if step else ""
        if key:
            headers["Idempotency-Key"] = key[:128]
        return api_request(
            ctx,
            method,
            f"{self.api}/api.xro/2.0/{path}",
            describe=_describe,
            vendor="Xero",
            headers=headers,
            body=body,
            params=params,
        )

    def _rows(self, payload: dict, key: str) -> list[dict]:
        rows = payload.get(key)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UnexpectedAnswer(f"Xero's {key} were not a list of records.")
        return rows

    def accounts(self, *, ctx: ApiContext) -> list[LedgerAccount]:
        rows = self._rows(self._call(ctx, "GET", "Accounts"), "Accounts")
        return [
            LedgerAccount(
                id=field_of(row, "AccountID"),
                code=row.get("Code", ""),
                name=row.get("Name", ""),
                kind=_account_kind(row),
                type=str(row.get("Type", "")),
            )
            for row in rows
            if row.get("Status", "ACTIVE") == "ACTIVE"
        ]

    def tax_rates(self, *, ctx: ApiContext) -> list[TaxRate]:
        rows = self._rows(self._call(ctx, "GET", "TaxRates"), "TaxRates")
        return [
            TaxRate(
                code=field_of(row, "TaxType"),
                name=row.get("Name", row["TaxType"]),
                rate=Decimal(str(row["EffectiveRate"])) if "EffectiveRate" in row else None,
            )
            for row in rows
            if row.get("Status", "ACTIVE") == "ACTIVE" and row.get("CanApplyToRevenue", True)
        ]

    def contact_find(self, *, ctx: ApiContext, by: str, value: str) -> list[RemoteContact]:
        if not value:
            return []
        where = f"{WHERE_FIELDS[by]}=={_quoted(value)}"
        payload = self._call(ctx, "GET", "Contacts", params={"where": where, "summaryOnly": "true"})
        return [
            RemoteContact(
                id=field_of(row, "ContactID"),
                name=row.get("Name", ""),
                email=row.get("EmailAddress") or "",
                number=row.get("ContactNumber") or "",
            )
            for row in self._rows(payload, "Contacts")
            if row.get("ContactStatus", "ACTIVE") == "ACTIVE"
        ]

    def contact_create(self, *, ctx: ApiContext, contact: ContactData) -> RemoteRef:
        row = {"Name": contact.name, "EmailAddress": contact.email}
        if contact.number:
            row["ContactNumber"] = contact.number
        try:
            payload = self._call(ctx, "PUT", "Contacts", body={"Contacts": [row]}, step="contact")
        except ProviderRejected as rejected:
            if "already assigned to another contact" in rejected.message:
                raise NameTaken(rejected.message, status=rejected.status) from rejected
            raise
        return RemoteRef(id=field_of(payload, "Contacts", 0, "ContactID"))

    def _invoices(self, ctx: ApiContext, params: dict) -> list[dict]:
        return self._rows(self._call(ctx, "GET", "Invoices", params=params), "Invoices")

    def invoice_find(self, *, ctx: ApiContext, number: str) -> RemoteInvoice | None:
        for row in self._invoices(ctx, {"InvoiceNumbers": number}):
            if row.get("Type") == "ACCREC" and row.get("Status") not in ("DELETED", "VOIDED"):
                invoice_id = field_of(row, "InvoiceID")
                return RemoteInvoice(
                    id=invoice_id,
                    number=row.get("InvoiceNumber", ""),
                    contact_id=str(row.get("Contact", {}).get("ContactID", "")),
                    total=Decimal(str(row.get("Total", "0"))),
                    url=self.invoice_url(invoice_id),
                )
        return None

    def invoice_numbers_with_prefix(self, *, ctx: ApiContext, prefix: str) -> list[str]:
        where = f'Type=="ACCREC" AND InvoiceNumber.StartsWith({_quoted(prefix)})'
        rows = self._invoices(ctx, {"where": where, "page": "1", "summaryOnly": "true"})
        return [str(row.get("InvoiceNumber", "")) for row in rows]

    def invoice_create(self, *, ctx: ApiContext, invoice: InvoiceData) -> RemoteRef:
        code = invoice.income_account.code
        body = {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": invoice.contact_id},
                    "InvoiceNumber": invoice.number,
                    "Reference": invoice.reference,
                    "Date": invoice.issue_date,
                    "DueDate": invoice.due_date,
                    "CurrencyCode": invoice.currency,
                    "Status": "AUTHORISED",
                    "LineAmountTypes": "Exclusive",
                    "LineItems": [
                        {
                            "Description": line.description,
                            "Quantity": line.quantity,
                            "UnitAmount": line.unit_amount,
                            "LineAmount": line.line_amount,
                            "TaxAmount": line.tax_amount,
                            "AccountCode": code,
                            **({"TaxType": line.tax_code} if line.tax_code else {}),
                        }
                        for line in invoice.lines
                    ],
                }
            ]
        }
        payload = self._call(ctx, "PUT", "Invoices", body=body, step="invoice")
        invoice_id = field_of(payload, "Invoices", 0, "InvoiceID")
        return RemoteRef(id=invoice_id, url=self.invoice_url(invoice_id))

    def invoice_url(self, invoice_id: str) -> str:
        return f"{settings.XERO_APP_URL.rstrip('/')}/AccountsReceivable/View.aspx?InvoiceID={invoice_id}"

    def invoice_void(self, *, ctx: ApiContext, invoice_id: str) -> None:
        body = {"Invoices": [{"InvoiceID": invoice_id, "Status": "VOIDED"}]}
        self._call(ctx, "POST", f"Invoices/{invoice_id}", body=body, step="void")

    @staticmethod
    def _payment_row(payment: PaymentData) -> dict:
        return {
            "Invoice": {"InvoiceID": payment.invoice_id},
            "Account": {"Code": payment.account.code},
            "Date": payment.paid_on,
            "Amount": payment.amount,
            "Reference": payment.reference,
        }

    def payment_create(self, *, ctx: ApiContext, payment: PaymentData) -> RemoteRef:
        body = {"Payments": [self._payment_row(payment)]}
        payload = self._call(ctx, "PUT", "Payments", body=body, step="payment")
        payment_id = field_of(payload, "Payments", 0, "PaymentID")
        return RemoteRef(id=payment_id, url=self.invoice_url(payment.invoice_id))

    def payments_create(
        self, *, ctx: ApiContext, payments: list[PaymentData]
    ) -> list[RemoteRef | ProviderError]:
        """Up to 50 payments in one PUT; with summarizeErrors=false each one comes back with
        its own ValidationErrors, so one refused payment does not refuse the others."""
        body = {"Payments": [self._payment_row(payment) for payment in payments]}
        payload = self._call(
            ctx,
            "PUT",
            "Payments",
            body=body,
            step="payments",
            params={"summarizeErrors": "false"},
        )
        rows = self._rows(payload, "Payments")
        if len(rows) != len(payments):
            raise UnexpectedAnswer("Xero answered for a different number of payments.")
        results: list[RemoteRef | ProviderError] = []
        for row, payment in zip(rows, payments, strict=True):
            errors = [e.get("Message", "") for e in row.get("ValidationErrors") or []]
            if errors or row.get("HasValidationErrors"):
                results.append(ProviderRejected("Xero: " + ("; ".join(errors) or "refused")))
            else:
                results.append(
                    RemoteRef(
                        id=field_of(row, "PaymentID"), url=self.invoice_url(payment.invoice_id)
                    )
                )
        return results

    def payment_reverse(self, *, ctx: ApiContext, payment_id: str) -> None:
        # Xero payments cannot be edited, only deleted.
        self._call(
            ctx, "POST", f"Payments/{payment_id}", body={"Status": "DELETED"}, step="reverse"
        )

    # --- booking Stripe payouts ---
    fees_need_contact = True

    def payout_account_problem(self, *, account: LedgerAccount, role: str) -> str:
        """The stricter reading of Xero's documentation: a bank transfer moves money between
        two accounts of Type BANK, and a spend-money bank transaction comes out of a Type
        BANK account. An account that only allows payments (EnablePaymentsToAccount) takes
        invoice payments but neither of those, so it is refused here."""
        if role == "fees":
            if account.type in EXPENSE_TYPES:
                return ""
            return (
                f"Choose an expense account for {PAYOUT_ROLES[role]} ({account.label} is not one)."
            )
        if account.type == "BANK":
            return ""
        return (
            f"{account.label} cannot be {PAYOUT_ROLES[role]}: Xero books a payout as a bank "
            "transfer and its fees as spent money, and both need bank accounts (Type BANK). "
            "Add a bank account named “Stripe” in Xero's chart of accounts if you have none."
        )

    def payout_scope_problem(self, *, access_token: str) -> str:
        """A firm that connected before Firmpay asked for bank transactions has a token
        without that scope: Xero would refuse every booking with a 401, so booking is not
        turned on until the firm reconnects (consent is per connection, not per app)."""
        if granted_scopes(access_token) & BANKING_SCOPES:
            return ""
        return (
            "Xero has not given Firmpay permission to record bank transactions for this "
            "organisation: it was connected before Firmpay asked for it. Reconnect Xero "
            "and allow access (your accounts and settings stay as they are), then turn on "
            "payout booking."
        )

    def payout_fees_create(self, *, ctx: ApiContext, fees: PayoutFeesData) -> RemoteRef:
        expense = (
            {"AccountCode": fees.expense.code}
            if fees.expense.code
            else {"AccountID": fees.expense.id}
        )
        body = {
            "BankTransactions": [
                {
                    "Type": "SPEND",
                    "Contact": {"ContactID": fees.contact_id},
                    "BankAccount": {"AccountID": fees.clearing.id},
                    "Date": fees.date,
                    "Reference": fees.reference,
                    "CurrencyCode": fees.currency,
                    "LineAmountTypes": "NoTax",
                    "LineItems": [
                        {
                            "Description": line.description,
                            "Quantity": 1,
                            "UnitAmount": line.amount,
                            **expense,
                        }
                        for line in fees.lines
                    ],
                }
            ]
        }
        payload = self._call(ctx, "PUT", "BankTransactions", body=body, step="fees")
        return RemoteRef(id=field_of(payload, "BankTransactions", 0, "BankTransactionID"))

    def transfer_create(self, *, ctx: ApiContext, transfer: TransferData) -> RemoteRef:
        body = {
            "BankTransfers": [
                {
                    "FromBankAccount": {"AccountID": transfer.source.id},
                    "ToBankAccount": {"AccountID": transfer.target.id},
                    "Amount": transfer.amount,
                    "Date": transfer.date,
                    "Reference": transfer.reference,
                }
            ]
        }
        payload = self._call(ctx, "PUT", "BankTransfers", body=body, step="transfer")
        return RemoteRef(id=field_of(payload, "BankTransfers", 0, "BankTransferID"))
