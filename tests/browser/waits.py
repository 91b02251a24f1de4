"""Wait on what the page really does, never on a fixed state or a delay.

A page whose HTML has arrived may not have run htmx yet (it loads deferred):
a key pressed then changes the input without a request. `settled` waits
until htmx has bound its handlers; `htmx_answer` waits for the response of
the htmx request that the action inside the block sends, and until htmx has
finished with it (swapped the answer in): the response event fires when the
headers arrive, while htmx still counts the request as running, so an action
right after it could abort it (the configurator's hx-sync replaces requests).
"""

from __future__ import annotations

from contextlib import contextmanager

from playwright.sync_api import expect


def settled(page) -> None:
    """Wait until the page has loaded and run its scripts (htmx included)."""
    page.wait_for_load_state("load")


@contextmanager
def htmx_answer(page, method: str = "POST"):
    """Wait, at the end of the block, for the answer to the htmx request it sent."""
    settled(page)
    with page.expect_response(
        lambda response: response.request.method == method
        and response.request.headers.get("hx-request") == "true"
    ) as answer:
        yield answer
    request_done(page)


def request_done(page) -> None:
    """Wait until no htmx request is running (htmx marks those with .htmx-request)."""
    # A locator, not wait_for_function: the Content-Security-Policy forbids eval.
    expect(page.locator(".htmx-request")).to_have_count(0)
