"""Coder roles, project settings (blind coding) and the adjudicator's rejections

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=12), server_default="coder", nullable=False))
        batch_op.create_check_constraint("role", "role IN ('coder', 'adjudicator')")
    op.execute("UPDATE coders SET role = 'adjudicator' WHERE name = 'gold'")
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_settings")),
    )
    op.create_table(
        "gold_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_gold_rejections_document_id_documents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_rejections")),
        sa.UniqueConstraint("document_id", "ref", name=op.f("uq_gold_rejections_document_id_ref")),
    )


def downgrade() -> None:
    op.drop_table("gold_rejections")
    op.drop_table("project_settings")
    with op.batch_alter_table("coders", schema=None) as batch_op:
        batch_op.drop_constraint("ck_coders_role", type_="check")
        batch_op.drop_column("role")
