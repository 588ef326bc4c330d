"""Document text search: an FTS5 trigram index of the folded document texts (SQLite only)

Revision ID: 0004
Revises: 0003

The index holds texts folded in Python (`app.core.find.fold`), so it is filled here, not by
SQL. Where FTS5 with the trigram tokenizer is missing, or on another database, nothing is
created and the document filter scans the texts instead.
"""
from alembic import op

from app.core import search_index

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if search_index.create_search_index(bind):
        search_index.sync_search_index(bind)


def downgrade() -> None:
    search_index.drop_search_index(op.get_bind())
