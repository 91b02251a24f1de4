"""Languages: the locale chosen per request, the switcher, direction, and
numbers, money and dates written per locale (en, fa right to left, vi)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from configurator.store import User
from configurator.web.database import db
from configurator.web.i18n import LANGUAGES, TRANSLATIONS

REPO = Path(__file__).resolve().parents[2]
PERSIAN_DIGIT = re.compile("[۰-۹]")
LATIN_DIGIT = re.compile("[0-9]")


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def used_message_ids() -> set[str]:
    """Every message id the templates and the web layer ask gettext for (as pybabel extracts them)."""
    found = set()
    sources = [(REPO / "templates", [("**.html", "jinja2")]),
               (REPO / "configurator", [("**.py", "python")])]
    for folder, method_map in sources:
        keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None,
                    "ngettext": (1, 2)}
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", ["fa", "vi"])
def test_every_used_message_has_a_translation(language):
    """A new string in a template or view without a translation fails here (run `make translations`)."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=language)
    translated = {
        m.id[0] if m.pluralizable else m.id for m in catalog
        if m.id and "fuzzy" not in m.flags and (all(m.string) if m.pluralizable else m.string)
    }
    missing = sorted(used_message_ids() - translated)
    assert missing == [], f"{language} lacks translations for: {missing}"


@pytest.mark.parametrize("path", [
    "messages.pot", "fa/LC_MESSAGES/messages.po", "vi/LC_MESSAGES/messages.po"])
def test_the_message_catalogs_are_well_formed(path):
    """Hand-merged catalogs lose a `msgstr` line now and then; gettext tools then stop."""
    from babel.messages.pofile import PoFileError

    with open(TRANSLATIONS / path, "rb") as po:
        try:
            read_po(po, abort_invalid=True)
        except PoFileError as error:
            pytest.fail(f"{path}: {error}")


def test_the_extraction_sees_templates_and_views():
    used = used_message_ids()
    assert {"Product lines", "Sign in", "Wrong email or password.", "Not found"} <= used


