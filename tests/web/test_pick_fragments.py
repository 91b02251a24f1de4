"""An htmx pick sends only what changed, and the page it leaves equals a full render.

`BrowserPage` plays the browser's part without a JavaScript engine: it keeps the
swappable parts of the configurator (messages, summary, each feature's
fieldset) by id, posts the form as it stands (checked inputs, each feature's
fingerprint) with htmx's headers, and swaps in the parts a response sends
out of band. After each step, its parts must equal those of the full page the
no-JavaScript form post returns for the same form.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from configurator.services import catalogs, configuring, quotes
from configurator.web.database import db
from tests.services.quote_factories import gen_account, gen_staff

URL = "/shop/test-bike"
HTMX_PICK = {"HX-Request": "true", "HX-Target": "configurator", "HX-Trigger": "configurator"}
SWAPPABLE = re.compile(r"configurator-messages$|summary$|line-offers$|feature-")
OOB = re.compile(r'\s*hx-swap-oob="true"')
VOID = {"input", "br", "img", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}
FEATURES = ("frame", "brakes", "extras", "packaging", "delivery", "billing")


class _Parts(HTMLParser):
    """Finds the outer HTML of every element whose id is swappable."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.open: list[tuple[str, str | None, int]] = []
        self.parts: dict[str, str] = {}
        self.oob: set[str] = set()
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in VOID:
            return
        element_id = attributes.get("id")
        if element_id and "hx-swap-oob" in attributes:
            self.oob.add(element_id)
        self.open.append((tag, element_id, self._offset()))

    def handle_endtag(self, tag):
        while self.open:
            opened, element_id, start = self.open.pop()
            if opened == tag:
                break
        else:
            return
        if element_id and SWAPPABLE.match(element_id):
            end = self.html.index(">", self._offset()) + 1
            # Indentation differs between the page and a response; the markup may not.
            outer = OOB.sub("", self.html[start:end])
            self.parts[element_id] = re.sub(r"\s+", " ", outer)


def parts_of(html: str) -> dict[str, str]:
    """Swappable id -> its outer HTML (without the out-of-band marker, whitespace collapsed)."""
    return _Parts(html).parts


