"""create pida harvest and coverage tables

Revision ID: 6a1f0c2d9b11
Revises:
Create Date: 2026-01-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "6a1f0c2d9b11"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # CKAN's test fixtures may already have created the tables from the models: create only what is missing.
    tables = sa.inspect(op.get_bind()).get_table_names()
    if "pida_harvest_record" not in tables:
        op.create_table(
            "pida_harvest_record",
            sa.Column("id", sa.UnicodeText, primary_key=True),
            sa.Column("source_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("guid", sa.UnicodeText, nullable=False),
            sa.Column("package_id", sa.UnicodeText),
            sa.Column("name", sa.UnicodeText),
            sa.Column("content_hash", sa.UnicodeText),
            sa.Column("last_seen_job_id", sa.UnicodeText),
            sa.Column("state", sa.UnicodeText, nullable=False, server_default="active"),
            sa.Column("updated", sa.DateTime),
            sa.UniqueConstraint("source_id", "guid", name="pida_harvest_record_source_guid"),
        )
    if "pida_harvest_run" not in tables:
        op.create_table(
            "pida_harvest_run",
            sa.Column("job_id", sa.UnicodeText, primary_key=True),
            sa.Column("source_id", sa.UnicodeText, nullable=False, index=True),
            sa.Column("requested_full", sa.Boolean),
            sa.Column("mode", sa.UnicodeText),
            sa.Column("modified_since", sa.DateTime),
            sa.Column("started", sa.DateTime),
            sa.Column("finished", sa.DateTime),
            sa.Column("complete", sa.Boolean),
            sa.Column("pages", sa.Integer),
            sa.Column("seen", sa.Integer),
            sa.Column("changed", sa.Integer),
            sa.Column("unchanged", sa.Integer),
            sa.Column("to_delete", sa.Integer),
            sa.Column("problems", sa.JSON),
        )
    if "pida_coverage_snapshot" not in tables:
        op.create_table(
            "pida_coverage_snapshot",
            sa.Column("id", sa.UnicodeText, primary_key=True),
            sa.Column("day", sa.Date, nullable=False, index=True),
            sa.Column("country", sa.UnicodeText, nullable=False),
            sa.Column("published", sa.Integer),
            sa.Column("out_of_date", sa.Integer),
            sa.Column("missing", sa.Integer),
            sa.Column("cells", sa.JSON),
            sa.Column("principles", sa.JSON),
            sa.Column("created", sa.DateTime),
            sa.UniqueConstraint("day", "country", name="pida_coverage_snapshot_day_country"),
        )


def downgrade():
    for table in ("pida_coverage_snapshot", "pida_harvest_run", "pida_harvest_record"):
        op.drop_table(table)
