"""The configurator works in a real browser under the Content-Security-Policy,
and the browser reports no violation of it on any page we visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page):
    """Every CSP violation the page reports, from the console and the DOM event."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    # The DOM event also catches violations that are not logged (e.g. in report-only cases).
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI))"
    )
    return found


def pick(page, feature, option):
    page.locator(f"label[for='opt-{feature}-{option}']").click()


def test_configurator_works_under_the_policy(page, violations):
    response = page.goto("/shop/test-bike")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # page.js ran (it marks the page as scripted), htmx loaded and swaps fragments.
    expect(page.locator("html")).to_have_class("js")
    assert page.evaluate("typeof htmx") == "object"
    pick(page, "frame", "alu")
    pick(page, "brakes", "rim")
    expect(page.locator("#opt-frame-carbon")).to_be_disabled()
    expect(page.locator("#total")).to_contain_text("150.00 EUR")
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    # No indicator <style> was injected by htmx (the policy would have blocked it).
    assert page.locator("head style").count() == 0

    page.goto("/auth/signin")
    page.goto("/no-such-page")
    expect(page.locator("h1")).to_have_text("Not found")
    assert violations == []


def test_the_policy_really_blocks_inline_script(page, violations):
    """The counter-check: the same browser does report an injected inline script."""
    page.goto("/shop/test-bike")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any("script-src" in text for text in violations)
