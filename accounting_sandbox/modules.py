"""Every module with a `router` (and optionally `setup(sb)`), in the order they load."""

MODULES = [
    "accounting_sandbox.xero.identity",
    "accounting_sandbox.xero.contacts",
    "accounting_sandbox.xero.invoices",
    "accounting_sandbox.xero.payments",
    "accounting_sandbox.xero.settings",
    "accounting_sandbox.xero.banking",
    "accounting_sandbox.quickbooks.identity",
    "accounting_sandbox.quickbooks.entities",
    "accounting_sandbox.quickbooks.transactions",
    "accounting_sandbox.quickbooks.banking",
    "accounting_sandbox.quickbooks.query",
    "accounting_sandbox.control",
    "accounting_sandbox.ledger",
    "accounting_sandbox.seed",
]
