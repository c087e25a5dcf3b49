"""Autopay: a client authorises a card or a bank mandate once (Checkout in setup mode on
the firm's connected account), and invoices marked for automatic collection are charged
off-session from it. See docs/autopay.md."""
