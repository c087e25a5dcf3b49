"""Clients pay invoices online: Checkout, the facts of payments, refunds, disputes, emails, the books."""
