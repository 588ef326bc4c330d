"""Merging one type into another: its annotations take the other type, and it is removed (one undo entry).

Entity type A into B: every mention of A becomes a B; roles and relation type ends that accepted
A accept B instead;
attributes that applied to A apply to B where A was all they applied to (an empty list would
mean every type), else A is dropped from their list; and, as when one mention is retyped
(`RetypeMention`), mention attribute values that do not apply to B are dropped (undo restores them).

Event type A into B: only when every role of A that stored events fill has a role of B of the
same name (compared casefolded) that accepts those mentions and, if it takes one mention, gets
one; events of A become B events and their arguments move to B's roles; roles that accepted A
events (nested events) accept B events instead. Refused while events fill roles of A (nested
events in A's roles are not matched to B's roles yet). Event attribute values that do not apply
to B are dropped, as for mentions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.codebook.rows import (
    ATTRIBUTE,
    ENTITY,
    EVENT,
    ROLE,
    ROLE_ACCEPTS,
    ROLE_EVENTS,
    SOURCE_ACCEPTS,
    TARGET_ACCEPTS,
    CodebookRows,
    Row,
    annotation_rows,
    json_list,
    set_json_list,
)
from app.core.codebook.usage import uses
from app.core.errors import CodebookError
from app.core.models import (
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
    utcnow,
)
from app.core.services.codebook_edits.action import CodebookEdit
from app.core.services.codebook_edits.nested_refs import nested_fillers
from app.core.validation import name_key


def _retarget_applies_to(rows: CodebookRows, target: str, old: str, new: str) -> None:
    for attr in rows.items(ATTRIBUTE, target=target):
        applies = json_list(attr, "applies_to_json")
        if old in applies:
            set_json_list(attr, "applies_to_json", [new] if applies == [old] else [a for a in applies if a != old])


def _applies(rows: CodebookRows, attribute_id: int, type_name: str) -> bool:
    applies = json_list(rows.get(ATTRIBUTE, attribute_id), "applies_to_json")
    return not applies or type_name in applies


def _pair(rows: CodebookRows, table: str, source_id: int, target_id: int) -> tuple[Row, Row]:
    source, target = rows.get(table, source_id), rows.get(table, target_id)
    if source_id == target_id:
        raise CodebookError(f"{source['name']} cannot be merged into itself")
    return source, target


@dataclass
class MergeEntityType(CodebookEdit):
    source_id: int
    target_id: int
    moves_annotations = True

    def edit(self, session: Session, rows: CodebookRows) -> None:
        source, target = _pair(rows, ENTITY, self.source_id, self.target_id)
        for link in (ROLE_ACCEPTS, SOURCE_ACCEPTS, TARGET_ACCEPTS):
            rows.retarget(link, self.source_id, self.target_id)
        _retarget_applies_to(rows, "mention", source["name"], target["name"])
        now = utcnow()
        mentions = annotation_rows(session, Mention.__table__, Mention.entity_type_id == self.source_id)
        for row in mentions:
            rows.move_annotation("mentions", row, {**row, "entity_type_id": self.target_id, "modified_at": now})
        values = annotation_rows(session, MentionAttributeValue.__table__,
                                 MentionAttributeValue.mention_id.in_(
                                     select(Mention.id).where(Mention.entity_type_id == self.source_id)))
        for row in values:
            if not _applies(rows, row["attribute_id"], target["name"]):
                rows.move_annotation("mention_attribute_values", row, None)
        del rows.tables[ENTITY][self.source_id]
        self.label = f"merge entity type {source['name']} into {target['name']}"


@dataclass
class MergeEventType(CodebookEdit):
    source_id: int
    target_id: int
    moves_annotations = True

    def edit(self, session: Session, rows: CodebookRows) -> None:
        source, target = _pair(rows, EVENT, self.source_id, self.target_id)
        nested = nested_fillers(session, [r["id"] for r in rows.items(ROLE, event_type_id=self.source_id)])
        if nested:
            raise CodebookError(f"cannot merge {source['name']} into {target['name']}: {source['name']} events "
                                f"hold {uses(nested, 'nested event')} in their roles; clear those arguments first")
        events = annotation_rows(session, Event.__table__, Event.event_type_id == self.source_id)
        of_source = select(Event.id).where(Event.event_type_id == self.source_id)
        arguments = annotation_rows(session, EventArgument.__table__, EventArgument.event_id.in_(of_source))
        mention_types = dict(session.execute(
            select(Mention.id, Mention.entity_type_id).join(EventArgument, EventArgument.mention_id == Mention.id)
            .where(EventArgument.event_id.in_(of_source))).all())
        target_roles = {name_key(r["name"]): r for r in rows.items(ROLE, event_type_id=self.target_id)}
        mapping: dict[int, Row] = {}
        unmapped: Counter[str] = Counter()
        for role in rows.items(ROLE, event_type_id=self.source_id):
            used = [a for a in arguments if a["role_id"] == role["id"]]
            match = target_roles.get(name_key(role["name"]))
            if match is not None:
                mapping[role["id"]] = match
            elif used:
                unmapped[role["name"]] = len({a["event_id"] for a in used})
        if unmapped:
            names = ", ".join(unmapped)
            raise CodebookError(f"cannot merge {source['name']} into {target['name']}: {target['name']} has no role "
                                f"named {names}, which {sum(unmapped.values())} event(s) fill; add or rename "
                                "those roles first")
        self._check_roles(rows, source, target, arguments, mapping, mention_types)
        _retarget_applies_to(rows, "event", source["name"], target["name"])
        now = utcnow()
        for row in events:
            rows.move_annotation("events", row, {**row, "event_type_id": self.target_id, "modified_at": now})
        for row in arguments:
            rows.move_annotation("event_arguments", row, {**row, "role_id": mapping[row["role_id"]]["id"],
                                                          "modified_at": now})
        values = annotation_rows(session, EventAttributeValue.__table__,
                                 EventAttributeValue.event_id.in_(of_source))
        for row in values:
            if not _applies(rows, row["attribute_id"], target["name"]):
                rows.move_annotation("event_attribute_values", row, None)
        for role in rows.items(ROLE, event_type_id=self.source_id):
            rows.unlink_owner(ROLE_ACCEPTS, role["id"])
            rows.unlink_owner(ROLE_EVENTS, role["id"])
            del rows.tables[ROLE][role["id"]]
        rows.retarget(ROLE_EVENTS, self.source_id, self.target_id)
        del rows.tables[EVENT][self.source_id]
        self.label = f"merge event type {source['name']} into {target['name']}"

    @staticmethod
    def _check_roles(rows: CodebookRows, source: Row, target: Row, arguments: list[Row],
                     mapping: dict[int, Row], mention_types: dict[int, int]) -> None:
        per_event: Counter[tuple[int, int]] = Counter()
        for arg in arguments:
            role = mapping[arg["role_id"]]
            accepted = rows.accepted(role["id"])
            type_id = mention_types[arg["mention_id"]]
            if accepted and type_id not in accepted:
                n = len({a["event_id"] for a in arguments if a["role_id"] == arg["role_id"]
                         and mention_types[a["mention_id"]] == type_id})
                raise CodebookError(
                    f"cannot merge {source['name']} into {target['name']}: {role['name']} of {target['name']} does "
                    f"not accept {rows.get(ENTITY, type_id)['name']}, which fills {role['name']} in {n} "
                    f"{source['name']} event(s)")
            per_event[(arg["event_id"], role["id"])] += 1
        crowded = {role_id for (_, role_id), n in per_event.items() if n > 1
                   and not rows.get(ROLE, role_id)["repeatable"]}
        if crowded:
            role = rows.get(ROLE, min(crowded))
            n = sum(1 for (_, r), k in per_event.items() if r == role["id"] and k > 1)
            raise CodebookError(f"cannot merge {source['name']} into {target['name']}: {role['name']} of "
                                f"{target['name']} takes one mention, and {n} {source['name']} event(s) have "
                                "several there")
