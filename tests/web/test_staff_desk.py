"""The quote editor's answers to the sales desk's defects (issue 15): bounds give a
clear 400, a zero amount does not block a percentage, a line's source must be the
client's, a revision leaves the sent quote open, expiry shows without the daily job."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import business, catalogs, orders, quotes
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.quotes import BusinessAccount, QuoteRecord
from configurator.store.types import utcnow
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import gen_configuration, gen_user
from tests.services.quote_factories import BIKE, CARBON
from tests.web.test_staff import sign_in


@pytest.mark.parametrize("data, message", [
    ({"quantity": "1000000000"}, "at most 100,000"),
    ({"quantity": "99999999999999999999"}, "at most 100,000"),
    ({"quantity": "2", "discount_amount": "1e30"}, "at most"),
    ({"quantity": "2", "discount_percent": "1e30"}, "not between 0% and 100%"),
    ({"quantity": "2", "discount_amount": "NaN"}, "not a number"),
])
def test_out_of_bounds_input_is_a_clear_400(client, auth, world, data, message):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['draft']}/lines/L1", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_zero_amount_left_in_the_form_does_not_block_a_percentage(app, client, auth, world):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['draft']}/discount",
                           data={"discount_percent": "5", "discount_amount": "0.00"})
    assert response.status_code == 303
    response = client.post(f"/staff/quotes/{world['draft']}/lines/L1",
                           data={"quantity": "3", "discount_percent": "2",
                                 "discount_amount": "0"})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(QuoteRecord, world["draft"])
        assert stored.discount == {"percent": "5", "reason": ""}
        assert stored.lines[0].discount == {"percent": "2", "reason": ""}


def picks(selection):
    return {f"f.{k}": v for k, v in selection.items()}


@pytest.mark.parametrize("source", ["987654", "99999999999999999999", "theirs"])
def test_a_line_from_an_unknown_or_another_customers_configuration_is_refused(
        app, client, auth, world, source):
    with app.app_context():
        stranger = gen_user(db.session, "stranger@example.com")
        theirs = gen_configuration(db.session, stranger, BIKE).id
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}/configure/test-bike/add"
    data = dict(picks(BIKE), quantity="1", source=str(theirs) if source == "theirs" else source)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "not one of this client" in response.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.get(QuoteRecord, world["draft"]).lines) == 1


def test_the_sent_quote_page_points_to_the_revision_being_prepared(client, auth, world):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['sent']}/revise")
    assert response.status_code == 303
    page = client.get(f"/staff/quotes/{world['sent']}").get_data(as_text=True)
    assert "the client can still accept this one" in page
    assert 'class="badge status-sent"' in page
    sign_in(auth, "buyer@acme.example")
    client_page = client.get(f"/account/quotes/{world['sent']}").get_data(as_text=True)
    assert "Accept" in client_page


def test_a_quote_past_its_validity_shows_expired_before_the_daily_job(app, client, auth, world):
    with app.app_context():
        record = db.session.get(QuoteRecord, world["sent"])
        record.valid_until = utcnow() - timedelta(hours=1)
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/quotes/{world['sent']}").get_data(as_text=True)
    assert 'class="badge status-expired"' in page
    listing = client.get("/staff/quotes?status=expired").get_data(as_text=True)
    assert record.number in listing
    expiring = client.get("/staff/quotes").get_data(as_text=True).split('id="expiring"')[1]
    assert record.number in expiring.split("</table>")[0]


def test_validity_in_the_past_is_refused(client, auth, world):
    sign_in(auth, "staff@shop.example")
    yesterday = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d")
    response = client.post(f"/staff/quotes/{world['draft']}/valid-until",
                           data={"valid_until": yesterday})
    assert response.status_code == 400
    assert "already past" in response.get_data(as_text=True)



def test_a_retired_option_is_named_with_a_one_click_reconfigure(app, client, auth, world):
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        quotes.lines.add_line(db.session, sales, world["draft"], "test-bike",
                              dict(BIKE, frame="steel"), 1)
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    page = client.get(url).get_data(as_text=True)
    assert "Steel (frame): no longer offered" in page
    assert f'href="{url}/lines/L2/reconfigure"' in page
    refused = client.post(f"{url}/send")
    assert refused.status_code == 400
    assert "Line L2" in refused.get_data(as_text=True)
    form = client.get(f"{url}/lines/L2/reconfigure").get_data(as_text=True)
    assert "Replace line L2" in form
    saved = client.post(f"{url}/lines/L2/reconfigure/save",
                        data=dict(picks(BIKE), quantity="2"))
    assert saved.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert 'id="misfits"' not in page
    assert client.post(f"{url}/send").status_code == 303


def test_ordered_as_links_to_the_order_with_its_configured_lines(app, client, auth, world):
    with app.app_context():
        contact = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
        quotes.answers.accept(db.session, contact, world["sent"])
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    client.post(f"/staff/quotes/{world['sent']}/order")
    page = client.get(f"/staff/quotes/{world['sent']}").get_data(as_text=True)
    link = f'href="/staff/quotes/{world["sent"]}/order"'
    assert link in page
    order_page = client.get(f"/staff/quotes/{world['sent']}/order").get_data(as_text=True)
    assert "Carbon" in order_page.split('id="configured-lines"')[1]


def test_stale_prices_show_a_preview_and_a_line_can_keep_its_price(app, client, auth, world):
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    assert 'id="stale-prices"' not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/lines/L1/lock", data={"locked": "1"}).status_code == 303
    with app.app_context():
        account = db.session.get(QuoteRecord, world["draft"]).account
        business.terms.set_percent_off(db.session, account, "test-bike", Decimal("20"))
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'id="locked-L1"' in page
    preview = page.split('id="reprice-preview"')[1].split("</table>")[0]
    # 12 x 185 = 2,220.00; at 20 % off and 5 % from 10 units it would be 1,687.20
    assert "price kept (would be 1,687.20)" in preview
    assert client.post(f"{url}/lines/L1/lock", data={"locked": "0"}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "−210.90" in page.split('id="reprice-preview"')[1].split("</table>")[0]
    assert client.post(f"{url}/reprice").status_code == 303
    assert 'id="stale-prices"' not in client.get(url).get_data(as_text=True)


def offered(app, world):
    """The sent quote gets an optional line L2 and an alternative L3 to L1 (a revision)."""
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        record = quotes.drafts.create(db.session, sales, world["acme"])
        kind = quotes.lines.line_kind
        for selection in (BIKE, CARBON, CARBON):
            quotes.lines.add_line(db.session, sales, record.id, "test-bike", selection, 1)
        quotes.lines.change_line(db.session, sales, record.id, "L2", quantity=1, discount=None,
                                 kind=kind("optional"))
        quotes.lines.change_line(db.session, sales, record.id, "L3", quantity=1, discount=None,
                                 kind=kind("alternative"), alternative_to="L1")
        quotes.sending.send(db.session, sales, record.id)
        db.session.commit()
        return record.id


def test_the_client_ticks_an_optional_line_and_an_alternative_and_signs(app, client, auth, world):
    quote_id = offered(app, world)
    sign_in(auth, "buyer@acme.example")
    url = f"/account/quotes/{quote_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="signature" value=""' in page
    assert 'name="choose" value="L2"' in page and 'name="alternative-L1" value="L3"' in page
    unsigned = client.post(f"{url}/accept", data={"choose": "L2"})
    assert unsigned.status_code == 400 and "Type your name" in unsigned.get_data(as_text=True)
    done = client.post(f"{url}/accept", data={"choose": "L2", "alternative-L1": "L3",
                                               "signature": "Eva Fischer"},
                       headers={"User-Agent": "TestBrowser/1.0"})
    assert done.status_code == 303
    with app.app_context():
        record = db.session.get(QuoteRecord, quote_id)
        assert [line["line_id"] for line in record.frozen["accepted"]["lines"]] == ["L2", "L3"]
    assert "with the lines you chose (L2, L3)" in client.get(url).get_data(as_text=True)


def test_lists_show_amount_owner_and_the_approvals_context(app, client, auth, world):
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    client.post(f"{url}/discount", data={"discount_percent": "15"})
    client.post(f"{url}/submit", data={"reason": "Framework agreement, 3 more sites"})
    listing = client.get("/staff/quotes").get_data(as_text=True).split('id="results"')[1]
    # 1,898.10 less 15 % (284.715, rounded to 284.72) = 1,613.38 net, + 19 % = 1,919.92 gross
    assert "1,919.92 EUR" in listing and "Staff Person" in listing
    sign_in(auth, "manager@shop.example")
    page = client.get("/staff/approvals").get_data(as_text=True)
    row = page.split('id="approvals"')[1].split("</table>")[0]
    for text in ("15.00 %", "1,613.38 EUR", "Staff Person", "Framework agreement, 3 more sites"):
        assert text in row, text


def test_optional_lines_are_summed_without_the_alternatives(app, client, auth, world):
    quote_id = offered(app, world)
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    note = page.split('id="not-in-totals"')[1].split("</p>")[0]
    assert "Optional lines (742.50 EUR net together)" in note  # L2 only, not L3 too
    assert "replaces the line it is an alternative to" in note


def test_the_account_page_links_an_order_to_its_page(app, client, auth, world):
    with app.app_context():
        contact = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
        quotes.answers.accept(db.session, contact, world["sent"])
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    client.post(f"/staff/quotes/{world['sent']}/order")
    page = client.get(f"/staff/accounts/{world['acme']}").get_data(as_text=True)
    assert f'href="/staff/quotes/{world["sent"]}/order"' in page


def test_the_account_page_links_each_configuration_and_shop_order(app, client, auth, world):
    """Item 11 of issue 15: the configuration rows were plain text."""
    with app.app_context():
        contact = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
        saved = gen_configuration(db.session, contact, BIKE, name="Fleet bike")
        placed = orders.place(db.session, contact, gen_configuration(db.session, contact, CARBON).id)
        db.session.commit()
        saved_id, number = saved.id, placed.number
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/accounts/{world['acme']}").get_data(as_text=True)
    assert f'<a href="/account/configurations/{saved_id}">Fleet bike</a>' in page
    assert f'<a href="/account/orders/{number}">{number}</a>' in page
    # Staff may open both (the owner's own pages, read by staff).
    assert "Fleet bike" in client.get(f"/account/configurations/{saved_id}").get_data(as_text=True)
    assert number in client.get(f"/account/orders/{number}").get_data(as_text=True)


def test_a_quote_is_copied_for_its_account_with_the_price_differences_told(app, client, auth,
                                                                          world):
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/quotes/{world['sent']}").get_data(as_text=True)
    assert f'href="/staff/quotes/{world["sent"]}/copy"' in page
    form = client.get(f"/staff/quotes/{world['sent']}/copy").get_data(as_text=True)
    assert f'<option value="{world["acme"]}" selected>' in form
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # carbon 640 -> 700
        db.session.commit()
    response = client.post(f"/staff/quotes/{world['sent']}/copy",
                           data={"account_id": str(world["acme"])})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Quote Q-" in page and "is a copy of" in page
    # 825.00 -> 885.00 at 10 % off: 742.50 -> 796.50.
    assert "742.50 → 796.50 (+54.00)" in page
    assert 'class="badge status-draft"' in page
    with app.app_context():
        copies = db.session.scalars(sa.select(QuoteRecord).order_by(QuoteRecord.id)).all()
        assert [c.status for c in copies][-1] == "draft" and len(copies) == 3


@pytest.mark.parametrize("account_id", ["abc", "99999999999999999999", "-1", "987654"])
def test_copying_for_an_account_that_is_not_one_is_a_clear_refusal(client, auth, world,
                                                                   account_id):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['sent']}/copy",
                           data={"account_id": account_id})
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_quote_saved_as_template_starts_a_new_quote_for_another_account(app, client, auth,
                                                                         world):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['draft']}/template",
                           data={"template_name": "Twelve bikes"})
    assert response.status_code == 303
    page = client.get("/staff/templates").get_data(as_text=True)
    assert "Twelve bikes" in page
    with app.app_context():
        [template] = quotes.templates.all_templates(
            db.session, db.session.scalar(sa.select(User).where(User.email == "staff@shop.example")))
        template_id = template.id
    refused = client.post(f"/staff/quotes/{world['draft']}/template",
                          data={"template_name": "Twelve bikes"})
    assert refused.status_code == 400 and "already a template" in refused.get_data(as_text=True)
    assert client.post(f"/staff/templates/{template_id}/quotes",
                       data={"account_id": "x"}).status_code == 400
    response = client.post(f"/staff/templates/{template_id}/quotes",
                           data={"account_id": str(world["other"])})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "started from the template" in page and "Other GmbH" in page
    assert 'class="badge status-draft"' in page


def test_customers_do_not_see_the_templates(client, auth, world):
    sign_in(auth, "buyer@acme.example")
    assert client.get("/staff/templates").status_code in (403, 404)


def test_staff_see_the_margin_and_the_client_does_not(app, client, auth, world):
    from tests.services.test_value import COSTED_BIKE

    with app.app_context():
        catalogs.load_text(db.session, COSTED_BIKE, "costed-bike.yaml")
        db.session.commit()
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        record = quotes.drafts.create(db.session, sales, world["acme"])
        quotes.lines.add_line(db.session, sales, record.id, "test-bike", BIKE, 2)
        quotes.sending.send(db.session, sales, record.id)
        quote_id = record.id
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    assert "Margin (staff only)" in page
    # 2 x 185.00 less 10 % = 333.00 net; cost 2 x 86.00 = 172.00.
    assert "161.00 (48.3 %)" in page.split('id="quote-margin-total"')[1]
    auth.signout()
    sign_in(auth, "buyer@acme.example")
    for url in (f"/account/quotes/{quote_id}", f"/account/quotes/{quote_id}/print"):
        client_page = client.get(url)
        assert client_page.status_code == 200
        assert "Margin" not in client_page.get_data(as_text=True)
        assert "172.00" not in client_page.get_data(as_text=True)


def test_the_quote_list_links_the_release_impact_on_open_quotes(app, client, auth, world):
    from configurator.services import workbench

    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        quotes.lines.add_line(db.session, sales, world["draft"], "test-bike",
                              dict(BIKE, frame="steel"), 1)
        manager = gen_user(db.session, "catalogs@shop.example", role="catalog_manager")
        workbench.drafts.save(db.session, "test-bike", (DATA / "bike-v2.yaml").read_text(),
                              manager)
        db.session.commit()
    sign_in(auth, "staff@shop.example")
    page = client.get("/staff/quotes").get_data(as_text=True)
    assert 'id="release-impact" href="/staff/catalogs"' in page
    assert client.get("/staff/catalogs").status_code == 200
    impact = client.get("/staff/catalogs/test-bike/release").get_data(as_text=True)
    # The draft retires steel: the open draft quote's steel line no longer fits.
    assert "<strong>1</strong> quote lines" in impact


def test_send_emails_the_contact_picked_on_the_page(app, client, auth, world):
    with app.app_context():
        finance = gen_user(db.session, "finance@acme.example", segment="business",
                           name="Frank Finance")
        acme = db.session.get(BusinessAccount, world["acme"])
        business.accounts.add_contact(db.session, acme, finance, "finance")
        stranger = db.session.scalar(sa.select(User.id).where(User.email == "buyer@other.example"))
        db.session.commit()
        finance_id = finance.id
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="to_contact"' in page and "finance@acme.example" in page
    refused = client.post(f"{url}/send", data={"to_contact": str(stranger)})
    assert refused.status_code == 400
    assert "not a contact of this account" in refused.get_data(as_text=True)
    assert client.post(f"{url}/send", data={"to_contact": str(finance_id)}).status_code == 303
    with app.app_context():
        number = db.session.get(QuoteRecord, world["draft"]).number
        sent_to = db.session.scalars(
            sa.select(Message.to_address).where(Message.kind == "quote_sent",
                                                Message.subject.contains(number)))
        assert list(sent_to) == ["finance@acme.example"]
