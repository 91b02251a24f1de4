"""VAT for deliveries to Vietnam and Iran on the pages: the checkout's review, the
order and the invoice of a VND buyer in Vietnamese and an IRR buyer in Persian name
the tax in the reader's language, with its 10 % in whole đồng and rials; a German
delivery keeps its 19 %."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configurator.services import catalogs, users
from configurator.web.database import db
from tests.helpers import gen_configuration, gen_user

REPO = Path(__file__).resolve().parents[2]


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def buyers(app):
    """Lan (Hà Nội, Vietnamese) with a phin coffee and Sara (Tehran, Persian) with a
    Kashan carpet, each the cheapest complete configuration of the shipped line."""
    made = {}
    with app.app_context():
        for line, email, country, locale in (
            ("phin-coffee", "lan@example.com", "vn", "vi"),
            ("kashan-carpet", "sara@example.com", "ir", "fa"),
        ):
            catalogs.load_file(db.session, REPO / "catalog" / f"{line}.yaml")
            catalog = catalogs.engine_catalog(catalogs.current(db.session, line))
            picks = catalog.complete({}).selections
            user = gen_user(db.session, email, country=country)
            users.set_locale(db.session, user.id, locale)
            configuration = gen_configuration(db.session, user, picks, catalog_id=line)
            made[locale] = {"email": email, "configuration": configuration.id,
                            "total": catalog.complete({}).price}
        db.session.commit()
    return made


def place(client, auth, buyer, address):
    auth.signin(buyer["email"])
    placed = client.post(f"/account/configurations/{buyer['configuration']}/checkout",
                         data=dict(address, address="new", revision="1", terms="y"))
    assert placed.status_code == 303, text(placed.get_data(as_text=True))[:500]
    return placed.headers["Location"].rsplit("/", 1)[1]


def test_a_vietnamese_buyer_sees_thue_gtgt_10_percent_in_whole_dong(client, auth, buyers):
    lan = buyers["vi"]
    assert lan["total"] == 125000  # the cheapest phin coffee: 125,000 / 1.1 = 113,636.36...
    auth.signin(lan["email"])
    review = text(client.get(f"/account/configurations/{lan['configuration']}/checkout")
                  .get_data(as_text=True))
    assert "Thuế GTGT 10% (Việt Nam) 11.364 VND" in review
    assert "Ròng 113.636 VND" in review and "no-vat-note" not in review
    number = place(client, auth, lan, {"name": "Nguyễn Thị Lan", "street": "12 Hàng Bạc",
                                       "postcode": "100000", "city": "Hà Nội", "country": "vn"})
    invoice = text(client.get(f"/account/orders/{number}/invoice").get_data(as_text=True))
    assert "Thuế GTGT 10% 11.364 VND" in invoice and "113.636 VND" in invoice
    order = text(client.get(f"/account/orders/{number}").get_data(as_text=True))
    assert "Thuế GTGT 10% 11.364 VND" in order


def test_a_persian_buyer_sees_the_tax_named_in_persian_in_whole_rials(client, auth, buyers):
    sara = buyers["fa"]
    auth.signin(sara["email"])
    review = text(client.get(f"/account/configurations/{sara['configuration']}/checkout")
                  .get_data(as_text=True))
    gross = sara["total"]
    net = (gross / 11 * 10).quantize(1, rounding="ROUND_HALF_UP")
    assert "مالیات بر ارزش افزوده ۱۰٪ (ایران)" in review
    number = place(client, auth, sara, {"name": "سارا احمدی", "street": "خیابان ولیعصر ۱۲",
                                        "postcode": "1415893697", "city": "تهران", "country": "ir"})
    invoice = text(client.get(f"/account/orders/{number}/invoice").get_data(as_text=True))
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    vat = f"{gross - net:,}".replace(",", "٬").translate(persian)
    assert f"مالیات بر ارزش افزوده ۱۰٪ {vat} IRR" in invoice
    assert "VAT" not in invoice.replace("VAT ID", "")


def test_a_german_delivery_keeps_its_19_percent(client, auth, anna):
    auth.signin()
    page = text(client.get(f"/account/configurations/{anna['configuration']}/checkout")
                .get_data(as_text=True))
    assert "VAT 19% (Germany)" in page and "Germany: net " in page
    assert "Vietnam: net " in page and "Iran: net " in page  # the table of other countries
