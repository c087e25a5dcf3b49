"""Debian's chromium driven by Playwright for Python, shared by every browser test.

Every Firmpay page a browser test opens is checked with axe-core (vendored under
tests/vendor/axe-core): on each page load and once more at the end of the test (so htmx
sidebars and live updates are covered too). A serious or critical violation fails the test.
Pages that are not Firmpay's (the Stripe sandbox's hosted pages) are not checked."""

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
AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_BLOCKING = ("serious", "critical")
AXE_RUN = r"""async () => {
  if (!document.querySelector('link[href$="css/firmpay.css"]')) return null;
  const path = location.pathname;
  const result = await axe.run(document, {resultTypes: ["violations"]});
  if (location.pathname !== path) return null;
  return {path: path, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + n.html.slice(0, 120)
      + " " + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 160)),
  }))};
}"""
IS_FIRMPAY = "() => !!document.querySelector('link[href$=\"css/firmpay.css\"]')"


class AxeWatch:
    """Runs axe-core in each Firmpay page and keeps the serious and critical violations."""

    def __init__(self):
        self.violations: dict[tuple, set] = {}

    def watch(self, context) -> None:
        context.on("page", lambda page: page.on("load", lambda: self.check(page)))

    def check(self, page) -> None:
        from playwright.sync_api import Error

        try:
            if page.is_closed() or not page.evaluate(IS_FIRMPAY):
                return
            if not page.evaluate("() => typeof axe !== 'undefined'"):
                page.evaluate(AXE_SOURCE)
            found = page.evaluate(AXE_RUN)
        except Error:  # navigated away or closed meanwhile: the next load is checked
            return
        if found is None:
            return
        path = found["path"]
        for violation in found["violations"]:
            if violation["impact"] in AXE_BLOCKING:
                key = (path, violation["id"], violation["impact"], violation["help"])
                self.violations.setdefault(key, set()).update(violation["targets"])

    def report(self) -> str:
        return "\n".join(
            f"{path}: {rule} ({impact}) {help_}: {sorted(targets)}"
            for (path, rule, impact, help_), targets in sorted(self.violations.items())
        )


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
    axe = AxeWatch()

    def make(**kwargs):
        context = browser.new_context(**kwargs)
        context.set_default_timeout(15_000)
        axe.watch(context)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if not failed:
        for context in contexts:
            for page in context.pages:
                axe.check(page)
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
    if axe.violations and not failed:
        pytest.fail(f"axe-core found serious/critical violations:\n{axe.report()}")


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
