"""Schema changes that Alembic cannot express the same way on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def replace_check_constraint(table: str, name: str, old: str, new: str) -> None:
    """Replace the CHECK constraint `name` of `table` (SQL text `old`) with `new`.

    PostgreSQL alters the constraint. SQLite changes a CHECK only by rebuilding
    the table, and dropping a table that others refer to inside the migration's
    transaction (foreign keys on) would cascade into every customer's history;
    so it uses SQLite's documented shortcut for changing CHECK constraints:
    rewrite the stored CREATE TABLE text and bump the schema version.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, new)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
                "WHERE type = 'table' AND name = :table"),
        {"old": old, "new": new, "table": table},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
