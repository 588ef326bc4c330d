"""A version of each document's gold set, for adjudicators deciding at the same time

Revision ID: 0007
Revises: 0006

`documents.gold_version` goes up with every adjudication decision in the document (and its
undo or redo); `documents.gold_settled_by` names the adjudicator of the latest one. A decision
locks its document's row, checks that the item's gold state is still what the adjudicator saw
and refuses with a conflict message otherwise (two adjudicators on one server project, or two
programs on one file). Existing documents start at version 0, settled by nobody.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gold_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("gold_settled_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("gold_settled_by")
        batch_op.drop_column("gold_version")