def test_the_catalogs_are_compiled():
    for language in ("fa", "vi"):
        assert (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").is_file(), (
            "run `make install` (it compiles the .po files)"
        )


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "words"),
    [
        ("en-US,en;q=0.9", "en", "ltr", "Product lines"),
        ("fa-IR,fa;q=0.9,en;q=0.5", "fa", "rtl", "محصولات"),
        ("vi-VN,vi;q=0.9", "vi", "ltr", "Dòng sản phẩm"),
        ("de-DE", "en", "ltr", "Product lines"),
    ],
)
def test_accept_language_chooses_the_language_and_direction(client, accept, lang, direction, words):
    page = client.get("/shop/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert html_tag(page) == f'<html lang="{lang}" dir="{direction}">'
    assert f"<h1>{words}</h1>" in page


def test_every_page_has_a_link_per_language(client):
    page = client.get("/shop/test-bike").get_data(as_text=True)
    switcher = re.search(r'<nav class="languages".*?</nav>', page, re.S).group(0)
    links = re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', switcher)
    assert [name for _url, name in links] == ["English", "فارسی", "Tiếng Việt"]
    assert all("next=/shop/test-bike" in url for url, _name in links)


def test_a_guest_switches_with_a_plain_link(client):
    response = client.get("/language/fa?next=/shop/test-bike")
    assert response.status_code == 302 and response.headers["Location"].endswith("/shop/test-bike")
    page = client.get("/shop/test-bike", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="fa" dir="rtl">'  # the pick beats the browser's wish


def test_the_switcher_refuses_other_sites_and_unknown_languages(client):
    response = client.get("/language/vi?next=//evil.example/x")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert client.get("/language/xx").status_code == 404


def test_a_signed_in_users_choice_is_kept_for_them(app, client, auth, anna):
    auth.signin()
    client.get("/language/vi?next=/shop/")
    with app.app_context():
        assert db.session.get(User, anna["id"]).locale == "vi"
    # Another device (a fresh session) of the same user: the preference wins over Accept-Language.
    other = app.test_client()
    other.post("/auth/signin", data={"email": "anna@example.com", "password": "password123"})
    page = other.get("/shop/", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="vi" dir="ltr">'


def test_persian_prices_have_persian_digits(client):
    page = client.get("/shop/test-bike", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    prices = re.findall(r'<span class="price"><bdi>([^<]+)</bdi>', page)
    assert prices and all(PERSIAN_DIGIT.search(p) and not LATIN_DIGIT.search(p) for p in prices)
    assert "+۱۲۰٫۰۰" in prices  # the aluminium frame, 120.00 EUR: Persian digits and separator


def test_vietnamese_prices_use_vietnamese_separators(client):
    page = client.get("/shop/test-bike", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "+120,00" in re.findall(r'<span class="price"><bdi>([^<]+)</bdi>', page)


def test_form_errors_and_flash_messages_are_translated(client):
    response = client.post(
        "/auth/signin",
        data={"email": "nobody@example.com", "password": "wrong-password"},
        headers={"Accept-Language": "vi"},
    )
    assert "Sai email hoặc mật khẩu." in response.get_data(as_text=True)


def test_error_pages_are_translated(client):
    page = client.get("/shop/spaceship", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "<h1>پیدا نشد</h1>" in page


def test_languages_are_the_three_we_translate():
    assert LANGUAGES == ("en", "fa", "vi")


def test_a_vnd_catalog_shows_whole_dong(app, client, tmp_path):
    from configurator.services import catalogs
    from tests.conftest import DATA

    text = (DATA / "bike.yaml").read_text().replace("currency: EUR", "currency: VND")
    text = text.replace("catalog: test-bike", "catalog: dong-bike")
    (tmp_path / "dong-bike.yaml").write_text(text)
    with app.app_context():
        catalogs.load_file(db.session, tmp_path / "dong-bike.yaml")
    page = client.get("/shop/dong-bike", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    prices = re.findall(r'<span class="price"><bdi>([^<]+)</bdi>', page)
    assert "+120" in prices and not any("," in price for price in prices)  # no decimals
    assert "Dòng sản phẩm" in page


# ------------------------------------------------------------------ no English left on a page

# Words of English sentences and UI labels that no catalog, account or person name in the
# test data uses: one of them in a Persian page's text means a string is not marked.
ENGLISH_UI_WORDS = frozenset("""
the and your you of for with is are not this to or on in by at we our my be can no yet
save total net subtotal quote quotes status accept decline terms privacy erase download sign
price choice option valid until review order orders line lines qty approve send print
""".split())
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
# Words of the test data, not of the pages: the account's own terms, and a rule message
# of tests/data/bike.yaml (a catalog without a Persian translation falls back to English).
TYPED_BY_PEOPLE = ("Payment in 30 days.", "60-day invoices are for business accounts.")
# Timeline entries keep the English subject they were written with (not translated yet).
STORED_HISTORY = re.compile(r'<ol class="timeline">.*?</ol>', re.S)


class _VisibleText(HTMLParser):
    """The words a reader sees or hears: text nodes and labelling attributes, not scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.words += re.findall(r"[A-Za-z]+", value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.words += re.findall(r"[A-Za-z]+", data)


def english_words(page: str) -> set[str]:
    """The known English UI words in `page`'s visible text."""
    reader = _VisibleText()
    for typed in TYPED_BY_PEOPLE:
        page = page.replace(typed, "")
    page = STORED_HISTORY.sub("", page)
    reader.feed(page)
    return {word for word in reader.words if word.lower() in ENGLISH_UI_WORDS}


def persian_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert html_tag(page) == '<html lang="fa" dir="rtl">'
    return page


CUSTOMER_PAGES = ["/account/configurations/{configuration}/checkout", "/account/privacy"]
CLIENT_QUOTE_PAGES = ["/account/quotes/", "/account/quotes/{sent}", "/account/quotes/{sent}/print"]


@pytest.mark.parametrize("path", CUSTOMER_PAGES)
def test_customer_pages_have_no_english_left_in_persian(client, auth, anna, path):
    client.get("/language/fa")  # first: the sign-in's own message is then in Persian too
    auth.signin()
    assert english_words(persian_page(client, path.format(**anna))) == set()


@pytest.mark.parametrize("path", CLIENT_QUOTE_PAGES)
def test_client_quote_pages_have_no_english_left_in_persian(client, auth, world, path):
    client.get("/language/fa")
    auth.signin("buyer@acme.example", "password123")
    assert english_words(persian_page(client, path.format(**world))) == set()


STAFF_PAGES = [
    ("staff@shop.example", "/staff/quotes"),
    ("staff@shop.example", "/staff/quotes/{draft}"),
    ("staff@shop.example", "/staff/quotes/{sent}"),
    ("staff@shop.example", "/staff/quotes/{draft}/print"),
    ("staff@shop.example", "/staff/accounts"),
    ("staff@shop.example", "/staff/accounts/{acme}"),
    ("manager@shop.example", "/staff/accounts/{acme}/edit"),
    ("manager@shop.example", "/staff/accounts/{acme}/edit?catalog=test-bike"),
    ("manager@shop.example", "/staff/approvals"),
    ("manager@shop.example", "/staff/breaks"),
    ("admin@shop.example", "/staff/users"),
    ("staff@shop.example", "/staff/insights/"),
    ("staff@shop.example", "/staff/insights/customers/{buyer}"),
    ("staff@shop.example", "/staff/insights/duplicates"),
]


@pytest.mark.parametrize(("email", "path"), STAFF_PAGES)
def test_staff_pages_have_no_english_left_in_persian(app, client, auth, world, email, path):
    with app.app_context():
        buyer = db.session.scalar(sa.select(User.id).where(User.email == "buyer@acme.example"))
    client.get("/language/fa")
    auth.signin(email, "password123")
    assert english_words(persian_page(client, path.format(buyer=buyer, **world))) == set()


def test_offer_pages_have_no_english_left_in_persian(app, client, auth, world):
    from configurator.services.offers import campaigns
    from configurator.store.models import User as Staff

    with app.app_context():
        staff = db.session.scalar(sa.select(Staff).where(Staff.email == "staff@shop.example"))
        campaign = campaigns.create(db.session, staff, campaigns.CampaignInput(
            code="spring", name="Spring", reward_kind="discount", percent="10"))
        campaign_id = campaign.id
    client.get("/language/fa")
    auth.signin("staff@shop.example", "password123")
    for path in ("/staff/insights/offers", f"/staff/insights/offers/{campaign_id}"):
        assert english_words(persian_page(client, path)) == set(), path


WORKBENCH_PAGES = [
    "/staff/catalogs",
    "/staff/catalogs/test-bike/draft",
    "/staff/catalogs/test-bike/draft/form",
    "/staff/catalogs/test-bike/release",
    "/staff/catalogs/test-bike/graph",
    "/staff/catalogs/test-bike/graph?feature=frame",
    "/staff/catalogs/test-bike/try",
    "/staff/catalogs/test-bike/what-if",
    "/staff/catalogs/test-bike/what-if?rule=carbon-needs-disc",
    "/staff/catalogs/test-bike/saved/configuration/{configuration}",
]


# What the catalog's author wrote (tests/data/bike.yaml and the draft): rule names, rule
# sources and messages (outside <code>); the YAML itself is in the editor's <textarea>.
CATALOG_TEXT = (
    "no-rack-on-carbon", "courier-no-pallet", "invoice-business",
    "Carbon frames take no rack.", "Couriers do not take pallets.",
    "60-day invoices are for business accounts.",
    "not (delivery == courier and packaging == pallet)", "frame == carbon and extras in [rack]",
)


@pytest.mark.parametrize("path", WORKBENCH_PAGES)
def test_workbench_pages_have_no_english_left_in_persian(app, client, auth, path):
    """The catalog manager's pages, with a draft whose release would break a saved configuration."""
    from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user
    from tests.services.quote_factories import gen_staff
    from tests.services.workbench_factories import DRAFT_TEXT

    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
        owner = gen_user(db.session, "anna@example.com")
        configuration = gen_configuration(db.session, owner, dict(COMPLETE_BIKE, frame="steel"),
                                          name="Steel bike").id
    client.get("/language/fa")
    auth.signin("catalogs@shop.example")
    client.post("/staff/catalogs/test-bike/draft", data={"text": DRAFT_TEXT})
    page = persian_page(client, path.format(configuration=configuration))
    for typed in CATALOG_TEXT:
        page = page.replace(typed, "")
    page = re.sub(r"<textarea.*?</textarea>|<code[^>]*>.*?</code>", "", page, flags=re.S)  # YAML, ids, rules
    assert english_words(page) == set()


def test_shop_cards_show_the_catalogs_description_in_the_readers_language(app, client):
    from configurator.services import catalogs

    with app.app_context():
        catalogs.load_file(db.session, REPO / "catalog" / "standing-desk.yaml")
    page = client.get("/shop/", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "میز برقی نشسته‌ایستاده" in page
    page = client.get("/shop/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Bàn nâng hạ bằng điện" in page
    page = client.get("/shop/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "An electric sit-stand desk" in page


def test_a_services_refusal_is_shown_in_the_readers_language(client, auth, anna):
    client.get("/language/vi")
    auth.signin()
    response = client.post(f"/account/configurations/{anna['configuration']}/checkout",
                           data={"revision": "1", "address": "new", "name": "Anna", "country": "de",
                                 "terms": "y"})
    assert response.status_code == 400
    assert "Vui lòng điền địa chỉ: đường, mã bưu chính và thành phố."  # Babel format_list in response.get_data(as_text=True)



def test_a_new_api_token_is_shown_in_persian(app, client, auth, anna):
    """The token page after creating one: the secret, the table and the scopes in Persian."""
    client.get("/language/fa")
    auth.signin()
    page = client.get("/account/tokens/").get_data(as_text=True)
    assert "خواندن سفارش‌های شما" in page and "تا ۳۰ روز دیگر" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    created = client.post("/account/tokens/", data={
        "csrf_token": token, "name": "ERP", "scopes": ["orders:read"], "expires": "30"})
    assert created.status_code == 201
    shown = created.get_data(as_text=True)
    assert "توکن تازهٔ شما" in shown and "باطل کردن" in shown
    # Scope codes ("orders:read") and the token are the API's, the same in every language.
    shown = re.sub(r"<code[^>]*>.*?</code>", "", shown)
    assert english_words(re.sub(r"\b[a-z]+:[a-z]+\b", "", shown)) == set()


@pytest.mark.parametrize(("language", "words"), [
    ("fa", ["مرجع API", "عملیات", "پارامترها", "طرح‌واره‌ها", "خواندن سفارش‌های شما"]),
    ("vi", ["Tài liệu tham khảo API", "Các thao tác", "Tham số", "Lược đồ", "Bắt buộc"]),
])
def test_the_api_docs_frame_is_in_the_readers_language(client, language, words):
    """Headings, table columns and scope descriptions translated; the OpenAPI text stays."""
    client.get(f"/language/{language}")
    page = client.get("/api/docs").get_data(as_text=True)
    for word in words:
        assert word in page, word
    assert "<h2>Operations</h2>" not in page and "<h3>Parameters</h3>" not in page
