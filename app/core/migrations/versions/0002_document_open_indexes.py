"""Indexes that make opening a document with thousands of annotations fast

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index("ix_mentions_document_coder_start", ["document_id", "coder_id", "start"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_document_coder", ["document_id", "coder_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_document_coder")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_document_coder_start")
