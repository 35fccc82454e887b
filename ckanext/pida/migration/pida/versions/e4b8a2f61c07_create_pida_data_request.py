"""create pida_data_request (citizens' requests for priority datasets)

Revision ID: e4b8a2f61c07
Revises: d91b7c3e5a60
Create Date: 2026-12-04 15:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "e4b8a2f61c07"
down_revision = "d91b7c3e5a60"
branch_labels = None
depends_on = None


def upgrade():
    # As in 6a1f0c2d9b11: CKAN's test fixtures may already have created the table from the model.
    if "pida_data_request" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pida_data_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("country", sa.UnicodeText, nullable=False),
        sa.Column("concept", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText),
        sa.Column("message", sa.UnicodeText, nullable=False),
        sa.Column("email", sa.UnicodeText),
        sa.Column("language", sa.UnicodeText),
        sa.Column("status", sa.UnicodeText, nullable=False, server_default="open"),
        sa.Column("answer", sa.UnicodeText),
        sa.Column("answered_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("answered", sa.DateTime),
    )
    op.create_index("pida_data_request_country_concept", "pida_data_request", ["country", "concept"])
    op.create_index("pida_data_request_created", "pida_data_request", ["created"])


def downgrade():
    op.drop_table("pida_data_request")
