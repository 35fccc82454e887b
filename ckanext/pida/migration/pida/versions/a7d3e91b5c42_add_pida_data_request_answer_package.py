"""add pida_data_request.answer_package_id (the dataset that answers a citizen's request)

Revision ID: a7d3e91b5c42
Revises: f2c9d5e7a184
Create Date: 2026-12-04 16:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "a7d3e91b5c42"
down_revision = "f2c9d5e7a184"
branch_labels = None
depends_on = None


def upgrade():
    # CKAN's test fixtures may already have created the table, column included, from the model.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("pida_data_request")}
    if "answer_package_id" not in columns:
        op.add_column("pida_data_request", sa.Column("answer_package_id", sa.UnicodeText))


def downgrade():
    op.drop_column("pida_data_request", "answer_package_id")
