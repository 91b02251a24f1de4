"""History pages: indexes that end with the id, for keyset paging.

"My configurations", "My orders" and the timeline are paged by (time, id),
newest first. With the id as the last index column, a page is one index range
scan in order (`owner = ? AND (time, id) < (?, ?)`), with no sort, however deep
the page. The old (owner, time) indexes are replaced: the new ones serve every
query the old ones did.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, old index, new index, columns of the new index)
INDEXES = [
    (
        "configurations",
        "ix_configurations_owner_updated",
        "ix_configurations_owner_updated_id",
        ["owner_id", "updated_at", "id"],
    ),
    (
        "orders",
        "ix_orders_owner_created",
        "ix_orders_owner_created_id",
        ["owner_id", "created_at", "id"],
    ),
    (
        "interactions",
        "ix_interactions_customer_created",
        "ix_interactions_customer_created_id",
        ["customer_id", "created_at", "id"],
    ),
]


def upgrade() -> None:
    for table, old, new, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)


def downgrade() -> None:
    for table, old, new, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(old, columns[:2], unique=False)
            batch_op.drop_index(new)
