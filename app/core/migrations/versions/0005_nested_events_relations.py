"""Nested events (an event argument may be another event) and relations between mentions

Revision ID: 0005
Revises: 0004

An event argument holds a mention or, new, another event (`argument_event_id`), exactly one of
them; a role lists the event types it accepts (`role_accepts_events`). Relation types (with the
entity types their source and target accept) and relations are new tables. Every existing
argument is a mention, so it keeps its row as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _accepts(name: str, owner: str, owner_table: str, other: str, other_table: str) -> None:
    op.create_table(
        name,
        sa.Column(owner, sa.Integer(), nullable=False),
        sa.Column(other, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([other], [f"{other_table}.id"], name=op.f(f"fk_{name}_{other}_{other_table}"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint([owner], [f"{owner_table}.id"], name=op.f(f"fk_{name}_{owner}_{owner_table}"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(owner, other, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _accepts("role_accepts_events", "role_id", "event_roles", "event_type_id", "event_types")
    with op.batch_alter_table("event_arguments", schema=None) as batch_op:
        batch_op.alter_column("mention_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("argument_event_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_event_arguments_argument_event_id_events"), "events",
                                    ["argument_event_id"], ["id"], ondelete="CASCADE")
        batch_op.create_unique_constraint(batch_op.f("uq_event_arguments_event_id_role_id_argument_event_id"),
                                          ["event_id", "role_id", "argument_event_id"])
        batch_op.create_check_constraint("one_filler", "(mention_id IS NULL) <> (argument_event_id IS NULL)")
        batch_op.create_index("ix_event_arguments_argument_event_id", ["argument_event_id"], unique=False)
    op.create_table(
        "relation_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        sa.Column("hotkey", sa.String(length=20), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("symmetric", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_types")),
        sa.UniqueConstraint("name", name=op.f("uq_relation_types_name")),
    )
    _accepts("relation_source_accepts", "relation_type_id", "relation_types", "entity_type_id", "entity_types")
    _accepts("relation_target_accepts", "relation_type_id", "relation_types", "entity_type_id", "entity_types")
    op.create_table(
        "relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("relation_type_id", sa.Integer(), nullable=False),
        sa.Column("source_mention_id", sa.Integer(), nullable=False),
        sa.Column("target_mention_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("source_mention_id <> target_mention_id", name=op.f("ck_relations_two_mentions")),
        sa.ForeignKeyConstraint(["coder_id"], ["coders.id"], name=op.f("fk_relations_coder_id_coders")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_relations_document_id_documents"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["relation_type_id"], ["relation_types.id"],
                                name=op.f("fk_relations_relation_type_id_relation_types")),
        sa.ForeignKeyConstraint(["source_mention_id"], ["mentions.id"],
                                name=op.f("fk_relations_source_mention_id_mentions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_mention_id"], ["mentions.id"],
                                name=op.f("fk_relations_target_mention_id_mentions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
        sa.UniqueConstraint("relation_type_id", "source_mention_id", "target_mention_id",
                            name=op.f("uq_relations_relation_type_id_source_mention_id_target_mention_id")),
    )
    op.create_index("ix_relations_document_coder", "relations", ["document_id", "coder_id"], unique=False)
    op.create_index("ix_relations_source_mention_id", "relations", ["source_mention_id"], unique=False)
    op.create_index("ix_relations_target_mention_id", "relations", ["target_mention_id"], unique=False)


def downgrade() -> None:
    op.drop_table("relations")
    op.drop_table("relation_target_accepts")
    op.drop_table("relation_source_accepts")
    op.drop_table("relation_types")
    op.execute("DELETE FROM event_arguments WHERE argument_event_id IS NOT NULL")
    with op.batch_alter_table("event_arguments", schema=None) as batch_op:
        batch_op.drop_index("ix_event_arguments_argument_event_id")
        batch_op.drop_constraint(batch_op.f("ck_event_arguments_one_filler"), type_="check")
        batch_op.drop_constraint("uq_event_arguments_event_id_role_id_argument_event_id", type_="unique")
        batch_op.drop_constraint("fk_event_arguments_argument_event_id_events", type_="foreignkey")
        batch_op.drop_column("argument_event_id")
        batch_op.alter_column("mention_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("role_accepts_events")
