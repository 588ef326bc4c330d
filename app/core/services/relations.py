"""Relations: typed, directed links between two mentions of one coder in one document.

Each function works in the caller's session, like app.core.services.annotations. A relation
type's source and target accept the entity types they list (any type when the list is empty);
a symmetric type's relation from A to B is the same as from B to A, so both are not stored.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError
from app.core.models import EntityType, Mention, Relation, RelationType, utcnow
from app.core.services.annotations import touch_status


def _get_mention(session: Session, mention_id: int) -> Mention:
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise AnnotaryError(f"no mention with id {mention_id}")
    return mention


def _get_type(session: Session, relation_type_id: int) -> RelationType:
    rtype = session.get(RelationType, relation_type_id)
    if rtype is None:
        raise AnnotaryError(f"no relation type with id {relation_type_id}")
    return rtype


def get_relation(session: Session, relation_id: int) -> Relation:
    relation = session.get(Relation, relation_id)
    if relation is None:
        raise AnnotaryError(f"no relation with id {relation_id}")
    return relation


def check_ends(session: Session, rtype: RelationType, source: Mention, target: Mention) -> None:
    """Refuse a relation whose ends its type does not accept."""
    for end, mention, accepts in (("source", source, rtype.source_accepts), ("target", target, rtype.target_accepts)):
        mtype = session.get_one(EntityType, mention.entity_type_id)
        if accepts and mtype not in accepts:
            names = ", ".join(t.name for t in accepts)
            raise AnnotaryError(f"the {end} of {rtype.name} accepts {names}, not {mtype.name}")


def _check_new(session: Session, rtype: RelationType, source: Mention, target: Mention,
               ignore: int | None = None) -> None:
    if source.id == target.id:
        raise AnnotaryError("a relation links two different mentions")
    if source.document_id != target.document_id:
        raise AnnotaryError("a relation links two mentions of the same document")
    if source.coder_id != target.coder_id:
        raise AnnotaryError("a relation links two mentions by the same coder")
    check_ends(session, rtype, source, target)
    pairs = [(source.id, target.id)] + ([(target.id, source.id)] if rtype.symmetric else [])
    for s, t in pairs:
        same = session.scalar(select(Relation.id).where(
            Relation.relation_type_id == rtype.id, Relation.source_mention_id == s, Relation.target_mention_id == t))
        if same is not None and same != ignore:
            raise AnnotaryError(f"{source.text!r} and {target.text!r} are already linked as {rtype.name}")


def create_relation(session: Session, relation_type_id: int, source_mention_id: int, target_mention_id: int,
                    note: str = "") -> Relation:
    rtype = _get_type(session, relation_type_id)
    source, target = _get_mention(session, source_mention_id), _get_mention(session, target_mention_id)
    _check_new(session, rtype, source, target)
    relation = Relation(document_id=source.document_id, coder_id=source.coder_id, relation_type_id=rtype.id,
                        source_mention_id=source.id, target_mention_id=target.id, note=note)
    session.add(relation)
    touch_status(session, source.document_id, source.coder_id)
    session.flush()
    return relation


def delete_relation(session: Session, relation_id: int) -> None:
    session.delete(get_relation(session, relation_id))
    session.flush()


def retype_relation(session: Session, relation_id: int, relation_type_id: int) -> Relation:
    relation = get_relation(session, relation_id)
    rtype = _get_type(session, relation_type_id)
    source = _get_mention(session, relation.source_mention_id)
    target = _get_mention(session, relation.target_mention_id)
    _check_new(session, rtype, source, target, ignore=relation.id)
    relation.relation_type_id = rtype.id
    relation.modified_at = utcnow()
    session.flush()
    return relation


def check_mention_type(session: Session, mention_id: int, entity_type: EntityType) -> None:
    """Refuse to retype a mention to a type that one of its relations does not accept."""
    for relation in session.scalars(select(Relation).where(
            (Relation.source_mention_id == mention_id) | (Relation.target_mention_id == mention_id))):
        rtype = session.get_one(RelationType, relation.relation_type_id)
        end = "source" if relation.source_mention_id == mention_id else "target"
        accepts = rtype.source_accepts if end == "source" else rtype.target_accepts
        if accepts and entity_type not in accepts:
            raise AnnotaryError(f"this mention is the {end} of a relation of type {rtype.name}, which does not "
                                f"accept {entity_type.name} there")
