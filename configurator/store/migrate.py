"""Apply the Alembic migrations that ship inside the package."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(
    url: str | None = None, connection: sa.Connection | None = None
) -> AlembicConfig:
    """An Alembic config pointing at our migrations, for a URL or an open connection."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class Upgrade(NamedTuple):
    """The migration a database was at before an upgrade and after it (None: no schema)."""

    before: str | None
    after: str | None


def upgrade(target: str | sa.Engine, revision: str = "heads") -> Upgrade:
    """Bring the database at `target` (URL or engine) up to `revision`; say from where to where."""
    if isinstance(target, sa.Engine):
        with target.begin() as connection:
            before = applied_revision(connection)
            command.upgrade(alembic_config(connection=connection), revision)
            return Upgrade(before, applied_revision(connection))
    if target.startswith("sqlite:///") and target != "sqlite:///:memory:":
        Path(target[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    # Alembic opens its own connection for a URL, so the revisions are read around it.
    engine = sa.create_engine(target)
    try:
        with engine.connect() as connection:
            before = applied_revision(connection)
        command.upgrade(alembic_config(url=target), revision)
        with engine.connect() as connection:
            return Upgrade(before, applied_revision(connection))
    finally:
        engine.dispose()


def applied_revision(connection: sa.Connection) -> str | None:
    """The migration(s) the database is at, comma-separated; None for a database without our schema."""
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(heads) if heads else None


def downgrade(target: str | sa.Engine, revision: str = "base") -> None:
    """Undo migrations down to `revision`."""
    if isinstance(target, sa.Engine):
        with target.begin() as connection:
            command.downgrade(alembic_config(connection=connection), revision)
        return
    command.downgrade(alembic_config(url=target), revision)


@functools.cache
def expected_head() -> str:
    """The newest migration this code ships (what a ready database is at)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
