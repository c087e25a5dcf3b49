"""Shared fixtures for every app's tests, built on firmpay.tenancy.tests.factories.

Keep additive and small; app-level conftest.py files may override these names.
"""

import pytest

from firmpay.tenancy.tests.factories import client_for, make_firm, make_member, make_owner


@pytest.fixture
def firm(db):
    return make_firm(name="Acme Accounting")


@pytest.fixture
def owner(firm):
    return make_owner(firm)


@pytest.fixture
def staff_user(firm):
    return make_member(firm, role="staff").user


@pytest.fixture
def other_firm(db):
    return make_firm(name="Other Firm LLP")


@pytest.fixture
def other_owner(other_firm):
    return make_owner(other_firm)


@pytest.fixture
def owner_client(owner, firm):
    return client_for(owner, firm)


@pytest.fixture
def staff_client(staff_user, firm):
    return client_for(staff_user, firm)
