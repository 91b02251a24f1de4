"""After each htmx pick a live region that stays in the page says the new total
and how many options the pick made impossible or possible again (issue 14,
accessibility); the summary itself is no second live region."""

from __future__ import annotations

import re

HTMX_PICK = {"HX-Request": "true", "HX-Target": "configurator", "HX-Trigger": "configurator"}
WAS_DISABLED = re.compile(r'name="was_disabled" value="([^"]*)"')
ANNOUNCER = re.compile(r'<div id="announcer" hx-swap-oob="innerHTML">(.*?)</div>', re.S)


def said(html: str) -> str:
    """The announcement of a pick's answer, whitespace collapsed."""
    found = ANNOUNCER.search(html)
    assert found, "the answer fills no announcer"
    return " ".join(found.group(1).split())


def pick(client, data: dict, was_disabled: str) -> str:
    response = client.post("/shop/test-bike", data={**data, "was_disabled": was_disabled},
                           headers=HTMX_PICK)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_has_an_empty_polite_live_region_and_the_summary_is_none(client):
    page = client.get("/shop/test-bike").get_data(as_text=True)
    assert '<div id="announcer" class="sr-only" aria-live="polite" aria-atomic="true"></div>' in page
    assert WAS_DISABLED.search(page).group(1) == ""
    summary = page[page.index('id="summary"'):]
    assert "aria-live" not in summary and 'role="status"' not in summary


def test_a_pick_says_the_price_and_how_many_options_it_ruled_out(client):
    answer = pick(client, {"f.frame": "carbon"}, "")
    # Carbon rules out rim brakes: the only option the pick disabled.
    assert WAS_DISABLED.search(answer).group(1) == "brakes=rim"
    assert said(answer) == "Price now 640.00 EUR. 1 option no longer possible."
    answer = pick(client, {"f.frame": "alu"}, "brakes=rim")
    assert said(answer) == "Price now 120.00 EUR. 1 option possible again."


def test_several_options_are_counted_and_a_complete_configuration_said(client):
    picks = {"f.frame": "carbon", "f.brakes": "disc_hydraulic", "f.packaging": "box",
             "f.delivery": "courier", "f.billing": "prepay"}
    answer = pick(client, picks, "")
    text = said(answer)
    # Rim brakes (carbon) and the pallet (courier) are out.
    assert sorted(WAS_DISABLED.search(answer).group(1).split()) == ["brakes=rim", "packaging=pallet"]
    assert text == "Price now 825.00 EUR. 2 options no longer possible. Complete: ready to order."


def test_without_the_posted_list_only_the_total_is_said(client):
    response = client.post("/shop/test-bike", data={"f.frame": "carbon"}, headers=HTMX_PICK)
    assert said(response.get_data(as_text=True)) == "Price now 640.00 EUR."


def test_the_announcement_is_in_the_customers_language(client):
    client.get("/shop/test-bike", headers={"Accept-Language": "fa"})
    response = client.post("/shop/test-bike", data={"f.frame": "carbon", "was_disabled": ""},
                           headers={**HTMX_PICK, "Accept-Language": "fa"})
    text = said(response.get_data(as_text=True))
    assert "Price now" not in text and "۶۴۰" in text


def test_start_over_clears_every_pick(client):
    page = client.post("/shop/test-bike", data={"f.frame": "carbon", "f.extras": ["bell", "rack"]})
    html = page.get_data(as_text=True)
    assert 'value="start-over"' in html and "Start over" in html
    answer = pick(client, {"f.frame": "carbon", "f.extras": ["bell", "rack"], "action": "start-over"},
                  "brakes=rim")
    assert said(answer) == "Price now 0.00 EUR. 1 option possible again."
    again = client.get("/shop/test-bike").get_data(as_text=True)  # the kept draft is empty too
    assert not re.search(r'<input[^>]*class="pick"[^>]*checked', again)
    assert 'value="start-over"' not in again  # nothing to start over from
