"""The director role: approves quotes beyond a manager's limits, after the manager.

Revision ID: 0022_director
Revises: 0021_cart
"""

from alembic import op

from configurator.store.schema_changes import replace_check_constraint

OLD_ROLES = "role IN ('customer', 'staff', 'manager', 'admin', 'catalog_manager')"
NEW_ROLES = "role IN ('customer', 'staff', 'manager', 'admin', 'catalog_manager', 'director')"

revision = "0022_director"
down_revision = "0021_cart"
branch_labels = None
depends_on = None


def upgrade() -> None:
    replace_check_constraint("users", op.f("ck_users_role"), OLD_ROLES, NEW_ROLES)


def downgrade() -> None:
    op.execute("UPDATE users SET role = 'manager' WHERE role = 'director'")
    replace_check_constraint("users", op.f("ck_users_role"), NEW_ROLES, OLD_ROLES)
