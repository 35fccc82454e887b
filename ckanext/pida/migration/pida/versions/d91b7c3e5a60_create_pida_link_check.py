"""create pida_link_check (what the link checker last learned of each distribution URL)

Revision ID: d91b7c3e5a60
Revises: c7e2a9f4d813
Create Date: 2026-12-03 23:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = "d91b7c3e5a60"
down_revision = "c7e2a9f4d813"
branch_labels = None
depends_on = None


def upgrade():
    # As in 6a1f0c2d9b11: CKAN's test fixtures may already have created the table from the model.
    if "pida_link_check" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pida_link_check",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("host", sa.UnicodeText, nullable=False, index=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("problem", sa.UnicodeText),
        sa.Column("content_type", sa.UnicodeText),
        sa.Column("sniffed", sa.UnicodeText),
        sa.Column("final_url", sa.UnicodeText),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_failure", sa.DateTime),
        sa.Column("last_success", sa.DateTime),
        sa.Column("last_checked", sa.DateTime),
        sa.Column("next_check", sa.DateTime, nullable=False),
    )
    op.create_index("pida_link_check_due", "pida_link_check", ["next_check"])


def downgrade():
    op.drop_table("pida_link_check")
