"""The stored codebook as plain rows with their ids, and a diff of rows that can be applied both ways.

A codebook edit reads the rows, changes a copy, and keeps only the difference: the rows it
added, changed or removed (with their values before and after), the pairs of the link tables
(`LINKS`: what a role or a relation type accepts) it added or removed, and the annotation rows a
merge moved. Undo applies the difference
backwards, redo forwards, with the same ids, so later history entries that refer to them stay
valid. Each step first checks that the rows it changes still hold what it expects; if an import
changed them meanwhile it is refused instead of overwriting that import.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

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
    RelationType,
    relation_source_accepts,
    relation_target_accepts,
    role_accepts,
    role_accepts_events,
)

Row = dict[str, Any]

CODEBOOK_TABLES: tuple[Table, ...] = tuple(
    m.__table__ for m in (EntityType, EventType, EventRole, Attribute, DocumentCode,  # type: ignore[misc]
                          RelationType))
ANNOTATION_TABLES: tuple[Table, ...] = tuple(
    m.__table__ for m in (Mention, Event, EventArgument, MentionAttributeValue, EventAttributeValue,  # type: ignore[misc]
                          DocumentCodeValue))
ORDER: tuple[Table, ...] = CODEBOOK_TABLES + ANNOTATION_TABLES
"""Parents before children: inserts go in this order, deletes in the reverse."""
_BY_NAME = {t.name: t for t in ORDER}

ENTITY, EVENT, ROLE, ATTRIBUTE, CODE, RELATION = (t.name for t in CODEBOOK_TABLES)
KINDS = {ENTITY: "entity type", EVENT: "event type", ROLE: "role", ATTRIBUTE: "attribute", CODE: "document code",
         RELATION: "relation type"}

LINKS: dict[str, Table] = {t.name: t for t in (role_accepts, role_accepts_events, relation_source_accepts,
                                               relation_target_accepts)}
"""Link tables of two columns: (the role or relation type, the type it accepts)."""
ROLE_ACCEPTS, ROLE_EVENTS, SOURCE_ACCEPTS, TARGET_ACCEPTS = LINKS
LINKED = {ROLE_ACCEPTS: ENTITY, ROLE_EVENTS: EVENT, SOURCE_ACCEPTS: ENTITY, TARGET_ACCEPTS: ENTITY}
"""The table of the types each link table accepts."""

Pairs = frozenset[tuple[int, int]]


@dataclass
class CodebookRows:
    """The codebook tables as {table name: {id: row}} and the pairs of each link table."""

    tables: dict[str, dict[int, Row]]
    links: dict[str, set[tuple[int, int]]]  # {link table: {(owner id, accepted type id)}}
    moved: dict[str, dict[int, tuple[Row | None, Row | None]]] = field(default_factory=dict)
    """Annotation rows an edit changes (before, after): a merge retypes mentions, say."""

    @property
    def accepts(self) -> set[tuple[int, int]]:
        """(role id, entity type id) pairs."""
        return self.links[ROLE_ACCEPTS]

    @accepts.setter
    def accepts(self, pairs: set[tuple[int, int]]) -> None:
        self.links[ROLE_ACCEPTS] = pairs

    def copy(self) -> CodebookRows:
        return CodebookRows(copy.deepcopy(self.tables), {k: set(v) for k, v in self.links.items()}, {})

    def items(self, table: str, **where: Any) -> list[Row]:
        """The rows of `table` in codebook order, those whose columns equal `where`."""
        rows = [r for r in self.tables[table].values() if all(r[k] == v for k, v in where.items())]
        return sorted(rows, key=lambda r: (r["position"], r["id"]))

    def get(self, table: str, item_id: int) -> Row:
        row = self.tables[table].get(item_id)
        if row is None:
            raise CodebookError(f"no {KINDS[table]} with id {item_id} (it was removed meanwhile)")
        return row

    def add(self, table: str, row: Row) -> Row:
        """Insert `row` with the next free id and the last position."""
        rows = self.tables[table]
        row["id"] = max(rows, default=0) + 1
        row["position"] = max((r["position"] for r in rows.values()), default=-1) + 1
        rows[row["id"]] = row
        return row

    def accepted(self, role_id: int) -> list[int]:
        """The entity type ids a role accepts, in codebook order."""
        return self.linked(ROLE_ACCEPTS, role_id)

    def linked(self, link: str, owner_id: int) -> list[int]:
        """The type ids a role or relation type accepts in link table `link`, in codebook order."""
        ids = {t for o, t in self.links[link] if o == owner_id}
        return [r["id"] for r in self.items(LINKED[link]) if r["id"] in ids]

    def set_linked(self, link: str, owner_id: int, type_ids: list[int]) -> None:
        self.links[link] = {p for p in self.links[link] if p[0] != owner_id} | {(owner_id, t) for t in type_ids}

    def unlink_owner(self, link: str, owner_id: int) -> None:
        self.links[link] = {p for p in self.links[link] if p[0] != owner_id}

    def retarget(self, link: str, old_type: int, new_type: int | None) -> None:
        """Owners that accepted `old_type` accept `new_type` instead (None: nothing in its place)."""
        for owner, type_id in list(self.links[link]):
            if type_id == old_type:
                self.links[link].discard((owner, type_id))
                if new_type is not None:
                    self.links[link].add((owner, new_type))

    def move_annotation(self, table: str, before: Row, after: Row | None) -> None:
        self.moved.setdefault(table, {})[before["id"]] = (before, after)


def json_list(row: Row, column: str) -> list[str]:
    return list(json.loads(row[column] or "[]"))


def set_json_list(row: Row, column: str, values: list[str]) -> None:
    row[column] = json.dumps(list(values), ensure_ascii=False)


def read_rows(session: Session) -> CodebookRows:
    tables = {t.name: {r["id"]: dict(r) for r in session.execute(select(t)).mappings()} for t in CODEBOOK_TABLES}
    return CodebookRows(tables, {name: _pairs(session, table) for name, table in LINKS.items()})


def _pairs(session: Session, table: Table) -> set[tuple[int, int]]:
    owner, accepted = table.c
    return {(o, t) for o, t in session.execute(select(owner, accepted))}


def annotation_rows(session: Session, table: Any, *where: Any) -> list[Row]:
    return [dict(r) for r in session.execute(select(table).where(*where)).mappings()]


@dataclass
class RowDiff:
    """Rows changed by one edit: {table: {id: (before, after)}}, None for absent; link pairs
    added and removed, by link table."""

    rows: dict[str, dict[int, tuple[Row | None, Row | None]]]
    links_added: dict[str, Pairs]
    links_removed: dict[str, Pairs]

    @property
    def empty(self) -> bool:
        return not self.rows and not self.links_added and not self.links_removed


def diff_rows(before: CodebookRows, after: CodebookRows) -> RowDiff:
    rows: dict[str, dict[int, tuple[Row | None, Row | None]]] = {}
    for table in CODEBOOK_TABLES:
        old, new = before.tables[table.name], after.tables[table.name]
        changed = {i: (old.get(i), new.get(i)) for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
        if changed:
            rows[table.name] = changed
    for name, moved in after.moved.items():
        rows.setdefault(name, {}).update(moved)
    added = {k: frozenset(after.links[k] - before.links[k]) for k in LINKS}
    removed = {k: frozenset(before.links[k] - after.links[k]) for k in LINKS}
    return RowDiff(rows, {k: v for k, v in added.items() if v}, {k: v for k, v in removed.items() if v})


def apply_diff(session: Session, diff: RowDiff, forward: bool) -> None:
    """Make the rows of `diff` what they were after the edit (`forward`) or before it."""
    src, dst = (0, 1) if forward else (1, 0)
    added, removed = (diff.links_added, diff.links_removed) if forward else (diff.links_removed, diff.links_added)
    _check_current(session, diff, src, removed, added)
    for name, pairs in removed.items():
        table = LINKS[name]
        owner, accepted = table.c
        for owner_id, type_id in pairs:
            session.execute(delete(table).where(owner == owner_id, accepted == type_id))
    for table in ORDER:  # inserts, parents first
        rows: list[Row] = []
        for pair in diff.rows.get(table.name, {}).values():
            new_row = pair[dst]
            if pair[src] is None and new_row is not None:
                rows.append(new_row)
        if rows:
            session.execute(insert(table), rows)
    for table in ORDER:  # updates of the changed columns, in batches of rows that change the same ones
        batches: dict[tuple[str, ...], list[Row]] = {}
        for item_id, pair in diff.rows.get(table.name, {}).items():
            old, new = pair[src], pair[dst]
            if old is not None and new is not None:
                changed = {k: v for k, v in new.items() if old.get(k) != v}
                if changed:
                    batches.setdefault(tuple(sorted(changed)), []).append(
                        {"row_id": item_id, **{f"new_{k}": v for k, v in changed.items()}})
        for names, params in batches.items():
            statement = (update(table).where(table.c.id == bindparam("row_id"))
                         .values({k: bindparam(f"new_{k}") for k in names}))
            session.connection().execute(statement, params)
    for table in reversed(ORDER):  # deletes, children first
        ids = [i for i, pair in diff.rows.get(table.name, {}).items() if pair[src] is not None and pair[dst] is None]
        for start in range(0, len(ids), 500):
            session.execute(delete(table).where(table.c.id.in_(ids[start:start + 500])))
    for name, pairs in added.items():
        table = LINKS[name]
        owner, accepted = table.c
        session.execute(insert(table), [{owner.name: o, accepted.name: t} for o, t in sorted(pairs)])
    session.expire_all()


_STALE = ("the codebook or its annotations were changed meanwhile (by an import or a merge); "
          "nothing was changed")


def _check_current(session: Session, diff: RowDiff, src: int, removed: dict[str, Pairs],
                   added: dict[str, Pairs]) -> None:
    """Refuse when a row the step changes no longer holds what the step expects."""
    for name, pairs in diff.rows.items():
        table = _BY_NAME[name]
        ids = list(pairs)
        current: dict[int, Row] = {}
        for start in range(0, len(ids), 500):  # well under SQLite's limit of bound values
            current.update((r["id"], dict(r)) for r in session.execute(
                select(table).where(table.c.id.in_(ids[start:start + 500]))).mappings())
        for item_id, pair in pairs.items():
            expected, now = pair[src], current.get(item_id)
            other = pair[1 - src]
            if expected is None:
                stale = now is not None
            elif now is None:
                stale = True
            else:  # the columns this step changes must still hold their expected values
                keys = [k for k in expected if other is None or other.get(k) != expected[k]]
                stale = any(now.get(k) != expected[k] for k in keys)
            if stale:
                raise CodebookError(_STALE)
    for name in removed.keys() | added.keys():
        pairs_now = _pairs(session, LINKS[name])
        if not removed.get(name, frozenset()) <= pairs_now or added.get(name, frozenset()) & pairs_now:
            raise CodebookError(_STALE)
