"""Xero: OAuth 2.0 (rotating refresh tokens), /connections for the organisations, and the
Accounting API for contacts, invoices and payments. Only this package knows Xero's JSON."""

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
    raise_for_response,
    token_request,
    transport_errors,
)

SCOPES = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings.read"


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
                "scope": SCOPES,
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
            httpx.post(
                settings.XERO_REVOKE_URL,
                data={"token": refresh_token},
                auth=self._auth(),
                timeout=TIMEOUT,
            )

    def organisations(self, *, access_token: str, callback: dict) -> list[Organisation]:
        with transport_errors():
            response = httpx.get(
                f"{self.api}/connections",
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
                timeout=TIMEOUT,
            )
        raise_for_response(response, describe=_describe)
        return [
            Organisation(id=row["tenantId"], name=row.get("tenantName") or row["tenantId"])
            for row in response.json()
            if row.get("tenantType", "ORGANISATION") == "ORGANISATION"
        ]

    def organisation_release(self, *, access_token: str, org_id: str) -> None:
        with transport_errors():
            response = httpx.get(
                f"{self.api}/connections",
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=TIMEOUT,
            )
            raise_for_response(response, describe=_describe)
            for row in response.json():
                if row.get("tenantId") == org_id:
                    httpx.delete(
                        f"{self.api}/connections/{row['id']}",
                        headers={"Authorization": f"Bearer {access_token}"},
                        timeout=TIMEOUT,
                    )

    # --- Accounting API ---
    def _call(self, ctx: ApiContext, method: str, path: str, *, body=None, step: str = "") -> dict:
        headers = {"Xero-Tenant-Id": ctx.org_id}
        key = ctx.idempotency_key(step) if step else ""
        if key:
            headers["Idempotency-Key"] = key[:128]
        return api_request(
            ctx,
            method,
            f"{self.api}/api.xro/2.0/{path}",
            describe=_describe,
            headers=headers,
            body=body,
        )

    def accounts(self, *, ctx: ApiContext) -> list[LedgerAccount]:
        rows = self._call(ctx, "GET", "Accounts").get("Accounts", [])
        return [
            LedgerAccount(
                id=row["AccountID"],
                code=row.get("Code", ""),
                name=row.get("Name", ""),
                kind=_account_kind(row),
            )
            for row in rows
            if row.get("Status", "ACTIVE") == "ACTIVE"
        ]

    def contact_create(self, *, ctx: ApiContext, contact: ContactData) -> RemoteRef:
        body = {"Contacts": [{"Name": contact.name, "EmailAddress": contact.email}]}
        row = self._call(ctx, "PUT", "Contacts", body=body, step="contact")["Contacts"][0]
        return RemoteRef(id=row["ContactID"])

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
                        }
                        for line in invoice.lines
                    ],
                }
            ]
        }
        row = self._call(ctx, "PUT", "Invoices", body=body, step="invoice")["Invoices"][0]
        invoice_id = row["InvoiceID"]
        return RemoteRef(id=invoice_id, url=self.invoice_url(invoice_id))

    def invoice_url(self, invoice_id: str) -> str:
        return f"{settings.XERO_APP_URL.rstrip('/')}/AccountsReceivable/View.aspx?InvoiceID={invoice_id}"

    def invoice_void(self, *, ctx: ApiContext, invoice_id: str) -> None:
        body = {"Invoices": [{"InvoiceID": invoice_id, "Status": "VOIDED"}]}
        self._call(ctx, "POST", f"Invoices/{invoice_id}", body=body, step="void")

    def payment_create(self, *, ctx: ApiContext, payment: PaymentData) -> RemoteRef:
        body = {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": payment.invoice_id},
                    "Account": {"Code": payment.account.code},
                    "Date": payment.paid_on,
                    "Amount": payment.amount,
                    "Reference": payment.reference,
                }
            ]
        }
        row = self._call(ctx, "PUT", "Payments", body=body, step="payment")["Payments"][0]
        return RemoteRef(id=row["PaymentID"], url=self.invoice_url(payment.invoice_id))

    def payment_reverse(self, *, ctx: ApiContext, payment_id: str) -> None:
        # Xero payments cannot be edited, only deleted.
        self._call(
            ctx, "POST", f"Payments/{payment_id}", body={"Status": "DELETED"}, step="reverse"
        )
