"""Codebook edits of attributes and document codes: add them, their values, what they apply to, the level.

An edit that would leave a stored value invalid (a removed value still set on annotations,
a type an attribute no longer applies to, text in a code made numeric) is refused with counts.
Renaming a value renames it in the stored annotations too (one undo entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.core.codebook.checks import (
    check_stored_attribute_values,
    check_stored_code_values,
    check_unique,
    clean_name,
    clean_values,
)
from app.core.codebook.rows import (
    ATTRIBUTE,
    CODE,
    ENTITY,
    EVENT,
    CodebookRows,
    Row,
    annotation_rows,
    json_list,
    set_json_list,
)
from app.core.codebook.spec import LEVELS, TARGETS
from app.core.errors import CodebookError
from app.core.models import (
    DocumentCodeValue,
    EventAttributeValue,
    MentionAttributeValue,
    utcnow,
)
from app.core.services.codebook_edits.action import CodebookEdit
from app.core.validation import normalise_name


@dataclass
class AddAttribute(CodebookEdit):
    name: str
    target: str = "event"
    values: list[str] = field(default_factory=list)
    applies_to: list[str] = field(default_factory=list)
    definition: str = ""
    item_id: int | None = None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        if self.target not in TARGETS:
            raise CodebookError(f"an attribute is of events or of mentions, not {self.target!r}")
        kind = f"{self.target} attribute"
        name = clean_name(kind, self.name)
        check_unique(kind, name, rows.items(ATTRIBUTE, target=self.target))
        row = rows.add(ATTRIBUTE, {"name": name, "target": self.target, "definition": self.definition or ""})
        set_json_list(row, "values_json", clean_values(name, self.values))
        set_json_list(row, "applies_to_json", [normalise_name(a) for a in self.applies_to])
        self.item_id = row["id"]
        self.label = f"add {kind} {name}"


@dataclass
class AddDocumentCode(CodebookEdit):
    name: str
    level: str = "nominal"
    values: list[str] = field(default_factory=list)
    definition: str = ""
    item_id: int | None = None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        name = clean_name("document code", self.name)
        check_unique("document code", name, rows.items(CODE))
        row = rows.add(CODE, {"name": name, "level": self.level, "definition": self.definition or ""})
        set_json_list(row, "values_json", clean_values(name, self.values))
        self.item_id = row["id"]
        self.label = f"add document code {name}"


@dataclass
class SetValues(CodebookEdit):
    """The values of an attribute (none: a yes/no flag) or a document code, in order."""

    table: str
    item_id: int
    values: list[str]

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = _choice_row(rows, self.table, self.item_id)
        set_json_list(item, "values_json", clean_values(item["name"], self.values))
        _check_stored(session, rows, self.table, self.item_id)
        self.label = f"change the values of {item['name']}"


@dataclass
class RenameValue(CodebookEdit):
    """Rename one value of an attribute or document code, here and wherever it is stored."""

    table: str
    item_id: int
    old: str
    new: str
    moves_annotations = True

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = _choice_row(rows, self.table, self.item_id)
        values = json_list(item, "values_json")
        old = normalise_name(self.old)
        if old not in values:
            raise CodebookError(f"{item['name']} has no value {self.old!r}")
        new = clean_values(item["name"], [self.new])[0]
        if new != old and new in values:
            raise CodebookError(f"{item['name']} already has the value {new!r}")
        set_json_list(item, "values_json", [new if v == old else v for v in values])
        model: Any
        if self.table == CODE:
            model = DocumentCodeValue
            where = (DocumentCodeValue.code_id == self.item_id,)
        else:
            model = EventAttributeValue if item["target"] == "event" else MentionAttributeValue
            where = (model.attribute_id == self.item_id,)
        now = utcnow()
        for row in annotation_rows(session, model.__table__, *where, model.value == old):
            rows.move_annotation(model.__tablename__, row, {**row, "value": new, "modified_at": now})
        self.label = f"rename the value {old} of {item['name']} to {new}"


@dataclass
class SetAppliesTo(CodebookEdit):
    """The types (by name) an attribute applies to; none: every type of its target."""

    attribute_id: int
    applies_to: list[str]

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = rows.get(ATTRIBUTE, self.attribute_id)
        names = {r["name"] for r in rows.tables[EVENT if item["target"] == "event" else ENTITY].values()}
        wanted = [normalise_name(a) for a in dict.fromkeys(self.applies_to)]
        unknown = [a for a in wanted if a not in names]
        if unknown:
            raise CodebookError(f"{item['name']} cannot apply to {unknown[0]!r}: there is no such {item['target']} type")
        set_json_list(item, "applies_to_json", wanted)
        _check_stored(session, rows, ATTRIBUTE, self.attribute_id)
        self.label = f"change what {item['name']} applies to"


@dataclass
class SetLevel(CodebookEdit):
    code_id: int
    level: str

    def edit(self, session: Session, rows: CodebookRows) -> None:
        item = rows.get(CODE, self.code_id)
        if self.level not in LEVELS:
            raise CodebookError(f"the level of a document code is one of {', '.join(LEVELS)}, not {self.level!r}")
        item["level"] = self.level
        _check_stored(session, rows, CODE, self.code_id)
        self.label = f"make {item['name']} {self.level}"


def _choice_row(rows: CodebookRows, table: str, item_id: int) -> Row:
    if table not in (ATTRIBUTE, CODE):
        raise CodebookError("only attributes and document codes have values")
    return rows.get(table, item_id)


def _check_stored(session: Session, rows: CodebookRows, table: str, item_id: int) -> None:
    if table == CODE:
        check_stored_code_values(session, rows.get(CODE, item_id))
    else:
        check_stored_attribute_values(session, rows, rows.get(ATTRIBUTE, item_id))
