"""The axe-core check every browser test runs (tests/browser.py) does find violations on a
Firmpay page, and leaves other sites' pages alone."""

import pytest

from tests.browser import AxeWatch

pytestmark = pytest.mark.browser

FIRMPAY_HEAD = '<head><title>t</title><link rel="stylesheet" href="/static/css/firmpay.css"></head>'


def test_an_unlabelled_input_on_a_firmpay_page_is_reported(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        f'<html lang="en">{FIRMPAY_HEAD}<body><main><h1>x</h1><input></main></body></html>'
    )
    watch = AxeWatch()
    watch.check(page)
    context.close()
    assert any(rule == "label" and impact == "critical" for _, rule, impact, _ in watch.violations)


def test_pages_that_are_not_firmpay_are_not_checked(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body><input></body></html>")
    watch = AxeWatch()
    watch.check(page)
    context.close()
    assert watch.violations == {}
