"""Catalog workbench: the catalog_manager role, drafts, the release log, and
withdrawn versions (a rollback makes the version before current again).

Revision ID: 0009_workbench
Revises: 0008_privacy
"""

import sqlalchemy as sa
from alembic import op

from configurator.store.schema_changes import replace_check_constraint
from configurator.store.types import UTCDateTime

OLD_ROLES = "role IN ('customer', 'staff', 'manager', 'admin')"
NEW_ROLES = "role IN ('customer', 'staff', 'manager', 'admin', 'catalog_manager')"

revision = "0009_workbench"
down_revision = "0008_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    replace_check_constraint("users", op.f("ck_users_role"), OLD_ROLES, NEW_ROLES)
    op.add_column("catalog_versions", sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
    op.create_table(
        "catalog_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_version_id"], ["catalog_versions.id"],
            name=op.f("fk_catalog_drafts_base_version_id_catalog_versions"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"],
            name=op.f("fk_catalog_drafts_updated_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_drafts")),
        sa.UniqueConstraint("catalog_id", name=op.f("uq_catalog_drafts_catalog_id")),
    )
    op.create_table(
        "catalog_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.CheckConstraint("kind IN ('release', 'rollback')", name=op.f("ck_catalog_releases_kind")),
        sa.CheckConstraint(
            "status IN ('scheduled', 'done', 'failed', 'cancelled')",
            name=op.f("ck_catalog_releases_status"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["catalog_versions.id"],
            name=op.f("fk_catalog_releases_version_id_catalog_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"],
            name=op.f("fk_catalog_releases_actor_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_releases")),
    )
    with op.batch_alter_table("catalog_releases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_releases_catalog_id"), ["catalog_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_releases_catalog_id"))
    op.drop_table("catalog_releases")
    op.drop_table("catalog_drafts")
    op.drop_column("catalog_versions", "withdrawn_at")
    op.execute("UPDATE users SET role = 'staff' WHERE role = 'catalog_manager'")
    replace_check_constraint("users", op.f("ck_users_role"), NEW_ROLES, OLD_ROLES)
