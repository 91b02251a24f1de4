"""Offer pages: the customer's offer in the shop, opening it, the reward at
checkout and on the order, "no more offers"; staff create a campaign and read
its report."""

from __future__ import annotations

import re

import sqlalchemy as sa

from configurator.services.offers import campaigns, holdout
from configurator.store.models import User
from configurator.store.offers import OfferEvent
from configurator.web.database import db
from tests.helpers import gen_order
from tests.services.quote_factories import gen_staff

NEW_ADDRESS = {"address": "new", "name": "Anna", "street": "Hauptstr. 1", "postcode": "10115",
               "city": "Berlin", "country": "de"}


def campaign_showing_anna(app, anna) -> int:
    """A 10 % campaign whose hash puts Anna (two orders) in the offer group."""
    with app.app_context():
        session = db.session
        gen_order(session, session.get(User, anna["id"]))
        staff = gen_staff(session, "staff", "sales@shop.example")
        code = next(f"spring-{n}" for n in range(100)
                    if holdout.group(f"spring-{n}", anna["id"], campaigns.Decimal("0.2")) == "offer")
        campaign = campaigns.create(session, staff, campaigns.CampaignInput(
            code=code, name="Spring offer", reward_kind="discount", percent="10"))
        return campaign.id


def kinds(app, anna) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OfferEvent.kind).where(
            OfferEvent.customer_id == anna["id"]).order_by(OfferEvent.id)))


def test_the_offer_is_shown_opened_and_accepted_with_the_discount(client, auth, anna, app):
    campaign_id = campaign_showing_anna(app, anna)
    auth.signin()
    page = client.get("/shop/").get_data(as_text=True)
    assert "An offer for you: Spring offer" in page and "10 % off your next order" in page
    assert re.search(r">Aluminium</a>.*You order it again and again", page, re.S)
    assert re.search(r">Carbon</a>.*A step up from what you usually choose", page, re.S)

    opened = client.get(f"/shop/offers/{campaign_id}/open/2")  # Carbon, the step up
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/shop/test-bike")
    assert kinds(app, anna) == ["shown", "clicked"]

    url = f"/account/configurations/{anna['configuration']}/checkout"
    review = client.get(url).get_data(as_text=True)
    assert re.search(r'id="offer-line".*Spring offer: 10 % off.*-18[.,]50', review, re.S)
    placed = client.post(url, data=dict(NEW_ADDRESS, revision="1", terms="y"))
    order_page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "Spring offer: 10 % off" in order_page and "166.50" in order_page
    assert kinds(app, anna) == ["shown", "clicked", "accepted"]
    timeline = client.get("/account/timeline").get_data(as_text=True)
    assert "Accepted the offer: Spring offer: 10 % off" in timeline


def test_no_more_offers_stops_them(client, auth, anna, app):
    campaign_id = campaign_showing_anna(app, anna)
    auth.signin()
    assert "An offer for you" in client.get("/shop/").get_data(as_text=True)
    response = client.post(f"/shop/offers/{campaign_id}/unsubscribe")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You will get no more offers" in page and "An offer for you" not in page
    assert kinds(app, anna) == ["shown", "unsubscribed"]


def test_a_customer_never_opens_an_offer_not_shown_to_them(client, auth, anna, mallory, app):
    campaign_id = campaign_showing_anna(app, anna)
    auth.signin("mallory@example.com")
    assert "An offer for you" not in client.get("/shop/").get_data(as_text=True)  # no orders
    assert client.get(f"/shop/offers/{campaign_id}/open/0").status_code == 404
    assert client.post(f"/shop/offers/{campaign_id}/unsubscribe").status_code == 404
    assert client.get("/staff/insights/offers").status_code == 404


def test_staff_create_a_campaign_and_read_its_report(client, auth, anna, app):
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
    auth.signin("sales@shop.example")
    refused = client.post("/staff/insights/offers", data={
        "code": "bell", "name": "Bell", "reward_kind": "free_addon", "addon": "test-bike:extras:nope",
        "holdout_percent": "20", "days": "30"})
    assert refused.status_code == 400
    assert "test-bike has no priced option extras:nope" in refused.get_data(as_text=True)
    created = client.post("/staff/insights/offers", data={
        "code": "bell", "name": "Bell offer", "reward_kind": "free_addon",
        "addon": "test-bike:extras:bell", "holdout_percent": "20", "days": "30"})
    assert created.status_code == 303
    report = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Bell offer" in report and "Bell free" in report and "No uplift yet" in report
    listing = client.get("/staff/insights/offers").get_data(as_text=True)
    assert 'id="campaigns"' in listing and "Bell free" in listing


