"""axe-core finds no serious or critical WCAG 2.1 A/AA violation on the
configurator (before and after picks, with repairs and reasons shown), the
checkout's review, the account pages, sign-up/sign-in (issue 14), a guest's cart, and a
cart line reopened under the configurator's banner."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from configurator.web.database import db
from tests.browser.accessibility import violations
from tests.browser.waits import htmx_answer, settled
from tests.helpers import gen_configuration, gen_order, gen_user

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose CSP lets the test inject axe (the shop's own policy forbids it)."""
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def customer(app):
    """A signed-up customer with a saved configuration and an order."""
    with app.app_context():
        user = gen_user(db.session, "axe@example.com", name="Ada")
        configuration = gen_configuration(db.session, user, name="Ada's bike")
        order = gen_order(db.session, user)
        return {"configuration": configuration.id, "order": order.number}


def sign_in(page) -> None:
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("axe@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    settled(page)


def test_the_configurator_before_and_after_picks(axe_page):
    page = axe_page
    page.goto("/shop/test-bike")
    settled(page)
    assert violations(page) == []
    # Rim brakes grey out carbon (reason and repair shown); a pallet greys out the courier.
    for label in ("opt-brakes-rim", "opt-packaging-pallet"):
        with htmx_answer(page):
            page.locator(f"label[for='{label}']").click()
    assert page.locator("#announcer").inner_text() != ""
    assert violations(page) == []


@pytest.mark.parametrize("path", [
    "/account/configurations",
    "/account/configurations/{configuration}",
    "/account/configurations/{configuration}/checkout",
    "/account/orders",
    "/account/orders/{order}",
    "/account/timeline",
    "/account/privacy",
])
def test_account_and_checkout_pages(axe_page, customer, path):
    sign_in(axe_page)
    axe_page.goto(path.format(**customer))
    settled(axe_page)
    assert violations(axe_page) == []


@pytest.mark.parametrize("path", ["/auth/signup", "/auth/signup/sent", "/auth/signin", "/shop/"])
def test_guest_pages(axe_page, path):
    axe_page.goto(path)
    settled(axe_page)
    assert violations(axe_page) == []


def test_the_checkout_with_its_errors_shown(axe_page, customer):
    sign_in(axe_page)
    axe_page.goto(f"/account/configurations/{customer['configuration']}/checkout")
    settled(axe_page)
    axe_page.get_by_role("button", name="Place order").click()
    settled(axe_page)
    assert axe_page.locator(".message.error, .field-error, [role=alert]").count() > 0
    assert violations(axe_page) == []


def test_the_cart_with_a_line_to_fix_and_the_cart_checkout(axe_page, customer, app):
    with app.app_context():
        import sqlalchemy as sa

        from configurator.services import cart
        from configurator.store.models import User

        user = db.session.scalar(sa.select(User).where(User.email == "axe@example.com"))
        cart.add(db.session, user, customer["configuration"], 2)
        unfinished = gen_configuration(db.session, user, {"frame": "alu"}, name="Unfinished")
        cart.add(db.session, user, unfinished.id)
    sign_in(axe_page)
    axe_page.goto("/account/cart")
    settled(axe_page)
    assert axe_page.locator(".cart-problem").count() == 1
    assert violations(axe_page) == []
    # The line to fix, reopened: its page shows the banner until it is saved into the cart.
    axe_page.get_by_role("button", name="Fix “Unfinished”").click()
    banner = axe_page.locator("#cart-editing")
    expect(banner.get_by_role("heading")).to_have_text("Editing item 2 of your cart: Unfinished")
    settled(axe_page)
    assert violations(axe_page) == []
    with htmx_answer(axe_page):
        axe_page.get_by_role("button", name="Complete the rest at the lowest price").click()
    banner.get_by_role("button", name="Save changes to this item").click()
    expect(axe_page.locator("#messages")).to_contain_text("“Unfinished” is changed in your cart.")
    axe_page.locator("#cart-checkout").click()
    settled(axe_page)
    assert violations(axe_page) == []


def test_the_staff_deliveries_desk(axe_page, customer, app):
    with app.app_context():
        gen_user(db.session, "desk@shop.example", name="Desk", role="staff")
    axe_page.goto("/auth/signin")
    axe_page.get_by_label("Email").fill("desk@shop.example")
    axe_page.get_by_label("Password").fill("password123")
    axe_page.get_by_role("button", name="Sign in").click()
    axe_page.goto("/staff/deliveries")
    settled(axe_page)
    assert axe_page.locator("#deliveries tbody tr").count() == 1
    assert violations(axe_page) == []
    axe_page.get_by_role("button", name="Mark shipped: delivery 1 of order").click()
    settled(axe_page)
    assert violations(axe_page) == []


@pytest.mark.parametrize(("line", "language", "pick"), [
    ("phin-coffee", "vi", "opt-roast-butter_roast"),  # whole-đồng prices, reasons in Vietnamese
    ("kashan-carpet", "fa", "opt-reeds-r700"),  # right to left, Persian digits and reasons
])
def test_the_demo_lines_in_vnd_and_irr_in_their_language(axe_page, app, line, language, pick):
    from configurator.config import REPO_ROOT
    from configurator.services import catalogs

    with app.app_context():
        catalogs.load_file(db.session, REPO_ROOT / "catalog" / f"{line}.yaml")
    page = axe_page
    page.context.set_extra_http_headers({"Accept-Language": language})
    page.goto(f"/shop/{line}")
    settled(page)
    assert page.locator("html").get_attribute("lang") == language
    with htmx_answer(page):
        page.locator(f"label[for='{pick}']").click()  # greys out options, with reasons and repairs
    assert page.locator(".why").count() > 0
    assert violations(page) == []


def test_the_guest_cart_and_its_checkout(axe_page):
    page = axe_page
    page.goto("/shop/test-bike")
    settled(page)
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your cart")
    settled(page)
    assert page.locator(".cart-line").count() == 1
    assert violations(page) == []
    page.locator("#cart-checkout").click()
    expect(page.locator("h1")).to_have_text("Order as a guest")
    settled(page)
    assert violations(page) == []
