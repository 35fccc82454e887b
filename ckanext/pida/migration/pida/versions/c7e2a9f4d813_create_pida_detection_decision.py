"""create pida_detection_decision (hub editors' confirmations and rejections of detected priority datasets)

Revision ID: c7e2a9f4d813
Revises: b3e7d41a0c25
Create Date: 2026-11-26 21:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "c7e2a9f4d813"
down_revision = "b3e7d41a0c25"
branch_labels = None
depends_on = None


def upgrade():
    # As in 6a1f0c2d9b11: CKAN's test fixtures may already have created the table from the model.
    if "pida_detection_decision" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pida_detection_decision",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("original_uri", sa.UnicodeText, nullable=False, index=True),
        sa.Column("concept", sa.UnicodeText, nullable=False),
        sa.Column("decision", sa.UnicodeText, nullable=False),
        sa.Column("content_hash", sa.UnicodeText),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("decided_at", sa.DateTime),
        sa.UniqueConstraint("original_uri", "concept", name="pida_detection_decision_uri_concept"),
    )


def downgrade():
    op.drop_table("pida_detection_decision")
