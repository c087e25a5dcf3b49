"""Stripe Connect accounts of firms: create, OAuth, status, disconnect, payment methods."""
