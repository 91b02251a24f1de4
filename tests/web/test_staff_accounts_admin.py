"""The account administration pages: managers and admins open and edit accounts
(approval threshold included), contacts, price lists and quantity breaks;
sales staff read; customers see nothing; bad input gets the reason; CSRF.
Also the quote editor's optional / alternative lines and amount discounts,
and the printable page's print stylesheet."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import quotes
from configurator.store.messages import Message
from configurator.store.quotes import AccountEvent, BusinessAccount, PriceListEntry
from configurator.web.database import db
from tests.helpers import gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff


@pytest.fixture
def world(app):
    """Sales, manager, admin, a plain customer; ACME with a contact and a draft quote."""
    with app.app_context():
        session = db.session
        people = {role: gen_staff(session, role, f"{role}@shop.example")
                  for role in ("staff", "manager", "admin")}
        gen_user(session, "plain@example.com")
        acme, _ = gen_account(session, contact_email="buyer@acme.example")
        draft = quotes.drafts.create(session, people["staff"], acme.id)
        quotes.lines.add_line(session, people["staff"], draft.id, "test-bike", BIKE, 2)
        return {"acme": acme.id, "contact": acme.contacts[0].id, "draft": draft.id,
                "entry": acme.price_entries[0].id}


def sign_in(auth, email):
    auth.signout()
    response = auth.signin(email, "password123")
    assert response.status_code in (302, 303)


def timeline(app, account_id):
    """(action, actor) of the account's own timeline entries (not its quotes'), oldest first."""
    with app.app_context():
        return [(e.action, e.actor.email if e.actor else None) for e in db.session.scalars(
            sa.select(AccountEvent).where(AccountEvent.account_id == account_id,
                                          AccountEvent.quote_id.is_(None))
            .order_by(AccountEvent.id))]


EDIT_PAGES = ["/staff/accounts/new", "/staff/accounts/{acme}/edit"]
CHANGES = [
    ("/staff/accounts/new", {"name": "Nord AB", "country": "SE"}),
    ("/staff/accounts/{acme}/edit", {"name": "ACME AG", "country": "DE", "validity_days": "30",
                                      "approval_threshold": "10"}),
    ("/staff/accounts/{acme}/contacts", {"email": "plain@example.com", "contact_role": "buyer"}),
    ("/staff/accounts/{acme}/contacts/new", {"email": "new@acme.example", "name": "New",
                                              "contact_role": "buyer"}),
    ("/staff/accounts/{acme}/contacts/{contact}/role", {"contact_role": "finance"}),
    ("/staff/accounts/{acme}/contacts/{contact}/remove", {}),
    ("/staff/accounts/{acme}/prices/percent", {"catalog": "test-bike", "percent": "20"}),
    ("/staff/accounts/{acme}/prices/option", {"catalog": "test-bike", "option": "frame=alu",
                                              "price": "99"}),
    ("/staff/accounts/{acme}/prices/{entry}/remove", {}),
    ("/staff/breaks/test-bike", {"min_quantity": ["10"], "percent": ["5"], "mode": "range"}),
]


@pytest.mark.parametrize("path", EDIT_PAGES)
def test_edit_pages_are_for_managers_and_admins(client, auth, world, path):
    url = path.format(**world)
    assert client.get(url).status_code == 302  # to sign in
    for email, status in [("plain@example.com", 404), ("buyer@acme.example", 404),
                          ("staff@shop.example", 403), ("manager@shop.example", 200),
                          ("admin@shop.example", 200)]:
        sign_in(auth, email)
        assert client.get(url).status_code == status, email


@pytest.mark.parametrize(("path", "data"), CHANGES)
def test_changes_are_refused_to_everyone_but_managers_and_admins(client, auth, world, app,
                                                                 path, data):
    url = path.format(**world)
    for email, status in [("plain@example.com", 404), ("buyer@acme.example", 404),
                          ("staff@shop.example", 403)]:
        sign_in(auth, email)
        assert client.post(url, data=data).status_code == status, email
    assert timeline(app, world["acme"]) == []
    sign_in(auth, "manager@shop.example")
    assert client.post(url, data=data).status_code in (201, 303)


def test_changes_need_the_csrf_token(client, auth, world, app):
    sign_in(auth, "manager@shop.example")
    response = client.post(f"/staff/accounts/{world['acme']}/prices/percent",
                           data={"catalog": "test-bike", "percent": "50"},
                           headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert "nothing was changed" in response.get_data(as_text=True)
    with app.app_context():
        entry = db.session.get(PriceListEntry, world["entry"])
        assert entry.percent_off == Decimal("10.00")
    edit = client.get(f"/staff/accounts/{world['acme']}/edit").get_data(as_text=True)
    # Every form that posts carries the token (the sign-out form included).
    assert edit.count('method="post"') == edit.count('name="csrf_token"') > 5


def test_sales_staff_read_the_account_threshold_and_the_breaks(client, auth, world):
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/accounts/{world['acme']}").get_data(as_text=True)
    assert "sales discount alone up to 10.00 %" in page
    assert "Edit account" not in page
    breaks = client.get("/staff/breaks").get_data(as_text=True)
    assert "Save breaks" not in breaks
    sign_in(auth, "manager@shop.example")
    assert "Edit account" in client.get(f"/staff/accounts/{world['acme']}").get_data(
        as_text=True)


def test_a_manager_opens_an_account_with_the_configured_default(client, auth, world, app):
    app.config["QUOTE_APPROVAL_THRESHOLD"] = Decimal("7.5")
    sign_in(auth, "manager@shop.example")
    form = client.get("/staff/accounts/new").get_data(as_text=True)
    assert 'value="7.5"' in form
    response = client.post("/staff/accounts/new", data={
        "name": "Nord AB", "country": "se", "vat_id": "SE556", "validity_days": "21",
        "approval_threshold": "7.5", "terms": "Net 45."})
    assert response.status_code == 303
    with app.app_context():
        account = db.session.scalar(sa.select(BusinessAccount).where(
            BusinessAccount.name == "Nord AB"))
        assert (account.country, account.vat_id, account.validity_days, account.terms) == (
            "SE", "SE556", 21, "Net 45.")
        assert account.approval_threshold == Decimal("7.50")
        assert response.headers["Location"].endswith(f"/staff/accounts/{account.id}/edit")
    assert timeline(app, account.id) == [("account opened", "manager@shop.example")]


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "country": "DE"}, "company name is required"),
    ({"name": "X", "country": "Germany"}, "no tax rate for the country"),
    ({"name": "ACME GmbH", "country": "DE"}, "already an account called"),
    ({"name": "X", "country": "DE", "approval_threshold": "150"}, "between 0 and 100"),
    ({"name": "X", "country": "DE", "validity_days": "x"}, "whole number"),
])
def test_bad_account_input_shows_the_reason_and_keeps_the_input(client, auth, world, data,
                                                                message):
    sign_in(auth, "admin@shop.example")
    response = client.post("/staff/accounts/new", data={"validity_days": "30", **data})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    if data["name"]:
        assert f'value="{data["name"]}"' in body


def test_the_threshold_is_edited_and_decides_approval_in_the_editor(client, auth, world, app):
    quote = f"/staff/quotes/{world['draft']}"
    sign_in(auth, "staff@shop.example")
    client.post(f"{quote}/discount", data={"discount_percent": "12"})
    assert "Submit for approval" in client.get(quote).get_data(as_text=True)
    sign_in(auth, "admin@shop.example")
    response = client.post(f"/staff/accounts/{world['acme']}/edit", data={
        "name": "ACME GmbH", "country": "DE", "validity_days": "30", "approval_threshold": "15",
        "terms": "Payment in 30 days."})
    assert response.status_code == 303
    sign_in(auth, "staff@shop.example")
    page = client.get(quote).get_data(as_text=True)
    assert "Submit for approval" not in page and "Send to client" in page
    assert ("account changed", "admin@shop.example") in timeline(app, world["acme"])
    account_page = client.get(f"/staff/accounts/{world['acme']}").get_data(as_text=True)
    assert "approval threshold: 10.00 -&gt; 15.00" in account_page


def test_contacts_are_added_created_changed_and_removed_from_the_page(client, auth, world,
                                                                       app):
    sign_in(auth, "manager@shop.example")
    base = f"/staff/accounts/{world['acme']}"
    assert client.post(f"{base}/contacts", data={
        "email": "plain@example.com", "contact_role": "finance"}).status_code == 303
    created = client.post(f"{base}/contacts/new", data={
        "email": "tom@acme.example", "name": "Tom Tech", "contact_role": "technical"})
    assert created.status_code == 201
    body = created.get_data(as_text=True)
    assert "We e-mailed tom@acme.example a link" in body
    with app.app_context():
        invitation = db.session.scalar(sa.select(Message.action_url).where(
            Message.kind == "invitation"))
    assert client.post(f"{base}/contacts/{world['contact']}/role",
                       data={"contact_role": "buyer"}).status_code == 303
    page = client.get(f"{base}/edit").get_data(as_text=True)
    for email in ("plain@example.com", "tom@acme.example", "buyer@acme.example"):
        assert email in page
    # The new contact chooses a password from the invitation and sees the account's quotes.
    auth.signout()
    assert client.post(invitation, data={"password": "toms-own-password",
                                         "confirm": "toms-own-password"}).status_code == 303
    auth.signout()
    assert auth.signin("tom@acme.example", "toms-own-password").status_code in (302, 303)
    assert client.get("/account/quotes/").status_code == 200
    sign_in(auth, "manager@shop.example")
    assert client.post(f"{base}/contacts/{world['contact']}/remove").status_code == 303
    assert "buyer@acme.example" not in client.get(f"{base}/edit").get_data(as_text=True)
    assert [a for a, _ in timeline(app, world["acme"])] == [
        "contact added", "contact created", "contact role changed", "contact removed"]


@pytest.mark.parametrize(("path", "data", "message"), [
    ("contacts", {"email": "nobody@example.com", "contact_role": "buyer"}, "No one has signed up"),
    ("contacts", {"email": "plain@example.com", "contact_role": "boss"}, "choose one of these"),
    ("contacts", {"email": "staff@shop.example", "contact_role": "buyer"}, "Staff members"),
    ("contacts/new", {"email": "buyer@acme.example", "name": "X", "contact_role": "buyer"},
     "already has a user"),
    ("prices/percent", {"catalog": "test-bike", "percent": "lots"}, "percentage such as"),
    ("prices/percent", {"catalog": "nope", "percent": "5"}, "no product line called"),
    ("prices/option", {"catalog": "test-bike", "option": "frame=gold", "price": "5"},
     "has no option"),
    ("prices/option", {"catalog": "test-bike", "option": "frame=alu", "price": "-5"},
     "at least 0"),
])
def test_bad_contact_and_price_input_shows_the_reason(client, auth, world, app, path, data,
                                                      message):
    sign_in(auth, "manager@shop.example")
    response = client.post(f"/staff/accounts/{world['acme']}/{path}", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert timeline(app, world["acme"]) == []


def test_price_list_entries_are_set_from_catalog_options_and_removed(client, auth, world,
                                                                      app):
    sign_in(auth, "manager@shop.example")
    base = f"/staff/accounts/{world['acme']}"
    page = client.get(f"{base}/edit?catalog=test-bike").get_data(as_text=True)
    assert 'value="frame=carbon"' in page and "Frame: Carbon (list 640.00)" in page
    assert client.post(f"{base}/prices/option", data={
        "catalog": "test-bike", "option": "frame=carbon", "price": "600"}).status_code == 303
    assert client.post(f"{base}/prices/percent", data={
        "catalog": "test-bike", "percent": "12.5"}).status_code == 303
    page = client.get(f"{base}/edit").get_data(as_text=True)
    assert "frame=carbon at 600.00 EUR" in page and "−12.50 %" in page
    assert client.post(f"{base}/prices/{world['entry']}/remove").status_code == 303
    with app.app_context():
        left = [(e.feature, e.option) for e in db.session.scalars(sa.select(PriceListEntry))]
    assert left == [("frame", "carbon")]
    other, _ = gen_other(app)
    assert client.post(f"/staff/accounts/{other}/prices/{world['entry']}/remove"
                       ).status_code == 404


def gen_other(app):
    with app.app_context():
        account, contact = gen_account(db.session, "Other", contact_email="o@other.example")
        return account.id, contact.id


def test_quantity_breaks_page_saves_tiers_and_refuses_bad_ones(client, auth, world, app):
    sign_in(auth, "manager@shop.example")
    ok = client.post("/staff/breaks/test-bike", data={
        "min_quantity": ["10", "50", ""], "percent": ["5", "8", ""], "mode": "range"})
    assert ok.status_code == 303
    page = client.get("/staff/breaks").get_data(as_text=True)
    assert "from 10: −5.00 %" in page and "from 50: −8.00 %" in page
    bad = client.post("/staff/breaks/test-bike", data={
        "min_quantity": ["10", "10"], "percent": ["5", "6"], "mode": "range"})
    assert bad.status_code == 400
    assert "same quantity" in bad.get_data(as_text=True)
    # The quote editor reprices with the new breaks: 2 units are under the first tier.
    sign_in(auth, "staff@shop.example")
    client.post(f"/staff/quotes/{world['draft']}/reprice")
    client.post(f"/staff/quotes/{world['draft']}/lines/L1", data={"quantity": "10"})
    assert "Quantity break 10+: -5%" in client.get(
        f"/staff/quotes/{world['draft']}").get_data(as_text=True)


def test_optional_alternative_lines_and_amount_discounts_in_the_editor(client, auth, world):
    sign_in(auth, "staff@shop.example")
    quote = f"/staff/quotes/{world['draft']}"
    add = f"{quote}/configure/test-bike/add"
    picks = {f"f.{k}": v for k, v in BIKE.items()}
    assert client.post(add, data=dict(picks, quantity="1", kind="optional")).status_code == 303
    assert client.post(add, data=dict(picks, quantity="3", kind="alternative",
                                      alternative_to="L1")).status_code == 303
    refused = client.post(add, data=dict(picks, quantity="1", kind="alternative",
                                         alternative_to="L2"))
    assert refused.status_code == 400
    assert "L2 is not an included line" in refused.get_data(as_text=True)
    page = client.get(quote).get_data(as_text=True)
    assert "optional, not in the total" in page and "alternative to L1, not in the total" in page
    # Only L1 counts: 2 x 185.00 - 10 % price list = 333.00; L2 and L3 are shown beside it.
    assert 'id="subtotal">333.00 EUR' in page
    # only the optional line adds up (1 x 166.50); the alternative replaces L1 instead
    assert "Optional lines (166.50 EUR net together) are not included in the total" in page
    response = client.post(f"{quote}/lines/L1", data={"quantity": "2", "discount_amount": "33",
                                                      "kind": "included"})
    assert response.status_code == 303
    assert 'id="subtotal">300.00 EUR' in client.get(quote).get_data(as_text=True)
    both = client.post(f"{quote}/lines/L1", data={"quantity": "2", "discount_amount": "5",
                                                  "discount_percent": "5"})
    assert both.status_code == 400
    assert "not both" in both.get_data(as_text=True)
    kind = client.post(f"{quote}/lines/L1", data={"quantity": "2", "kind": "maybe"})
    assert kind.status_code == 400 and "not &#39;maybe&#39;" in kind.get_data(as_text=True)


def test_printable_page_links_the_print_stylesheet_and_the_pdf_marks_optional_lines(
        client, auth, world, app):
    from io import BytesIO

    from pypdf import PdfReader

    sign_in(auth, "staff@shop.example")
    add = f"/staff/quotes/{world['draft']}/configure/test-bike/add"
    client.post(add, data=dict({f"f.{k}": v for k, v in BIKE.items()}, quantity="1",
                               kind="optional"))
    page = client.get(f"/staff/quotes/{world['draft']}/print").get_data(as_text=True)
    assert '/static/print.css' in page and "style=" not in page
    css = client.get("/static/print.css").get_data(as_text=True)
    assert "@media print" in css and "header.site" in css
    pdf = client.get(f"/staff/quotes/{world['draft']}/pdf")
    text = PdfReader(BytesIO(pdf.data)).pages[0].extract_text()
    assert "optional, not in the total" in text and "not included in the total" in text


def test_an_accounts_own_quantity_breaks_from_its_edit_page(client, auth, world, app):
    sign_in(auth, "staff@shop.example")
    assert client.post(f"/staff/accounts/{world['acme']}/breaks", data={
        "catalog": "test-bike", "min_quantity": ["2"], "percent": ["10"]}).status_code == 403
    sign_in(auth, "manager@shop.example")
    url = f"/staff/accounts/{world['acme']}/breaks"
    bad = client.post(url, data={"catalog": "test-bike", "min_quantity": ["2"],
                                 "percent": ["x"], "mode": "range"})
    assert bad.status_code == 400 and "percentage such as" in bad.get_data(as_text=True)
    assert client.post(url, data={"catalog": "test-bike", "min_quantity": ["2", ""],
                                  "percent": ["10", ""], "mode": "range"}).status_code == 303
    page = client.get(f"/staff/accounts/{world['acme']}").get_data(as_text=True)
    assert "from 2: −10.00 %" in page
    sign_in(auth, "staff@shop.example")
    client.post(f"/staff/quotes/{world['draft']}/reprice")
    # 2 x 185.00 - 10 % price list = 333.00, then its own break from 2 units: - 10 % = 299.70.
    assert "299.70" in client.get(f"/staff/quotes/{world['draft']}").get_data(as_text=True)
    assert ("quantity breaks changed", "manager@shop.example") in timeline(app, world["acme"])


def test_a_price_list_in_vnd_refuses_a_eur_product_line_in_persian(client, auth, world, app):
    sign_in(auth, "manager@shop.example")
    persian = {"Accept-Language": "fa"}
    form = client.get("/staff/accounts/new", headers=persian).get_data(as_text=True)
    assert '<option value="VND">VND</option>' in form and '<option value="IRR">IRR</option>' in form
    response = client.post("/staff/accounts/new", headers=persian, data={
        "name": "Xe Đạp Hà Nội", "country": "VN", "currency": "VND", "validity_days": "30",
        "approval_threshold": "10"})
    assert response.status_code == 303
    with app.app_context():
        account = db.session.scalar(sa.select(BusinessAccount).where(
            BusinessAccount.name == "Xe Đạp Hà Nội"))
        assert account.currency == "VND"
    refused = client.post(f"/staff/accounts/{account.id}/prices/percent", headers=persian,
                          data={"catalog": "test-bike", "percent": "10"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "قیمت‌ها هرگز تبدیل نمی‌شوند" in body and "is priced in" not in body


@pytest.mark.parametrize(("language", "words"), [
    ("fa", "«maybe» هیچ‌کدام از این‌ها نیست"),
    ("vi", "&#39;maybe&#39; không phải loại dòng nào"),
])
def test_an_unknown_line_kind_is_refused_in_the_readers_language(client, auth, world, language,
                                                                 words):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['draft']}/lines/L1",
                           headers={"Accept-Language": language},
                           data={"quantity": "2", "kind": "maybe"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and words in body
    assert "A line is" not in body


@pytest.mark.parametrize(("language", "words"), [
    ("fa", "تصمیم‌گیرنده، خریدار، امور مالی یا فنی"),
    ("vi", "hãy chọn một trong các vai trò này"),
])
def test_an_unknown_contact_role_is_refused_in_the_readers_language(client, auth, world, app,
                                                                   language, words):
    sign_in(auth, "manager@shop.example")
    response = client.post(f"/staff/accounts/{world['acme']}/contacts",
                           headers={"Accept-Language": language},
                           data={"email": "plain@example.com", "contact_role": "boss"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and words in body
    assert "choose one of these" not in body
    assert timeline(app, world["acme"]) == []


@pytest.mark.parametrize(("language", "label", "channel"), [
    ("fa", "مشتری پیکربندی‌ای را ذخیره کرد", "آنلاین"),
    ("vi", "Khách hàng đã lưu một cấu hình", None),
])
def test_contacts_interactions_show_the_timeline_labels_in_the_readers_language(
        client, auth, world, app, language, label, channel):
    from configurator.store.models import Interaction, User

    with app.app_context():
        buyer = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
        db.session.add(Interaction(customer_id=buyer.id, kind="saved", channel="web",
                                   subject="Road bike"))
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/accounts/{world['acme']}",
                      headers={"Accept-Language": language}).get_data(as_text=True)
    assert f"{label}: Road bike" in page
    assert "saved: Road bike" not in page and '<span class="channel">web</span>' not in page
    if channel:
        assert f'<span class="channel">{channel}</span>' in page


@pytest.mark.parametrize(("language", "fields", "words", "english"), [
    ("fa", {"name": "X", "country": "DE", "approval_threshold": "150"},
     "آستانهٔ تأیید باید بین ۰ و ۱۰۰ درصد باشد", "between 0 and 100"),
    ("vi", {"name": "X", "country": "DE", "approval_threshold": "150"},
     "Ngưỡng phê duyệt phải nằm trong khoảng từ 0 đến 100 %", "between 0 and 100"),
    ("fa", {"name": "X", "country": "DE", "validity_days": "900"},
     "اعتبار پیش‌فاکتورها از ۱ تا ۳۶۵ روز است", "Quotes are valid"),
    ("vi", {"name": "X", "country": "DE", "validity_days": "soon"},
     "Thời hạn hiệu lực phải là một số nguyên", "must be a whole number"),
    ("fa", {"name": "", "country": "DE"}, "نام شرکت لازم است", "company name is required"),
])
def test_account_form_refusals_are_in_the_readers_language(client, auth, world, language,
                                                           fields, words, english):
    sign_in(auth, "manager@shop.example")
    response = client.post("/staff/accounts/new", headers={"Accept-Language": language},
                           data={"currency": "EUR", **fields})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and words in body
    assert english not in body


def test_a_price_list_discount_refusal_names_its_field_in_persian(client, auth, world):
    sign_in(auth, "manager@shop.example")
    response = client.post(f"/staff/accounts/{world['acme']}/prices/percent",
                           headers={"Accept-Language": "fa"},
                           data={"catalog": "test-bike", "percent": "lots"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "تخفیف باید درصدی مانند ۱۲٫۵ باشد" in body and "must be a percentage" not in body


@pytest.mark.parametrize(("language", "words"), [
    ("fa", ("مدیر کاتالوگ", "مدیر ارشد", "کارمند فروش")),
    ("vi", ("quản lý danh mục", "giám đốc", "nhân viên bán hàng")),
])
def test_role_names_are_words_of_the_readers_language(client, auth, world, language, words):
    sign_in(auth, "admin@shop.example")
    users = client.get("/staff/users", headers={"Accept-Language": language})
    body = users.get_data(as_text=True)
    assert users.status_code == 200 and all(word in body for word in words)
    assert ">catalog_manager<" not in body and ">director<" not in body


def test_contact_roles_are_persian_words_on_the_account_pages(client, auth, world):
    sign_in(auth, "manager@shop.example")
    persian = {"Accept-Language": "fa"}
    edit = client.get(f"/staff/accounts/{world['acme']}/edit", headers=persian)
    body = edit.get_data(as_text=True)
    assert "تصمیم‌گیرنده" in body and ">decision maker<" not in body
    assert ">finance<" not in body and "امور مالی" in body
