"""Service bundles by tier and segment: the options a customer's tier or segment
opens up in the demo catalogs, each with the rule that says why (exact: from the
engine's domains and explanations), marked in the configurator and listed for staff."""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.engine import load_catalog
from configurator.services import insights
from configurator.services.customer_value import bundles
from configurator.services.privacy import consent
from tests.helpers import gen_user
from tests.services.quote_factories import gen_staff

CATALOGS = Path(__file__).parents[2] / "catalog"


@pytest.fixture(scope="module")
def bike():
    return load_catalog(CATALOGS / "city-bike.yaml")


def names(found):
    return {(b.feature, b.option) for b in found}


def test_gold_members_get_white_glove_and_platinum_care_explained(bike):
    found = bundles.benefits(bike, {"segment": "consumer", "business": "no", "country": "de", "tier": "gold"})
    assert names(found) == {("delivery", "white_glove"), ("warranty", "platinum_care")}
    glove = next(b for b in found if b.option == "white_glove")
    assert glove.because == ["White-glove delivery is a benefit for Gold and Platinum members."]
    assert bundles.benefits(bike, {"segment": "consumer", "business": "no", "country": "de"}) == []


def test_business_accounts_get_invoices_and_leasing_in_their_language(bike):
    facts = {"segment": "business", "business": "yes", "country": "de"}
    found = bundles.benefits(bike, facts)
    assert ("payment", "invoice_30") in names(found) and ("payment", "company_leasing") in names(found)
    assert ("payment", "instalments_12") not in names(found)  # a consumer's option, not a benefit
    persian = bundles.benefits(bike, facts, "fa")
    invoice = next(b for b in persian if b.option == "invoice_30")
    assert invoice.because == ["پرداخت با فاکتور برای حساب‌های تجاری است."]


def test_every_benefit_is_possible_for_the_customer_and_not_for_a_standard_one(bike):
    for facts in ({"segment": "business", "business": "yes", "country": "at", "tier": "platinum"},
                  {"segment": "consumer", "business": "no", "country": "fr", "tier": "silver"}):
        standard = bundles.standard_facts(facts)
        for benefit in bundles.benefits(bike, facts):
            assert bike.domains({benefit.feature: benefit.option}, customer=facts).consistent
            assert not bike.domains({benefit.feature: benefit.option}, customer=standard).consistent


def test_staff_see_a_customers_bundle_and_consents(session):
    from configurator.services import catalogs

    catalogs.load_file(session, CATALOGS / "city-bike.yaml")
    gold = gen_user(session, tier="gold")
    consent.change(session, gold, {"marketing": True, "personalization": False})
    seen = insights.customer_insight(session, gen_staff(session, "staff"), gold.id)
    assert names(seen.benefits) == {("delivery", "white_glove"), ("warranty", "platinum_care")}
    assert seen.consents == {"personalization": False, "service": True, "marketing": True}



def test_a_benefit_is_priced_in_its_catalogs_currency(bike):
    business = {"segment": "business", "business": "yes"}
    carpet = load_catalog(CATALOGS / "kashan-carpet.yaml")
    cheque = next(b for b in bundles.benefits(carpet, {**business, "country": "ir"}, "fa")
                  if b.option == "sayad_cheque_60")
    assert cheque.currency == "IRR"
    assert {b.currency for b in bundles.benefits(bike, {**business, "country": "de"})} == {"EUR"}
