"""The quote PDF is made from the print page's HTML (WeasyPrint): the same
content and variants, in the reader's language, Persian shaped with Vazirmatn."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from configurator.web.pdf import BASE_URL, StaticFiles
from tests.web.test_staff import sign_in


def pdf_text(body: bytes) -> str:
    return " ".join("".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages).split())


def pdf_fonts(body: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def test_the_pdf_has_what_the_print_page_has(client, auth, world, app):
    sign_in(auth, "staff@shop.example")
    response = client.get(f"/staff/quotes/{world['sent']}/pdf")
    assert response.mimetype == "application/pdf"
    assert re.fullmatch(r'attachment; filename="Q-\d{4}-\d{5}\.pdf"',
                        response.headers["Content-Disposition"])
    text = pdf_text(response.data)
    page = client.get(f"/staff/quotes/{world['sent']}/print").get_data(as_text=True)
    number = re.search(r"<h1>Quote <bdi>([^<]+)</bdi></h1>", page).group(1)
    for expected in (f"Quote {number}", "Terms and conditions", "Net total", "Total", "825.00"):
        assert expected in text and expected in page, expected
    assert "Skip to content" not in text  # the print stylesheet hides the site's header


def test_the_pdf_variants_leave_out_line_prices_or_the_build_up(client, auth, world):
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    full = pdf_text(client.get(f"{url}/pdf").data)
    assert "Price list" in full and "Quantity break" in full and "1,898.10" in full
    net_only = pdf_text(client.get(f"{url}/pdf?discounts=0").data)
    assert "Price list" not in net_only and "1,898.10" in net_only
    totals_only = client.get(f"{url}/print?prices=0").get_data(as_text=True)
    assert 'class="net"' not in totals_only and 'id="gross-total"' in totals_only
    assert "Net total" in pdf_text(client.get(f"{url}/pdf?prices=0").data)


def test_a_persian_pdf_reads_back_in_logical_order_with_vazirmatn(client, auth, world):
    sign_in(auth, "staff@shop.example")
    client.get("/language/fa")
    body = client.get(f"/staff/quotes/{world['sent']}/pdf").data
    text = pdf_text(body)
    # Logical order: the words read as typed (a visual-order PDF would give them reversed).
    for words in ("پیش‌فاکتور", "شرایط و ضوابط", "جمع خالص"):
        assert words.replace("\u200c", "") in text.replace("\u200c", ""), words
    assert "۸۸۳٫۵۸" in text  # the gross total (742.50 net + 19 % VAT) in Persian digits
    assert "۱۰٪" in text  # the price list's percentage too
    assert "Vazirmatn" in pdf_fonts(body)
    pages = len(PdfReader(BytesIO(body)).pages)
    last = PdfReader(BytesIO(body)).pages[-1].extract_text()
    persian = str(pages).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"{persian} / {persian}" in last  # the page number in Persian digits
    assert not re.search(rf"\b{pages} / {pages}\b", last)


def test_other_pdfs_number_their_pages_in_latin_digits(client, auth, world):
    sign_in(auth, "staff@shop.example")
    client.get("/language/vi")
    body = client.get(f"/staff/quotes/{world['sent']}/pdf").data
    pages = len(PdfReader(BytesIO(body)).pages)
    assert f"{pages} / {pages}" in PdfReader(BytesIO(body)).pages[-1].extract_text()


def test_a_vietnamese_pdf(client, auth, world):
    sign_in(auth, "staff@shop.example")
    client.get("/language/vi")
    text = pdf_text(client.get(f"/staff/quotes/{world['sent']}/pdf").data)
    assert "Điều khoản và điều kiện" in text and "Tổng ròng" in text and "825,00" in text


def test_the_client_downloads_the_same_pdf(client, auth, world):
    sign_in(auth, "buyer@acme.example")
    text = pdf_text(client.get(f"/account/quotes/{world['sent']}/pdf").data)
    assert "Terms and conditions" in text


@pytest.mark.parametrize("url", [
    "https://example.com/static/print.css",
    f"{BASE_URL}elsewhere/secret.txt",
    f"{BASE_URL}static/../../config.py",
    "file:///etc/passwd",
])
def test_rendering_fetches_only_the_apps_static_files(app, url):
    fetcher = StaticFiles(app.static_folder)
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.fetch(f"{BASE_URL}static/fonts/Vazirmatn-Regular.ttf").read(4) == b"\x00\x01\x00\x00"


def test_a_vnd_quote_prints_and_pdfs_in_whole_dong(app, client, auth, world, tmp_path):
    from configurator.services import business, catalogs, quotes
    from configurator.web.database import db
    from tests.conftest import DATA
    from tests.services.quote_factories import BIKE

    text = (DATA / "bike.yaml").read_text().replace("catalog: test-bike", "catalog: dong-bike")
    text = re.sub(r"price: (\d+)\.00", lambda m: f"price: {int(m[1]) * 27000}",
                  text.replace("currency: EUR", "currency: VND"))
    (tmp_path / "dong-bike.yaml").write_text(text)
    with app.app_context():
        catalogs.load_file(db.session, tmp_path / "dong-bike.yaml")
        from configurator.store import User

        sales = db.session.query(User).filter_by(email="staff@shop.example").one()
        account = business.accounts.create_account(db.session, "Xe Đạp Hà Nội", "VN",
                                                   currency="VND")
        record = quotes.drafts.create(db.session, sales, account.id)
        record = quotes.lines.add_line(db.session, sales, record.id, "dong-bike", BIKE, 2)
        quote_id = record.id
    sign_in(auth, "staff@shop.example")
    client.get("/language/vi")
    text = pdf_text(client.get(f"/staff/quotes/{quote_id}/pdf").data)
    # (120+30+10+25) x 27,000 = 4,995,000 a bike, x 2 = 9,990,000; VAT 10 % = 999,000.
    assert "9.990.000" in text and "10.989.000" in text and "VND" in text
    assert "EUR" not in text and not re.search(r"10\.989\.000,\d", text)  # no minor unit
