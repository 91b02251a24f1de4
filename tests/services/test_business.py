"""Business accounts: contacts, price lists into pricing terms, history, demo seed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from configurator.quoting import TaxTreatment, tax_rule_for
from configurator.services import business, demo
from configurator.services.errors import NotFound
from configurator.store.quotes import CONTACT_ROLES, BusinessAccount, QuoteRecord
from tests.helpers import gen_configuration, gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_breaks, gen_staff

REPO = Path(__file__).resolve().parents[2]


def test_pricing_terms_read_the_price_list_breaks_and_tax(session, bike):
    account, _ = gen_account(session, "Nord AB", "SE", carbon_price="600.00")
    gen_breaks(session, (1, "0"), (10, "5"))
    account.tax_treatment = "reverse_charge"
    terms = business.terms.pricing_terms(session, account)
    assert terms.price_list.percent_off == {"test-bike": Decimal("10.00")}
    assert terms.price_list.option_prices == {("test-bike", "frame", "carbon"): Decimal("600.00")}
    assert [t.min_quantity for t in terms.break_for("test-bike").tiers] == [1, 10]
    assert (terms.tax.country, terms.tax.rate, terms.tax.treatment) == (
        "SE", Decimal(0), TaxTreatment.REVERSE_CHARGE)
    assert business.terms.terms_from_json(business.terms.describe_terms(terms)) == terms


def test_an_account_needs_a_country_with_a_tax_rate(session):
    with pytest.raises(business.accounts.InvalidAccountData, match="No tax rate"):
        business.accounts.create_account(session, "Nowhere Ltd", "ZZ")


def test_a_user_speaks_for_one_account_and_staff_for_none(session):
    first, contact = gen_account(session, "One GmbH", percent_off=None)
    second, _ = gen_account(session, "Two GmbH", percent_off=None)
    with pytest.raises(business.accounts.InvalidAccountData, match="another account"):
        business.accounts.add_contact(session, second, contact, "buyer")
    with pytest.raises(business.accounts.InvalidAccountData, match="Staff"):
        business.accounts.add_contact(session, first, gen_staff(session), "buyer")
    with pytest.raises(business.accounts.InvalidAccountData, match="decision_maker"):
        business.accounts.add_contact(session, first, gen_user(session), "boss")
    assert business.accounts.account_of(session, contact) == first


def test_history_is_for_staff_and_spans_the_contacts(session, bike):
    account, contact = gen_account(session)
    gen_configuration(session, contact, BIKE, name="Fleet bike")
    history = business.accounts.history(session, gen_staff(session), account.id)
    assert [c.name for c in history.configurations] == ["Fleet bike"]
    assert [i.kind for i in history.interactions] == ["saved", "signed_up"]
    with pytest.raises(NotFound):
        business.accounts.history(session, contact, account.id)


DEMO = """
quantity_breaks:
  test-bike: [[1, "0"], [10, "5"]]
accounts:
  - name: ACME GmbH
    country: DE
    price_list: {name: ACME 2026, percent_off: {test-bike: "8"}}
    contacts:
      - {email: purchasing@acme.example, role: buyer}
      - {email: eva@acme.example, name: Eva Fischer, password: demo-eva, role: decision_maker}
    quotes:
      - {status: sent, lines: [[test-bike, 12]]}
      - {status: draft, lines: [[test-bike, 1]]}
  - name: Hafen Cafe
    country: DE
    contacts: [{email: info@hafen.example, role: decision_maker}]
    quotes:
      - {status: accepted, lines: [[test-bike, 2]]}
      - {status: declined, lines: [[test-bike, 3]]}
"""


def test_demo_accounts_are_seeded_once(session, bike):
    for email in ("purchasing@acme.example", "info@hafen.example"):
        gen_user(session, email, segment="business")
    gen_staff(session, "staff", "sales@shop.example")
    data = yaml.safe_load(DEMO)
    logins = demo.business.seed_demo(session, data)
    assert logins == [("contact", "eva@acme.example", "demo-eva")]
    demo.business.seed_demo(session, data)
    names = session.scalars(sa.select(BusinessAccount.name).order_by(BusinessAccount.name)).all()
    assert names == ["ACME GmbH", "Hafen Cafe"]
    statuses = sorted(session.scalars(sa.select(QuoteRecord.status)).all())
    assert statuses == ["accepted", "declined", "draft", "sent"]


def test_the_shipped_demo_file_names_known_roles_and_catalogs():
    data = yaml.safe_load((REPO / "seed" / "business.yaml").read_text())
    currency_of = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["currency"]
                   for path in (REPO / "catalog").glob("*.yaml")}
    for spec in data["accounts"]:
        tax_rule_for(spec["country"])
        assert {c["role"] for c in spec["contacts"]} <= set(CONTACT_ROLES)
        quoted = {line[0] for q in spec.get("quotes", []) for line in q["lines"]}
        priced = set((spec.get("price_list") or {}).get("percent_off") or {})
        assert quoted <= set(currency_of)
        # A quote is in its account's currency: its lines and price list too, never converted.
        assert {currency_of[c] for c in quoted | priced} <= {spec.get("currency", "EUR")}


def test_quote_lines_see_the_accounts_tier_as_the_shop_does(session):
    """Contacts share the account's tier; the line configurator must offer its benefits."""
    from configurator.config import REPO_ROOT
    from configurator.engine import Catalog

    city_bike = Catalog.from_path(REPO_ROOT / "catalog" / "city-bike.yaml")
    account, contact = gen_account(session, percent_off=None)

    def white_glove_possible() -> bool:
        facts = business.accounts.customer_facts(account)
        return "white_glove" in city_bike.domains({}, customer=facts).domains["delivery"]

    assert "tier" not in business.accounts.customer_facts(account)
    assert not white_glove_possible()
    contact.tier = "gold"
    session.commit()
    assert business.accounts.customer_facts(account)["tier"] == "gold"
    assert white_glove_possible()
