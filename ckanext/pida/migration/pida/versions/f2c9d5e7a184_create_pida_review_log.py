"""create pida_review_log (decisions on detected priority datasets, and their undoing)

Revision ID: f2c9d5e7a184
Revises: e4b8a2f61c07
Create Date: 2026-12-04 15:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = "f2c9d5e7a184"
down_revision = "e4b8a2f61c07"
branch_labels = None
depends_on = None


def upgrade():
    # As in 6a1f0c2d9b11: CKAN's test fixtures may already have created the table from the model.
    if "pida_review_log" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pida_review_log",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("concept", sa.UnicodeText, nullable=False),
        sa.Column("decision", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("undone_at", sa.DateTime),
        sa.Column("undone_by", sa.UnicodeText),
    )
    op.create_index("pida_review_log_package_concept", "pida_review_log", ["package_id", "concept"])
    op.create_index("pida_review_log_at", "pida_review_log", ["at"])


def downgrade():
    op.drop_table("pida_review_log")
