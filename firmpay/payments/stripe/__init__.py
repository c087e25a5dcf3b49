"""The Stripe adapter: the only code in Firmpay that imports `stripe`.

It returns our own dataclasses (`dataclasses.py`), mapped from Stripe objects through one
table per concept (`mappers.py`), and raises `firmpay.payments.exceptions` errors.
"""
