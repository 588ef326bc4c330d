"""Codebook edits of any item: add a type or role, rename, recolour, re-key, define, reorder, remove.

Items are named by their table (`rows.ENTITY`, `EVENT`, `ROLE`, `ATTRIBUTE`, `CODE`, `RELATION`)
and id; ids survive undo and redo. Attribute- and code-specific edits are in `edits_values`,
relation-type-specific ones in `relation_edits`, merges in `merges`.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.codebook.checks import (
    check_hotkey_free,
    check_unique,
    clean_color,
    clean_hotkey,
    clean_name,
)
from app.core.codebook.rows import (
    ATTRIBUTE,
    CODE,
    ENTITY,
    EVENT,
    KINDS,
    RELATION,
    ROLE,
    ROLE_ACCEPTS,
    ROLE_EVENTS,
    SOURCE_ACCEPTS,
    TARGET_ACCEPTS,
    CodebookRows,
    Row,
    json_list,
    set_json_list,
)
from app.core.codebook.usage import (
    attribute_values,
    code_values,
    events_of_type,
    fillers_of_role,
    mentions_of_type,
    plural,
    relations_of_type,
    uses,
)
from app.core.errors import CodebookError
from app.core.models import EventArgument
from app.core.services.codebook_edits.action import CodebookEdit
from app.core.services.codebook_edits.nested_refs import check_role_fillers
from app.core.validation import check_long_text

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#469990")


def scope(rows: CodebookRows, table: str, item: Row) -> list[Row]:
    """The items `item` is named and ordered among: roles of its event type, attributes of its target."""
    if table == ROLE:
        return rows.items(ROLE, event_type_id=item["event_type_id"])
    if table == ATTRIBUTE:
        return rows.items(ATTRIBUTE, target=item["target"])
    return rows.items(table)


def kind_of(table: str, item: Row) -> str:
    return f"{item['target']} attribute" if table == ATTRIBUTE else KINDS[table]


def free_color(rows: CodebookRows) -> str:
    """A colour no type has: from PALETTE, else hues spread by the golden ratio."""
    used = {(r["color"] or "").lower() for t in (ENTITY, EVENT, RELATION) for r in rows.tables[t].values()}
    for color in PALETTE:
        if color not in used:
            return color
    for i in range(1, 1000):
        red, green, blue = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.6, 0.85)
        color = f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
        if color not in used:
            return color
    return PALETTE[0]


def new_type(rows: CodebookRows, table: str, name: str, color: str | None, hotkey: str | None,
             definition: str) -> Row:
    name = clean_name(KINDS[table], name)
    check_unique(KINDS[table], name, rows.items(table))
    key = clean_hotkey(hotkey)
    check_hotkey_free(key, 0, table, rows)
    return rows.add(table, {"name": name, "color": clean_color(color) if color else free_color(rows),
                            "hotkey": key, "definition": definition or ""})


@dataclass
class AddType(CodebookEdit):
    """A new entity type (`table` ENTITY) or event type (EVENT)."""

    table: str
    name: str
    color: str | None = None
    hotkey: str | None = None
    definition: str = ""
    item_id: int | None = None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        self.item_id = new_type(rows, self.table, self.name, self.color, self.hotkey, self.definition)["id"]
        kind = "entity type" if self.table == ENTITY else "event type"
        self.label = f"add {kind} {rows.get(self.table, self.item_id)['name']}"


@dataclass
class AddRole(CodebookEdit):
    event_type_id: int
    name: str
    accepts: list[int] = field(default_factory=list)
    repeatable: bool = False
    definition: str = ""
    item_id: int | None = None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        event_type = rows.get(EVENT, self.event_type_id)
        name = clean_name("role", self.name)
        check_unique(f"role of {event_type['name']}", name, rows.items(ROLE, event_type_id=self.event_type_id))
        position = max((r["position"] for r in rows.items(ROLE, event_type_id=self.event_type_id)), default=-1) + 1
        role = rows.add(ROLE, {"event_type_id": self.event_type_id, "name": name, "repeatable": bool(self.repeatable),
                               "definition": self.definition or ""})
        role["position"] = position
        for type_id in self.accepts:
            rows.get(ENTITY, type_id)
            rows.accepts.add((role["id"], type_id))
        self.item_id = role["id"]
        self.label = f"add role {name} to {event_type['name']}"


@dataclass
class Rename(CodebookEdit):
    """Rename a type, role, attribute or document code; attributes that apply to a renamed type
    follow it (they name the types they apply to)."""

    table: str
    item_id: int
    name: str

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = rows.get(self.table, self.item_id)
        kind = kind_of(self.table, item)
        name = clean_name(kind, self.name)
        old = item["name"]
        check_unique(kind, name, [r for r in scope(rows, self.table, item) if r["id"] != self.item_id])
        item["name"] = name
        if self.table in (ENTITY, EVENT):
            target = "mention" if self.table == ENTITY else "event"
            for attr in rows.items(ATTRIBUTE, target=target):
                applies = json_list(attr, "applies_to_json")
                if old in applies:
                    set_json_list(attr, "applies_to_json", [name if a == old else a for a in applies])
        self.label = f"rename {kind} {old} to {name}"


@dataclass
class Recolour(CodebookEdit):
    table: str
    item_id: int
    color: str

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = _type_row(rows, self.table, self.item_id)
        item["color"] = clean_color(self.color)
        self.label = f"recolour {KINDS[self.table]} {item['name']}"


@dataclass
class SetHotkey(CodebookEdit):
    table: str
    item_id: int
    hotkey: str | None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = _type_row(rows, self.table, self.item_id)
        key = clean_hotkey(self.hotkey)
        check_hotkey_free(key, self.item_id, self.table, rows)
        item["hotkey"] = key
        self.label = f"set the hotkey of {item['name']}" if key else f"clear the hotkey of {item['name']}"


@dataclass
class SetDefinition(CodebookEdit):
    table: str
    item_id: int
    definition: str

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = rows.get(self.table, self.item_id)
        check_long_text(f"the definition of {item['name']}", self.definition or "")
        item["definition"] = self.definition or ""
        self.label = f"define {kind_of(self.table, item)} {item['name']}"


@dataclass
class Move(CodebookEdit):
    """Move an item up (step -1) or down (+1) among its kind (roles within their event type,
    attributes among those of the same target)."""

    table: str
    item_id: int
    step: int

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = rows.get(self.table, self.item_id)
        among = scope(rows, self.table, item)
        index = next(i for i, r in enumerate(among) if r["id"] == self.item_id)
        if not 0 <= index + self.step < len(among):
            raise CodebookError(f"{item['name']} is already {'first' if self.step < 0 else 'last'}")
        neighbour = among[index + self.step]
        ordered = rows.items(ROLE, event_type_id=item["event_type_id"]) if self.table == ROLE else rows.items(self.table)
        i, j = ordered.index(item), ordered.index(neighbour)
        ordered[i], ordered[j] = ordered[j], ordered[i]
        for position, row in enumerate(ordered):
            row["position"] = position
        self.label = f"move {kind_of(self.table, item)} {item['name']} {'up' if self.step < 0 else 'down'}"


@dataclass
class SetRoleAccepts(CodebookEdit):
    """The entity types a role accepts (none: any type, unless it accepts events). Refused while
    stored arguments of a type it would no longer accept fill it."""

    role_id: int
    accepts: list[int]

    def edit(self, session: Session, rows: CodebookRows) -> None:
        role = rows.get(ROLE, self.role_id)
        rows.set_linked(ROLE_ACCEPTS, self.role_id, [rows.get(ENTITY, t)["id"] for t in dict.fromkeys(self.accepts)])
        check_role_fillers(session, rows, self.role_id)
        self.label = f"change what {role['name']} accepts"


@dataclass
class SetRoleAcceptsEvents(CodebookEdit):
    """The event types whose events may fill a role (nested events); with none, and no entity
    types, the role takes any mention. Refused while stored arguments it would no longer accept fill it."""

    role_id: int
    event_type_ids: list[int]

    def edit(self, session: Session, rows: CodebookRows) -> None:
        role = rows.get(ROLE, self.role_id)
        wanted = [rows.get(EVENT, t)["id"] for t in dict.fromkeys(self.event_type_ids)]
        rows.set_linked(ROLE_EVENTS, self.role_id, wanted)
        check_role_fillers(session, rows, self.role_id)
        self.label = f"change which events {role['name']} accepts"


@dataclass
class SetRoleRepeatable(CodebookEdit):
    role_id: int
    repeatable: bool

    def edit(self, session: Session, rows: CodebookRows) -> None:
        role = rows.get(ROLE, self.role_id)
        if not self.repeatable:
            per_event = (select(EventArgument.event_id).where(EventArgument.role_id == self.role_id)
                         .group_by(EventArgument.event_id).having(func.count() > 1))
            n = len(session.scalars(per_event).all())
            if n:
                raise CodebookError(f"{role['name']} holds several mentions in {plural(n, 'event')}; it must stay "
                                    "repeatable until each of them has one")
        role["repeatable"] = bool(self.repeatable)
        self.label = f"make {role['name']} {'repeatable' if self.repeatable else 'take one mention'}"


@dataclass
class Remove(CodebookEdit):
    """Remove an item no stored annotation uses; refused with counts otherwise."""

    table: str
    item_id: int

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = rows.get(self.table, self.item_id)
        name = item["name"]
        if self.table == ENTITY:
            _remove_entity_type(session, rows, item)
        elif self.table == EVENT:
            _remove_event_type(session, rows, item)
        elif self.table == ROLE:
            usage = fillers_of_role(session, self.item_id)
            if usage:
                owner = rows.get(EVENT, item["event_type_id"])["name"]
                raise CodebookError(f"the role {name} of {owner} is filled in {uses(usage, 'event')}; "
                                    "clear it there first")
            _remove_role(rows, self.item_id)
            self.label = f"remove role {name}"
            return
        elif self.table == ATTRIBUTE:
            usage = attribute_values(session, self.item_id, item["target"])
            if usage:
                raise CodebookError(f"{name} is set on {uses(usage, item['target'])}; clear those values first")
        elif self.table == CODE:
            usage = code_values(session, self.item_id)
            if usage:
                raise CodebookError(f"{name} is coded for {plural(usage.documents, 'document')}; "
                                    "clear those codings first")
        elif self.table == RELATION:
            usage = relations_of_type(session, self.item_id)
            if usage:
                raise CodebookError(f"{name} is used by {uses(usage, 'relation')}; delete those relations first")
            rows.unlink_owner(SOURCE_ACCEPTS, self.item_id)
            rows.unlink_owner(TARGET_ACCEPTS, self.item_id)
        del rows.tables[self.table][self.item_id]
        self.label = f"remove {kind_of(self.table, item)} {name}"


def _type_row(rows: CodebookRows, table: str, item_id: int) -> Row:
    if table not in (ENTITY, EVENT, RELATION):
        raise CodebookError("only entity, event and relation types have a colour and a hotkey")
    return rows.get(table, item_id)


def _remove_role(rows: CodebookRows, role_id: int) -> None:
    rows.unlink_owner(ROLE_ACCEPTS, role_id)
    rows.unlink_owner(ROLE_EVENTS, role_id)
    del rows.tables[ROLE][role_id]


def _drop_from_applies_to(rows: CodebookRows, target: str, name: str) -> None:
    """Forget a removed type in what attributes apply to; refused where it is all they apply to
    (an empty list means every type, so removing it would widen the attribute)."""
    for attr in rows.items(ATTRIBUTE, target=target):
        applies = json_list(attr, "applies_to_json")
        if name in applies:
            if applies == [name]:
                raise CodebookError(f"{attr['name']} applies only to {name}; make it apply to another type "
                                    "(or remove it) first")
            set_json_list(attr, "applies_to_json", [a for a in applies if a != name])


def _remove_entity_type(session: Session, rows: CodebookRows, item: Row) -> None:
    name, type_id = item["name"], item["id"]
    roles = [r["id"] for e in rows.items(EVENT) for r in rows.items(ROLE, event_type_id=e["id"])
             if (r["id"], type_id) in rows.accepts]
    usage = mentions_of_type(session, type_id)
    if usage:
        also = f" (and {plural(len(roles), 'event role')} accept it)" if roles else ""
        raise CodebookError(f"{name} is used by {uses(usage, 'mention')}{also}; merge it into another type instead")
    # a role or relation end that accepted only this type would accept any type once it is gone
    only = [rows.get(ROLE, r) for r in roles if rows.accepted(r) == [type_id] and not rows.linked(ROLE_EVENTS, r)]
    if only:
        owner = rows.get(EVENT, only[0]["event_type_id"])["name"]
        more = f" (and {plural(len(only) - 1, 'other role')})" if len(only) > 1 else ""
        raise CodebookError(f"{name} is the only type the role {only[0]['name']} of {owner} accepts{more}; "
                            "change what those roles accept first (a role that accepts nothing accepts any type)")
    ends = [(rel, end) for rel in rows.items(RELATION) for link, end in ((SOURCE_ACCEPTS, "source"),
                                                                          (TARGET_ACCEPTS, "target"))
            if rows.linked(link, rel["id"]) == [type_id]]
    if ends:
        more = f" (and {plural(len(ends) - 1, 'other relation end')})" if len(ends) > 1 else ""
        raise CodebookError(f"{name} is the only type the {ends[0][1]} of the relation type {ends[0][0]['name']} "
                            f"accepts{more}; change what it accepts first (an end that accepts nothing accepts "
                            "any type)")
    _drop_from_applies_to(rows, "mention", name)
    for link in (ROLE_ACCEPTS, SOURCE_ACCEPTS, TARGET_ACCEPTS):
        rows.retarget(link, type_id, None)


def _remove_event_type(session: Session, rows: CodebookRows, item: Row) -> None:
    name, type_id = item["name"], item["id"]
    usage = events_of_type(session, type_id)
    if usage:
        raise CodebookError(f"{name} is used by {uses(usage, 'event')}; merge it into another type instead")
    only = [rows.get(ROLE, r) for r, t in sorted(rows.links[ROLE_EVENTS]) if t == type_id
            and rows.tables[ROLE][r]["event_type_id"] != type_id
            and rows.linked(ROLE_EVENTS, r) == [type_id] and not rows.accepted(r)]
    if only:
        owner = rows.get(EVENT, only[0]["event_type_id"])["name"]
        more = f" (and {plural(len(only) - 1, 'other role')})" if len(only) > 1 else ""
        raise CodebookError(f"{name} events are all the role {only[0]['name']} of {owner} accepts{more}; "
                            "change what those roles accept first (a role that accepts nothing accepts any mention)")
    _drop_from_applies_to(rows, "event", name)
    for role in rows.items(ROLE, event_type_id=type_id):
        _remove_role(rows, role["id"])
    rows.retarget(ROLE_EVENTS, type_id, None)
