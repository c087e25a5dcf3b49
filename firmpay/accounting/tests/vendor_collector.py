"""pytest plugin: every request the suite sends to Xero or QuickBooks (respx fakes or the
accounting sandbox alike) is collected through the providers' REQUEST_HOOKS and judged by
the vendors' own definitions (`vendor_contract.py`). A violation anywhere in the run fails
the session, listed in the summary; `vendor_requests` gives a test the run's list."""

from __future__ import annotations

import pytest

from firmpay.accounting.providers.http import REQUEST_HOOKS
from firmpay.accounting.tests import vendor_contract

COLLECTED: list[vendor_contract.Sent] = []


def _hook(request) -> None:
    vendor_contract.record(request, COLLECTED)


@pytest.fixture(autouse=True, scope="session")
def _collect_vendor_requests():
    REQUEST_HOOKS.append(_hook)
    yield
    REQUEST_HOOKS.remove(_hook)


@pytest.fixture
def vendor_requests() -> list[vendor_contract.Sent]:
    return COLLECTED


def _violations() -> list[vendor_contract.Sent]:
    return [sent for sent in COLLECTED if sent.problems]


def pytest_terminal_summary(terminalreporter):
    if not COLLECTED:
        return
    bad = _violations()
    terminalreporter.write_line(
        f"vendor requests checked against ../shared/vendors: {len(COLLECTED)}, "
        f"violations: {len(bad)}"
    )
    for sent in bad[:50]:
        terminalreporter.write_line(f"  {sent}")


def pytest_sessionfinish(session, exitstatus):
    if _violations() and exitstatus == 0:
        session.exitstatus = 1
