"""create pida_withdrawal (tombstones of the withdrawals feed)

Revision ID: b3e7d41a0c25
Revises: 6a1f0c2d9b11
Create Date: 2026-02-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b3e7d41a0c25"
down_revision = "6a1f0c2d9b11"
branch_labels = None
depends_on = None


def upgrade():
    # As in 6a1f0c2d9b11: CKAN's test fixtures may already have created the table from the model.
    if "pida_withdrawal" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pida_withdrawal",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("uri", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("withdrawn_at", sa.DateTime, nullable=False),
    )
    op.create_index("pida_withdrawal_cursor", "pida_withdrawal", ["withdrawn_at", "package_id"])


def downgrade():
    op.drop_table("pida_withdrawal")
