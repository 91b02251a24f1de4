"""`configurator seed` and friends: demo data, idempotent, through the real CLI."""

import shutil

import sqlalchemy as sa

from configurator.cli import main
from configurator.services.demo.seed import seed
from configurator.store import Configuration, Order, User
from tests.conftest import DATA


def _seed_dirs(tmp_path):
    catalog_dir = tmp_path / "catalog"
    catalog_dir.mkdir()
    shutil.copy(DATA / "bike.yaml", catalog_dir)
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    (seed_dir / "customers.yaml").write_text(
        "- {email: a@example.com, name: A, password: demo-a, segment: business, country: de, configurations: 6}\n"
    )
    (seed_dir / "staff.yaml").write_text("- {email: s@example.com, name: S, password: demo-s}\n")
    return catalog_dir, seed_dir


def test_seed_makes_two_years_of_history_once(session, tmp_path):
    catalog_dir, seed_dir = _seed_dirs(tmp_path)
    first = seed(session, catalog_dir, seed_dir)
    assert first.configurations >= 5 and first.orders >= 1
    assert sorted(first.created_users) == ["a@example.com", "s@example.com"]
    counts = [session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, Configuration, Order)]
    oldest = session.scalar(sa.select(sa.func.min(Configuration.created_at)))
    second = seed(session, catalog_dir, seed_dir)
    assert second.created_users == [] and second.configurations == 0
    assert counts == [session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, Configuration, Order)]
    assert (first.logins[0][1], first.logins[1][1]) == ("s@example.com", "a@example.com")
    assert oldest is not None


def test_cli_db_upgrade_catalog_load_and_seed(tmp_path, monkeypatch, capsys):
    catalog_dir, seed_dir = _seed_dirs(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["catalog", "load", str(DATA / "bike.yaml"), str(DATA / "bike-v2.yaml")]) == 0
    out = capsys.readouterr().out
    assert "test-bike: version #1" in out and "test-bike: version #2" in out
    assert main(["catalog", "load", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["seed", "--catalogs", str(catalog_dir), "--seed-dir", str(seed_dir)]) == 0
    out = capsys.readouterr().out
    assert "Demo logins:" in out and "a@example.com" in out and "demo-a" in out


def test_a_seeded_customer_signed_up_before_their_seeded_history(session, tmp_path):
    from configurator.store import Interaction

    seed(session, *_seed_dirs(tmp_path))
    events = session.execute(
        sa.select(Interaction.kind, Interaction.created_at).order_by(Interaction.created_at)
    ).all()
    assert events[0].kind == "signed_up" and len(events) > 1


def test_seeded_customers_have_confirmed_addresses(session, tmp_path):
    """The demo's customers have bought for years: their privacy page asked them to
    confirm their address, and a guest order with it was claimed by signing in."""
    seed(session, *_seed_dirs(tmp_path))
    customer = session.scalar(sa.select(User).where(User.email == "a@example.com"))
    assert customer.email_verified_at is not None
