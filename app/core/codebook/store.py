"""The codebook in the project database: read it as a spec, apply a spec to it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.codebook.spec import (
    AttributeSpec,
    CodebookSpec,
    DocumentCodeSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
)
from app.core.errors import CodebookError
from app.core.models import (
    Attribute,
    DocumentCode,
    DocumentCodeValue,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
)
from app.core.validation import normalise_name


def read_codebook(session: Session) -> CodebookSpec:
    entity_types = session.scalars(select(EntityType).order_by(EntityType.position, EntityType.id)).all()
    event_types = session.scalars(
        select(EventType)
        .options(selectinload(EventType.roles).selectinload(EventRole.accepts),
                 selectinload(EventType.roles).selectinload(EventRole.accepts_events))
        .order_by(EventType.position, EventType.id)
    ).all()
    attributes = session.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)).all()
    codes = session.scalars(select(DocumentCode).order_by(DocumentCode.position, DocumentCode.id)).all()
    relation_types = session.scalars(
        select(RelationType).options(selectinload(RelationType.source_accepts),
                                     selectinload(RelationType.target_accepts))
        .order_by(RelationType.position, RelationType.id)).all()
    spec = CodebookSpec(
        entity_types=[EntityTypeSpec(t.name, t.color, t.hotkey, t.definition) for t in entity_types],
        event_types=[
            EventTypeSpec(
                t.name, t.color, t.hotkey, t.definition,
                roles=[RoleSpec(r.name, [a.name for a in r.accepts], r.repeatable, r.definition,
                                [e.name for e in r.accepts_events]) for r in t.roles],
            )
            for t in event_types
        ],
        attributes=[
            AttributeSpec(a.name, a.target, json.loads(a.values_json), json.loads(a.applies_to_json), a.definition)
            for a in attributes
        ],
        document_codes=[
            DocumentCodeSpec(c.name, c.level, json.loads(c.values_json), c.definition) for c in codes
        ],
        relation_types=[
            RelationTypeSpec(t.name, t.color, t.hotkey, t.definition, [a.name for a in t.source_accepts],
                             [a.name for a in t.target_accepts], t.symmetric, t.transitive)
            for t in relation_types
        ],
    )
    return spec.normalise()


def merge_codebooks(base: CodebookSpec, extra: CodebookSpec) -> CodebookSpec:
    """`base` with every type, role, attribute and code of `extra` that it lacks added."""
    base.normalise(), extra.normalise()
    merged = CodebookSpec(
        entity_types=list(base.entity_types),
        event_types=[EventTypeSpec(t.name, t.color, t.hotkey, t.definition, list(t.roles)) for t in base.event_types],
        attributes=list(base.attributes),
        document_codes=list(base.document_codes),
        relation_types=list(base.relation_types),
    )
    typed: list[EntityTypeSpec | EventTypeSpec | RelationTypeSpec] = [
        *merged.entity_types, *merged.event_types, *merged.relation_types]
    used_hotkeys = {t.hotkey.lower() for t in typed if t.hotkey}
    for typ in extra.entity_types:
        if merged.entity_type_like(typ.name) is None:
            hotkey = typ.hotkey if typ.hotkey and typ.hotkey.lower() not in used_hotkeys else None
            used_hotkeys.add(hotkey.lower()) if hotkey else None
            merged.entity_types.append(EntityTypeSpec(typ.name, typ.color, hotkey, typ.definition))
    for ev_type in extra.event_types:
        mine = merged.event_type_like(ev_type.name)
        if mine is None:
            hotkey = ev_type.hotkey if ev_type.hotkey and ev_type.hotkey.lower() not in used_hotkeys else None
            used_hotkeys.add(hotkey.lower()) if hotkey else None
            merged.event_types.append(
                EventTypeSpec(ev_type.name, ev_type.color, hotkey, ev_type.definition, list(ev_type.roles)))
            continue
        for role in ev_type.roles:
            existing = mine.role_like(role.name)
            events = [_as_event_in(merged, a) for a in role.accepts_events]
            if existing is None:
                mine.roles.append(RoleSpec(role.name, [_as_in(merged, a) for a in role.accepts], role.repeatable,
                                           role.definition, events))
            else:
                extra_accepts = [a for a in (_as_in(merged, a) for a in role.accepts) if a not in existing.accepts]
                extra_events = [a for a in events if a not in existing.accepts_events]
                if extra_accepts or extra_events:
                    mine.roles[mine.roles.index(existing)] = RoleSpec(
                        existing.name, existing.accepts + extra_accepts,
                        existing.repeatable or role.repeatable, existing.definition,
                        existing.accepts_events + extra_events,
                    )
    for rel in extra.relation_types:
        mine_rel = merged.relation_type_like(rel.name)
        src = [_as_in(merged, a) for a in rel.source_accepts]
        tgt = [_as_in(merged, a) for a in rel.target_accepts]
        if mine_rel is None:
            hotkey = rel.hotkey if rel.hotkey and rel.hotkey.lower() not in used_hotkeys else None
            used_hotkeys.add(hotkey.lower()) if hotkey else None
            merged.relation_types.append(RelationTypeSpec(rel.name, rel.color, hotkey, rel.definition, src, tgt,
                                                          rel.symmetric, rel.transitive))
        elif _widens(mine_rel.source_accepts, src) or _widens(mine_rel.target_accepts, tgt):
            merged.relation_types[merged.relation_types.index(mine_rel)] = RelationTypeSpec(
                mine_rel.name, mine_rel.color, mine_rel.hotkey, mine_rel.definition,
                _widened(mine_rel.source_accepts, src), _widened(mine_rel.target_accepts, tgt), mine_rel.symmetric,
                mine_rel.transitive)
    for attr in extra.attributes:
        mine_attr = merged.attribute_like(attr.name, attr.target)
        if mine_attr is None:
            types = merged.event_type_like if attr.target == "event" else merged.entity_type_like
            applies = [(found.name if (found := types(n)) is not None else n) for n in attr.applies_to]
            merged.attributes.append(AttributeSpec(attr.name, attr.target, attr.values, applies, attr.definition))
        elif new := [v for v in attr.values if v not in mine_attr.values]:
            merged.attributes[merged.attributes.index(mine_attr)] = AttributeSpec(
                mine_attr.name, mine_attr.target, mine_attr.values + new, mine_attr.applies_to, mine_attr.definition,
            )
    for code in extra.document_codes:
        mine_code = merged.document_code_like(code.name)
        if mine_code is None:
            merged.document_codes.append(code)
        elif new := [v for v in code.values if v not in mine_code.values]:
            merged.document_codes[merged.document_codes.index(mine_code)] = DocumentCodeSpec(
                mine_code.name, mine_code.level, mine_code.values + new, mine_code.definition,
            )
    merged.validate(before=base)
    return merged


def _widens(mine: list[str], theirs: list[str]) -> bool:
    """Whether `theirs` accepts an entity type that `mine` refuses (an empty list accepts any)."""
    return bool(mine) and (not theirs or bool(set(theirs) - set(mine)))


def _widened(mine: list[str], theirs: list[str]) -> list[str]:
    if not mine or not theirs:
        return []
    return mine + [a for a in theirs if a not in mine]


def _as_event_in(spec: CodebookSpec, type_name: str) -> str:
    """An event type name as `spec` spells it, or as given if it lacks one (yet)."""
    found = spec.event_type_like(type_name)
    return found.name if found is not None else type_name


def _as_in(spec: CodebookSpec, type_name: str) -> str:
    """An entity type name as `spec` spells it ("PERSON" → "Person"), or as given if it lacks one."""
    found = spec.entity_type_like(type_name)
    return found.name if found is not None else type_name


def codebook_differences(base: CodebookSpec, other: CodebookSpec) -> list[str]:
    """What `other` has that `base` lacks or defines differently (names matched after NFC)."""
    base.normalise(), other.normalise()
    found: list[str] = []
    for typ in other.entity_types:
        if base.entity_type_like(typ.name) is None:
            found.append(f"entity type {typ.name!r} is missing")
    for ev_type in other.event_types:
        mine = base.event_type_like(ev_type.name)
        if mine is None:
            found.append(f"event type {ev_type.name!r} is missing")
            continue
        for role in ev_type.roles:
            existing = mine.role_like(role.name)
            if existing is None:
                found.append(f"role {role.name!r} of {ev_type.name!r} is missing")
            elif ({_as_in(base, a) for a in role.accepts} - set(existing.accepts)
                  or {_as_event_in(base, a) for a in role.accepts_events} - set(existing.accepts_events)
                  or (role.repeatable and not existing.repeatable)):
                found.append(f"role {role.name!r} of {ev_type.name!r} differs (accepts {', '.join(role.accepts)}; "
                             f"repeatable: {role.repeatable})")
    for rel in other.relation_types:
        mine_rel = base.relation_type_like(rel.name)
        if mine_rel is None:
            found.append(f"relation type {rel.name!r} is missing")
        elif (_widens(mine_rel.source_accepts, [_as_in(base, a) for a in rel.source_accepts])
              or _widens(mine_rel.target_accepts, [_as_in(base, a) for a in rel.target_accepts])):
            found.append(f"relation type {rel.name!r} differs (source accepts {', '.join(rel.source_accepts) or 'any'};"
                         f" target accepts {', '.join(rel.target_accepts) or 'any'})")
    for attr in other.attributes:
        mine_attr = base.attribute_like(attr.name, attr.target)
        if mine_attr is None:
            found.append(f"{attr.target} attribute {attr.name!r} is missing")
        elif set(attr.values) - set(mine_attr.values):
            found.append(f"attribute {attr.name!r} has other values ({', '.join(sorted(set(attr.values) - set(mine_attr.values)))})")
    for code in other.document_codes:
        mine_code = base.document_code_like(code.name)
        if mine_code is None:
            found.append(f"document code {code.name!r} is missing")
        elif set(code.values) - set(mine_code.values) or code.level != mine_code.level:
            found.append(f"document code {code.name!r} differs (level {code.level}, values {', '.join(code.values)})")
    return found


def apply_codebook(session: Session, spec: CodebookSpec, source: Path | None = None) -> None:
    """Make the stored codebook equal `spec`; refuse to remove what annotations use.

    Types, roles, attributes and codes are matched by name, so ids (and the
    annotations that point at them) survive edits of colours, hotkeys or definitions.
    """
    try:  # names differing only in case are one name, unless the project already had both
        spec.normalise().validate(before=read_codebook(session))
    except CodebookError as exc:
        if source is None:
            raise
        raise CodebookError(f"{source}: {exc.message}") from None
    problems: list[str] = []

    # Rows keyed by their NFC name: a name stored in another form is renamed, not replaced.
    entity_rows = {normalise_name(t.name): t for t in session.scalars(select(EntityType))}
    for name, row in entity_rows.items():
        if spec.entity_type(name) is None:
            n = session.scalar(select(func.count()).where(Mention.entity_type_id == row.id))
            if n:
                problems.append(f"entity type {name!r} is used by {n} mention(s)")
    event_rows = {normalise_name(t.name): t
                  for t in session.scalars(select(EventType).options(selectinload(EventType.roles)))}
    for name, ev_row in event_rows.items():
        wanted = spec.event_type(name)
        if wanted is None:
            n = session.scalar(select(func.count()).where(Event.event_type_id == ev_row.id))
            if n:
                problems.append(f"event type {name!r} is used by {n} event(s)")
            continue
        for role_row in ev_row.roles:
            if wanted.role(normalise_name(role_row.name)) is None:
                n = session.scalar(select(func.count()).where(EventArgument.role_id == role_row.id))
                if n:
                    problems.append(f"role {role_row.name!r} of {name!r} is used by {n} argument(s)")
    attr_rows = {(a.target, normalise_name(a.name)): a for a in session.scalars(select(Attribute))}
    for (target, name), attr_row in attr_rows.items():
        if spec.attribute(name, target) is None:
            table = EventAttributeValue if target == "event" else MentionAttributeValue
            n = session.scalar(select(func.count()).where(table.attribute_id == attr_row.id))
            if n:
                problems.append(f"attribute {name!r} is set on {n} annotation(s)")
    code_rows = {normalise_name(c.name): c for c in session.scalars(select(DocumentCode))}
    for name, code_row in code_rows.items():
        if all(c.name != name for c in spec.document_codes):
            n = session.scalar(select(func.count()).where(DocumentCodeValue.code_id == code_row.id))
            if n:
                problems.append(f"document code {name!r} has {n} value(s)")
    relation_rows = {normalise_name(t.name): t for t in session.scalars(select(RelationType))}
    for name, rel_row in relation_rows.items():
        if spec.relation_type(name) is None:
            n = session.scalar(select(func.count()).where(Relation.relation_type_id == rel_row.id))
            if n:
                problems.append(f"relation type {name!r} is used by {n} relation(s)")
    if problems:
        raise CodebookError("cannot remove what annotations use: " + "; ".join(problems))

    for name, row in entity_rows.items():
        if spec.entity_type(name) is None:
            session.delete(row)
    for name, ev_row in event_rows.items():
        if spec.event_type(name) is None:
            session.delete(ev_row)
    for key, attr_row in attr_rows.items():
        if spec.attribute(key[1], key[0]) is None:
            session.delete(attr_row)
    for name, code_row in code_rows.items():
        if all(c.name != name for c in spec.document_codes):
            session.delete(code_row)
    for name, rel_row in relation_rows.items():
        if spec.relation_type(name) is None:
            session.delete(rel_row)
    session.flush()

    # Hotkeys may move between types: clear them first so no transient duplicate exists.
    for pos, typ in enumerate(spec.entity_types):
        ent_row = entity_rows.get(typ.name)
        if ent_row is None:
            ent_row = EntityType(name=typ.name)
            session.add(ent_row)
            entity_rows[typ.name] = ent_row
        ent_row.name, ent_row.color, ent_row.hotkey, ent_row.definition, ent_row.position = (
            typ.name, typ.color, typ.hotkey, typ.definition, pos)
    session.flush()
    for pos, ev_type in enumerate(spec.event_types):
        new_ev_row = event_rows.get(ev_type.name)
        if new_ev_row is None:
            new_ev_row = EventType(name=ev_type.name)
            session.add(new_ev_row)
            event_rows[ev_type.name] = new_ev_row
        new_ev_row.name, new_ev_row.color, new_ev_row.hotkey, new_ev_row.definition, new_ev_row.position = (
            ev_type.name, ev_type.color, ev_type.hotkey, ev_type.definition, pos)
        roles = {normalise_name(r.name): r for r in new_ev_row.roles}
        for role_row in list(new_ev_row.roles):
            if ev_type.role(normalise_name(role_row.name)) is None:
                new_ev_row.roles.remove(role_row)
        for rpos, role in enumerate(ev_type.roles):
            rrow = roles.get(role.name)
            if rrow is None:
                rrow = EventRole(name=role.name)
                new_ev_row.roles.append(rrow)
            rrow.name, rrow.repeatable, rrow.definition, rrow.position = (
                role.name, role.repeatable, role.definition, rpos)
            rrow.accepts = [entity_rows[a] for a in role.accepts]
    session.flush()
    for ev_type in spec.event_types:  # every event type exists now: the roles that take events
        for role_row in event_rows[ev_type.name].roles:
            wanted_role = ev_type.role(normalise_name(role_row.name))
            if wanted_role is not None:
                role_row.accepts_events = [event_rows[a] for a in wanted_role.accepts_events]
    for pos, rel in enumerate(spec.relation_types):
        rel_type_row = relation_rows.get(rel.name)
        if rel_type_row is None:
            rel_type_row = RelationType(name=rel.name)
            session.add(rel_type_row)
        rel_type_row.name, rel_type_row.color, rel_type_row.hotkey, rel_type_row.definition = (
            rel.name, rel.color, rel.hotkey, rel.definition)
        rel_type_row.symmetric, rel_type_row.position = rel.symmetric, pos
        rel_type_row.transitive = rel.transitive
        rel_type_row.source_accepts = [entity_rows[a] for a in rel.source_accepts]
        rel_type_row.target_accepts = [entity_rows[a] for a in rel.target_accepts]
    for pos, attr in enumerate(spec.attributes):
        new_attr_row = attr_rows.get((attr.target, attr.name))
        if new_attr_row is None:
            new_attr_row = Attribute(name=attr.name, target=attr.target)
            session.add(new_attr_row)
        new_attr_row.values_json = json.dumps(attr.values, ensure_ascii=False)
        new_attr_row.applies_to_json = json.dumps(attr.applies_to, ensure_ascii=False)
        new_attr_row.name, new_attr_row.definition, new_attr_row.position = attr.name, attr.definition, pos
    for pos, code in enumerate(spec.document_codes):
        new_code_row = code_rows.get(code.name)
        if new_code_row is None:
            new_code_row = DocumentCode(name=code.name, level=code.level)
            session.add(new_code_row)
        new_code_row.name, new_code_row.level, new_code_row.definition, new_code_row.position = (
            code.name, code.level, code.definition, pos)
        new_code_row.values_json = json.dumps(code.values, ensure_ascii=False)
    session.flush()


def remove_entity_type(session: Session, name: str) -> None:
    name = normalise_name(name)
    spec = read_codebook(session)
    if spec.entity_type(name) is None:
        raise CodebookError(f"no entity type {name!r}")
    spec.entity_types = [t for t in spec.entity_types if t.name != name]
    for ev in spec.event_types:
        for role in ev.roles:
            role.accepts = [a for a in role.accepts if a != name]
    for attr in spec.attributes:
        if attr.target == "mention":
            attr.applies_to = [a for a in attr.applies_to if a != name]
    for rel in spec.relation_types:
        rel.source_accepts = [a for a in rel.source_accepts if a != name]
        rel.target_accepts = [a for a in rel.target_accepts if a != name]
    apply_codebook(session, spec)


def remove_event_type(session: Session, name: str) -> None:
    name = normalise_name(name)
    spec = read_codebook(session)
    if spec.event_type(name) is None:
        raise CodebookError(f"no event type {name!r}")
    spec.event_types = [t for t in spec.event_types if t.name != name]
    for ev in spec.event_types:
        for role in ev.roles:
            role.accepts_events = [a for a in role.accepts_events if a != name]
    for attr in spec.attributes:
        if attr.target == "event":
            attr.applies_to = [a for a in attr.applies_to if a != name]
    apply_codebook(session, spec)
