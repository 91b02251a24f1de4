"""Only a pick makes a round trip: typing a name or a quantity does not.

Before, every `change` in the configurator form posted it, and the answer
replaced the summary. Typing a name, then clicking "Save", sent a round trip
on blur whose answer could replace the button between mouse down and mouse
up, so the click was lost (the flaky browser tests of issue 19)."""

import pytest

from tests.browser.test_customer_walk import pick
from tests.browser.waits import htmx_answer, settled

pytestmark = pytest.mark.browser


def htmx_posts(page) -> list[str]:
    """Record the URL of every htmx POST the page sends from now on."""
    sent: list[str] = []
    page.on(
        "request",
        lambda request: request.method == "POST"
        and request.headers.get("hx-request") == "true"
        and sent.append(request.url),
    )
    return sent


def test_typing_a_name_sends_nothing_a_pick_sends_one_request(page):
    page.goto("/shop/test-bike")
    settled(page)
    sent = htmx_posts(page)
    page.get_by_label("Save as").fill("Weekend bike")
    page.keyboard.press("Tab")  # the field's change event fires on leaving it
    with htmx_answer(page):
        pick(page, "frame", "alu")
    assert len(sent) == 1 and sent[0].endswith("/shop/test-bike")
