"""The demo people who buy in VND and IRR, seeded from the shipped seed files with
the shipped demo lines and read back through a second session: each customer's
language and history in one currency, in whole units; each business account's
price list, contact language and quotes in its own currency."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
import yaml

from configurator.services import demo
from configurator.services.quotes import records
from configurator.store import Order, User
from configurator.store.quotes import BusinessAccount, QuoteRecord

REPO = Path(__file__).resolve().parents[2]
LINES = ("phin-coffee.yaml", "kashan-carpet.yaml", "coffee-subscription.yaml")


def shipped_seed_without_eur_accounts(tmp_path: Path) -> tuple[Path, Path]:
    """The shipped demo lines (one EUR line among them) and the shipped seed files,
    cut down to the VND and IRR people, one EUR customer and one sales person."""
    catalog_dir, seed_dir = tmp_path / "catalog", tmp_path / "seed"
    catalog_dir.mkdir()
    seed_dir.mkdir()
    for name in LINES:
        shutil.copy(REPO / "catalog" / name, catalog_dir)
    people = yaml.safe_load((REPO / "seed" / "customers.yaml").read_text(encoding="utf-8"))
    kept = [p for p in people if p.get("currency") or p["email"] == "tom@example.com"]
    (seed_dir / "customers.yaml").write_text(yaml.safe_dump(kept, allow_unicode=True), encoding="utf-8")
    business = yaml.safe_load((REPO / "seed" / "business.yaml").read_text(encoding="utf-8"))
    business["accounts"] = [a for a in business["accounts"] if a.get("currency", "EUR") != "EUR"]
    (seed_dir / "business.yaml").write_text(yaml.safe_dump(business, allow_unicode=True), encoding="utf-8")
    (seed_dir / "staff.yaml").write_text(
        "- {email: sales@shop.example, name: Sam Sales, password: demo-sales, role: staff}\n"
    )
    return catalog_dir, seed_dir


def orders_of(other, email: str) -> list[Order]:
    owner = other.scalar(sa.select(User).where(User.email == email))
    return list(other.scalars(sa.select(Order).where(Order.owner_id == owner.id)))


def test_demo_customers_in_vnd_and_irr_speak_their_language_and_pay_in_one_currency(
    session, second_session, tmp_path
):
    demo.seed.seed(session, *shipped_seed_without_eur_accounts(tmp_path))
    with second_session() as other:
        locales = dict(other.execute(sa.select(User.email, User.locale)).all())
        assert locales["lan.nguyen@example.com"] == "vi"
        assert locales["sara.ahmadi@example.com"] == "fa"
        for email, currency, line in (("lan.nguyen@example.com", "VND", "phin-coffee"),
                                      ("sara.ahmadi@example.com", "IRR", "kashan-carpet")):
            placed = orders_of(other, email)
            assert placed, f"{email} has no seeded order"
            assert {o.currency for o in placed} == {currency}
            assert {o.catalog_version.catalog_id for o in placed} == {line}
            assert all(o.total > 0 and o.total == o.total.to_integral_value() for o in placed)
        # A customer without `currency` buys in EUR, as before VND and IRR lines existed.
        assert {o.currency for o in orders_of(other, "tom@example.com")} == {"EUR"}


def test_demo_business_accounts_quote_in_vnd_and_irr_to_contacts_in_their_language(
    session, second_session, tmp_path
):
    demo.seed.seed(session, *shipped_seed_without_eur_accounts(tmp_path))
    with second_session() as other:
        accounts = other.scalars(sa.select(BusinessAccount).order_by(BusinessAccount.currency)).all()
        assert [(a.country, a.currency) for a in accounts] == [("IR", "IRR"), ("VN", "VND")]
        for account in accounts:
            assert [link.user.locale for link in account.contacts] == [
                "fa" if account.currency == "IRR" else "vi"
            ]
            quotes = other.scalars(sa.select(QuoteRecord).where(QuoteRecord.account_id == account.id)).all()
            assert sorted(q.status for q in quotes) == ["draft", "sent"]
            for record in quotes:
                totals = records.to_domain(other, record).price().totals
                assert totals.currency == account.currency
                assert totals.gross_total > 0
                assert totals.gross_total == totals.gross_total.to_integral_value()