def test_the_report_page_has_a_section_per_currency(client, auth, app):
    """A buyer in EUR and one in VND, both of the offer group: each currency its own
    revenue, written with its own digits, never one total of both."""
    from datetime import timedelta
    from decimal import Decimal

    from configurator.services import catalogs
    from configurator.store.models import Order

    with app.app_context():
        session = db.session
        staff = gen_staff(session, "staff", "sales@shop.example")
        campaign = campaigns.create(session, staff, campaigns.CampaignInput(
            code="spring", name="Spring offer", reward_kind="discount", percent="10"))
        campaign.starts_at -= timedelta(days=1)  # reached and bought yesterday
        version = catalogs.current(session, "test-bike")
        for n, (currency, total) in enumerate((("EUR", "120.00"), ("VND", "2500000"))):
            customer = User(email=f"buyer{n}@example.com", name=f"Buyer {n}", password_hash="-")
            session.add(customer)
            session.flush()
            session.add(OfferEvent(campaign_id=campaign.id, customer_id=customer.id, group="offer",
                                   kind="shown", detail={"items": []}, at=campaign.starts_at))
            session.add(Order(number=f"X{n}", owner_id=customer.id, catalog_version_id=version.id,
                              snapshot={}, total=Decimal(total), currency=currency,
                              created_at=campaign.starts_at + timedelta(minutes=5)))
        session.commit()
        campaign_id = campaign.id
    auth.signin("sales@shop.example")
    page = client.get(f"/staff/insights/offers/{campaign_id}").get_data(as_text=True)
    eur, vnd = (page[page.index(f'id="revenue-{currency}"'):].split("</section>")[0]
                for currency in ("EUR", "VND"))
    assert "Revenue in EUR" in eur and "120.00 EUR" in eur and "VND" not in eur
    assert "Revenue in VND" in vnd and "2,500,000 VND" in vnd and "EUR" not in vnd
    assert "Conversion is pooled over every currency" in page
    groups = page[page.index('id="groups"'):].split("</table>")[0]
    assert "<td>100.00 %</td>" in groups  # both bought (a share in percent, not x 100 again)


def test_the_holdout_share_and_the_report_figures_are_written_in_the_page_language(
        client, auth, app):
    """A 30 % holdout read "3E+1 %" (Decimal.normalize) on the list and the report, and
    the report's counts and shares stayed in Latin digits on the Persian page."""
    with app.app_context():
        staff = gen_staff(db.session, "staff", "sales@shop.example")
        campaign = campaigns.create(db.session, staff, campaigns.CampaignInput(
            code="autumn", name="Autumn offer", reward_kind="discount", percent="10",
            holdout_percent="30"))
        campaign_id = campaign.id
    auth.signin("sales@shop.example")
    listing = client.get("/staff/insights/offers").get_data(as_text=True)
    report = client.get(f"/staff/insights/offers/{campaign_id}").get_data(as_text=True)
    assert "3E+1" not in listing + report
    assert "<td>30 %</td>" in listing and "holdout 30 %" in report
    persian = client.get(f"/staff/insights/offers/{campaign_id}",
                         headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "گروه کنترل ۳۰٪" in persian
    events = persian[persian.index('id="events"'):].split("</table>")[0]
    assert "<td>۰</td>" in events and "<td>0</td>" not in events


def test_the_offers_items_are_named_in_the_page_language(client, auth, anna, app):
    """A Vietnamese page showed the offered options by their English names."""
    from configurator.services import catalogs
    from tests.conftest import DATA

    campaign_showing_anna(app, anna)
    with app.app_context():
        catalogs.load_text(db.session, (DATA / "bike.yaml").read_text() + (
            "translations:\n  vi:\n    name: Xe đạp thử\n    features:\n"
            "      frame: {options: {alu: Nhôm, carbon: Các-bon}}\n"), "bike-vi.yaml")
        db.session.commit()
    auth.signin()
    page = client.get("/shop/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    offer = page[page.index('id="offer"'):].split("</section>")[0]
    assert ">Nhôm</a>" in offer and ">Các-bon</a>" in offer and "Xe đạp thử" in offer
    assert "Aluminium" not in offer and ">Carbon</a>" not in offer
    persian = client.get("/shop/", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "۱۰٪" in persian[persian.index('id="offer"'):]  # was "10٪", Latin digits
