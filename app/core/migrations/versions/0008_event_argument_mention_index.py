"""An index on event_arguments.mention_id

Revision ID: 0008
Revises: 0007

Deleting a mention (undoing a tag, an accept that replaces gold's version) checks the arguments
that point at it; without this index that was a scan of every argument of the project (found by
bench/bench_team.py with 20 coders on a server).
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_event_arguments_mention_id", "event_arguments", ["mention_id"])


def downgrade() -> None:
    op.drop_index("ix_event_arguments_mention_id", table_name="event_arguments")
