"""Typed notes, external references (normalisations) and transitive relation types (equivalences)

Revision ID: 0006
Revises: 0005

`annotation_notes` holds notes of a type other than AnnotatorNotes (brat's ``#1 Lemma T1``),
each on exactly one mention, event or relation; `external_references` holds a mention's or an
event's normalisations (brat's ``N1 Reference T1 Wikipedia:534366``); relation types get a
`transitive` flag (brat's ``<REL-TYPE>:symmetric-transitive``: equivalences, ``*`` lines).

Until now a brat import kept a typed note as a line ``[Lemma] text`` of the owner's note (and
an AnnotatorNotes text that looked like that as ``[AnnotatorNotes] text``). Those lines move:
``[Type] text`` (Type other than AnnotatorNotes) becomes a row of `annotation_notes`, and
``[AnnotatorNotes] text`` becomes ``text``; the other lines stay as they are, in their order.
So a brat export writes the same lines before and after the upgrade.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TYPED_LINE = re.compile(r"^\[([^\[\]\s]+)\] (.*)$", re.DOTALL)  # as the previous release wrote them
_OWNERS = (("mentions", "mention_id"), ("events", "event_id"), ("relations", "relation_id"))


def _split(note: str) -> tuple[str, list[tuple[str, str]]]:
    """(the note without its typed lines, the typed lines as (type, text))."""
    kept: list[str] = []
    typed: list[tuple[str, str]] = []
    for line in note.split("\n"):
        match = _TYPED_LINE.match(line)
        if match is None:
            kept.append(line)
        elif match.group(1) == "AnnotatorNotes":
            kept.append(match.group(2))
        else:
            typed.append((match.group(1), match.group(2)))
    return "\n".join(kept), typed


def _move_typed_notes() -> None:
    conn = op.get_bind()
    for table, column in _OWNERS:
        rows = conn.execute(sa.text(f"SELECT id, note FROM {table} WHERE note LIKE '%[%] %' ORDER BY id")).all()
        for owner_id, note in rows:
            kept, typed = _split(note)
            if not typed and kept == note:
                continue
            conn.execute(sa.text(f"UPDATE {table} SET note = :note WHERE id = :id"), {"note": kept, "id": owner_id})
            for kind, text in typed:
                conn.execute(sa.text(f"INSERT INTO annotation_notes ({column}, type, text) "
                                     "VALUES (:owner, :type, :text)"),
                             {"owner": owner_id, "type": kind, "text": text})


def upgrade() -> None:
    with op.batch_alter_table("relation_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transitive", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "annotation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("relation_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("(CASE WHEN mention_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) + "
                           "(CASE WHEN relation_id IS NULL THEN 0 ELSE 1 END) = 1",
                           name=op.f("ck_annotation_notes_one_owner")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_annotation_notes_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"],
                                name=op.f("fk_annotation_notes_mention_id_mentions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["relation_id"], ["relations.id"],
                                name=op.f("fk_annotation_notes_relation_id_relations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_notes")),
    )
    op.create_index("ix_annotation_notes_mention_id", "annotation_notes", ["mention_id"], unique=False)
    op.create_index("ix_annotation_notes_event_id", "annotation_notes", ["event_id"], unique=False)
    op.create_index("ix_annotation_notes_relation_id", "annotation_notes", ["relation_id"], unique=False)
    op.create_table(
        "external_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("resource", sa.String(length=200), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint("(mention_id IS NULL) <> (event_id IS NULL)", name=op.f("ck_external_references_one_owner")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_external_references_event_id_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"],
                                name=op.f("fk_external_references_mention_id_mentions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_references")),
    )
    op.create_index("ix_external_references_mention_id", "external_references", ["mention_id"], unique=False)
    op.create_index("ix_external_references_event_id", "external_references", ["event_id"], unique=False)
    _move_typed_notes()


def downgrade() -> None:
    conn = op.get_bind()
    for table, column in _OWNERS:  # the typed notes go back into the note, as the previous release kept them
        rows = conn.execute(sa.text(f"SELECT {column}, type, text FROM annotation_notes "
                                    f"WHERE {column} IS NOT NULL ORDER BY id")).all()
        for owner_id, kind, text in rows:
            conn.execute(sa.text(f"UPDATE {table} SET note = CASE WHEN note = '' THEN :line "
                                 "ELSE note || char(10) || :line END WHERE id = :id"),
                         {"line": f"[{kind}] {text}", "id": owner_id})
    op.drop_table("external_references")
    op.drop_table("annotation_notes")
    with op.batch_alter_table("relation_types", schema=None) as batch_op:
        batch_op.drop_column("transitive")
