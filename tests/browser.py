"""Debian's chromium driven by Playwright for Python, shared by every browser test."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FIRMPAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine's network is closed: background fetches only produce refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, request):
    """Fresh browser contexts (separate cookies), closed after the test; a screenshot of
    each open page is kept under test-artifacts/ when the test fails."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(**kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page_index, page in enumerate(context.pages):
                name = f"{request.node.name}-{index}-{page_index}.png"
                try:
                    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
                except Exception:  # noqa: BLE001 - a failed screenshot must not hide the failure
                    pass
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
