"""Persistence: SQLAlchemy models, sessions and Alembic migrations."""

from configurator.store.database import Database, db, make_engine, session_factory
from configurator.store.models import (
    Base,
    CatalogVersion,
    Configuration,
    ImmutableRecordError,
    Interaction,
    Order,
    Revision,
    User,
)

__all__ = [
    "Base",
    "CatalogVersion",
    "Configuration",
    "Database",
    "ImmutableRecordError",
    "Interaction",
    "Order",
    "Revision",
    "User",
    "db",
    "make_engine",
    "session_factory",
]
