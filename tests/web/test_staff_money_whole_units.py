"""Staff pages show amounts in VND and IRR in whole units, as the shop and the
quote do: the demo's Vietnamese and Iranian accounts (shipped seed, shipped
demo lines) on the quote list, the account pages and the dashboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from configurator.services import catalogs, demo
from configurator.store.quotes import BusinessAccount
from configurator.web.database import db
from tests.services.quote_factories import gen_staff

REPO = Path(__file__).resolve().parents[2]
# An amount followed by its code: "1,452,000 VND"; a minor part would read "1,452,000.00 VND".
AMOUNT = re.compile(r"([\d,.]+) (VND|IRR)")


@pytest.fixture
def accounts(app):
    """The shipped VND and IRR business accounts, with their quotes, made by seeding."""
    with app.app_context():
        for line in ("phin-coffee", "kashan-carpet"):
            catalogs.load_file(db.session, REPO / "catalog" / f"{line}.yaml")
        gen_staff(db.session, "staff", "sales@shop.example")
        db.session.commit()
        data = yaml.safe_load((REPO / "seed" / "business.yaml").read_text(encoding="utf-8"))
        data["accounts"] = [a for a in data["accounts"] if a.get("currency", "EUR") != "EUR"]
        demo.business.seed_demo(db.session, data)
        return dict(db.session.execute(sa.select(BusinessAccount.currency, BusinessAccount.id)).all())


def amounts(html: str) -> list[tuple[str, str]]:
    return AMOUNT.findall(html)


def test_vnd_and_irr_amounts_on_staff_pages_have_no_minor_unit(client, auth, accounts):
    auth.signin("sales@shop.example", "password123")
    pages = {"/staff/quotes": {"VND", "IRR"}, "/staff/insights/": {"VND", "IRR"},
             f"/staff/accounts/{accounts['VND']}": {"VND"},
             f"/staff/accounts/{accounts['IRR']}": {"IRR"}}
    for url, currencies in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found = amounts(response.get_data(as_text=True))
        assert {code for _, code in found} == currencies, (url, found)
        # English pages group thousands with commas; a minor part would follow a point.
        assert all("." not in number for number, _ in found), (url, found)
