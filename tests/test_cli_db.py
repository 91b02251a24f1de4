"""`configurator db upgrade` says in one line what it did to the database."""

from __future__ import annotations

from configurator.cli import main
from configurator.store.migrate import downgrade, expected_head


def upgrade_output(capsys, monkeypatch, url: str) -> tuple[int, str]:
    """Run `configurator db upgrade` on `url` in-process; returns (exit status, stdout)."""
    monkeypatch.setenv("DATABASE_URL", url)
    status = main(["db", "upgrade"])
    return status, capsys.readouterr().out


def test_upgrade_of_a_new_database_says_it_created_it(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh' / 'shop.db'}"
    status, out = upgrade_output(capsys, monkeypatch, url)
    assert status == 0
    assert out.splitlines() == [f"database created at {expected_head()} ({url})"]


def test_upgrade_of_an_older_database_names_both_migrations(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade_output(capsys, monkeypatch, url)
    downgrade(url, "0025_claim_links")
    status, out = upgrade_output(capsys, monkeypatch, url)
    assert status == 0
    assert out.splitlines() == [
        f"database upgraded from 0025_claim_links to {expected_head()} ({url})"
    ]


def test_upgrade_of_a_current_database_changes_nothing_and_says_so(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    upgrade_output(capsys, monkeypatch, url)
    status, out = upgrade_output(capsys, monkeypatch, url)
    assert status == 0
    assert out.splitlines() == [f"database is already up to date at {expected_head()} ({url})"]