class BrowserPage:
    """What the browser shows of the configurator, and the form it would post."""

    def __init__(self, client, url: str = URL):
        self.client = client
        self.url = url
        self.parts = parts_of(client.get(url).get_data(as_text=True))
        assert "summary" in self.parts and "configurator-messages" in self.parts

    def form(self, **picks: str | list[str]) -> dict[str, list[str]]:
        """The form as it stands, with the customer's clicks (`feature=option(s)`) applied."""
        data: dict[str, list[str]] = {"name": [""]}
        for element_id, html in self.parts.items():
            if not element_id.startswith("feature-"):
                continue
            feature = element_id.removeprefix("feature-")
            shown = re.search(rf'name="shown\.{feature}" value="([^"]*)"', html)
            data[f"shown.{feature}"] = [shown.group(1)]
            checked = re.findall(rf'name="f\.{feature}" value="([^"]+)"\s*checked', html)
            data[f"f.{feature}"] = checked
        for feature, value in picks.items():
            data[f"f.{feature}"] = value if isinstance(value, list) else [value]
        return data

    def post(self, data: dict[str, list[str]]):
        """An htmx post of the form; swaps in what the response sends out of band."""
        response = self.client.post(self.url, data=data, headers=HTMX_PICK)
        assert response.status_code == 200
        assert response.headers.get("HX-Reswap") == "none"
        body = response.get_data(as_text=True)
        sent = _Parts(body)
        # The announcer is filled (innerHTML), not replaced: the full page has it empty.
        assert sent.oob - {"announcer"} == set(sent.parts), "every part is swapped in out of band"
        assert set(sent.parts) <= set(self.parts), "a part the page does not have"
        self.parts.update(sent.parts)
        return sent

    def full_render(self, data: dict[str, list[str]]) -> dict[str, str]:
        """The parts of the full page the same form post returns without JavaScript."""
        response = self.client.post(self.url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" in body
        return parts_of(body)


@pytest.fixture
def page(client):
    """The test bike's configurator, freshly loaded."""
    return BrowserPage(client)


@pytest.fixture
def line_page(client, auth, app):
    """A seller's configurator for a new line of a client's draft quote."""
    with app.app_context():
        account, _ = gen_account(db.session)
        sales = gen_staff(db.session, "staff", "sales@shop.example")
        draft = quotes.drafts.create(db.session, sales, account.id)
    auth.signin("sales@shop.example", "password123")
    return BrowserPage(client, f"/staff/quotes/{draft.id}/configure/test-bike")


def sent_features(sent: _Parts) -> set[str]:
    """The features a response swapped in."""
    return {key.removeprefix("feature-") for key in sent.parts if key.startswith("feature-")}


def test_a_pick_sends_the_features_it_changed_and_not_the_others(page):
    # Aluminium takes either brake: only the frame's own fieldset changes.
    sent = page.post(page.form(frame="alu"))
    assert sent_features(sent) == {"frame"}
    assert {"summary", "configurator-messages"} <= set(sent.parts)
    assert "120.00 EUR" in sent.parts["summary"]
    # Rim brakes make carbon impossible: the frame changes too (carbon greyed, with why).
    sent = page.post(page.form(brakes="rim"))
    assert sent_features(sent) == {"frame", "brakes"}
    assert re.search(r'id="opt-frame-carbon"[^>]*disabled', sent.parts["feature-frame"])
    assert "Carbon frames only take hydraulic disc brakes." in sent.parts["feature-frame"]
    # Packaging to a pallet rules out the courier, nothing else.
    sent = page.post(page.form(packaging="pallet"))
    assert sent_features(sent) == {"packaging", "delivery"}


def test_the_response_is_small_next_to_the_fragment(client, page):
    fragment = client.post(URL, data=page.form(frame="alu"), headers={"HX-Request": "true"})
    changes = client.post(URL, data=page.form(frame="alu"), headers=HTMX_PICK)
    assert "<form" in fragment.get_data(as_text=True)
    assert "<form" not in changes.get_data(as_text=True)
    assert len(changes.get_data()) < len(fragment.get_data()) / 2


STEPS = [
    ("frame", {"frame": "alu"}),
    ("brakes", {"brakes": "rim"}),
    ("extras", {"extras": ["bell", "rack"]}),
    ("repair", {"action": "repair:frame=carbon"}),
    ("why", {"action": "why:delivery=courier", "packaging": "pallet"}),
    ("clear", {"action": "clear:packaging"}),
    ("complete", {"action": "complete"}),
    ("tampered", {"frame": ["alu", "steel"], "extras": ["bell", "warp"]}),
    ("conflict", {"frame": "carbon", "brakes": "rim"}),
    ("unpick", {"extras": []}),
]


@pytest.mark.parametrize("which", ["page", "line_page"])
def test_the_page_after_each_pick_equals_a_full_render(request, which):
    page = request.getfixturevalue(which)
    for name, step in STEPS:
        action = step.get("action")
        clicks = {key: value for key, value in step.items() if key != "action"}
        data = page.form(**clicks)
        if action:
            data["action"] = [action]
        expected = page.full_render(data)
        page.post(data)
        assert page.parts.keys() == expected.keys(), name
        for key in expected:
            assert page.parts[key] == expected[key], f"after {name}: {key} differs"


def test_a_staff_line_pick_sends_only_what_changed_like_the_shop(line_page):
    sent = line_page.post(line_page.form(frame="alu"))
    assert sent_features(sent) == {"frame"}
    summary = sent.parts["summary"]
    assert "List price per unit" in summary and "Add to quote" in summary
    sent = line_page.post(line_page.form(brakes="rim"))
    assert sent_features(sent) == {"frame", "brakes"}


def test_without_fingerprints_every_feature_is_sent(page):
    data = {key: value for key, value in page.form(frame="alu").items() if key.startswith("f.")}
    sent = page.post(data)
    assert sent_features(sent) == set(FEATURES)


def test_a_pick_the_server_did_not_take_is_put_right(page):
    # Two frames at once: the server keeps neither, so the frame's fieldset
    # comes back (unchanged for the server, but not what the browser shows).
    sent = page.post(page.form(frame=["alu", "carbon"]))
    assert "feature-frame" in sent.parts
    assert "Frame takes one option" in sent.parts["configurator-messages"]
    assert not re.search(r'name="f\.frame" value="[^"]+"\s*checked', sent.parts["feature-frame"])


def test_other_htmx_requests_still_get_the_whole_fragment(client):
    response = client.post(URL, data={"f.frame": "alu"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "HX-Reswap" not in response.headers
    assert body.count('class="feature"') == len(FEATURES) and "<form" in body


def test_a_saved_configuration_updates_the_same_way(client, auth, anna):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}"
    saved = BrowserPage(client, url)
    data = saved.form(extras=["bell"])
    data["base_revision"] = ["1"]
    sent = saved.post(data)
    assert sent_features(sent) == {"extras"}
    assert "Save as revision 2" in sent.parts["summary"]


def test_explanations_wait_for_the_why_button_on_large_catalogs(app):
    """Eager explanations only on small catalogs: each costs SAT calls over every rule."""
    with app.app_context():
        catalog = catalogs.engine_catalog(catalogs.current(db.session, "test-bike"))
    picks = {"frame": "alu", "brakes": "rim"}

    def carbon(state):
        frame = next(f for _, _, fs in state.dimensions for f in fs if f.id == "frame")
        return next(option for option in frame.options if option.id == "carbon")

    eager = configuring.page.evaluate(catalog, picks)
    assert not eager.lazy_explanations and carbon(eager).why is not None
    # The test bike has 13 options; as if it were a big catalog:
    lazy = configuring.page.evaluate(catalog, picks, eager_max_options=12)
    assert lazy.lazy_explanations and carbon(lazy).why is None and not carbon(lazy).possible
    asked = configuring.page.evaluate(catalog, picks, eager_max_options=12, explain=("frame", "carbon"))
    assert carbon(asked).why is not None and carbon(asked).repair is not None
