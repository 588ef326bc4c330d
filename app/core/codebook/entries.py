"""The entries of a codebook file turned into a spec, every field's type checked first.

A codebook file is data someone typed (or anyone sent): each field must already be what it
stands for -- text for names, colours and definitions, true/false for `repeatable`, lists of
text for values -- so nothing reaches the database as a list, or as the text of a null. A
plain whole number is taken as its text where text is a name's value or a hotkey (ordinal
codes are often 1..5, hotkeys often digits). Counts are capped (LIMITS) so a file cannot
make an import take minutes. Errors are CodebookError naming the entry.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MAX_ITEMS = 2000
"""At most this many entity types, event types, attributes and document codes each."""
MAX_ROLES = 200
"""At most this many roles per event type."""
MAX_VALUES = 1000
"""At most this many values per attribute or document code (and names in accepts/applies_to)."""

SECTIONS = {"entity_types": "entity type", "event_types": "event type", "attributes": "attribute",
            "document_codes": "document code", "relation_types": "relation type"}


def spec_from_sections(data: dict[str, Any]) -> CodebookSpec:
    items = {key: _list_of_mappings(key, data.get(key), MAX_ITEMS) for key in SECTIONS}
    return CodebookSpec(
        entity_types=[_entity_type(_label("entity type", i, e), e) for i, e in enumerate(items["entity_types"])],
        event_types=[_event_type(_label("event type", i, e), e) for i, e in enumerate(items["event_types"])],
        attributes=[_attribute(_label("attribute", i, a), a) for i, a in enumerate(items["attributes"])],
        document_codes=[_code(_label("document code", i, c), c) for i, c in enumerate(items["document_codes"])],
        relation_types=[_relation_type(_label("relation type", i, r), r)
                        for i, r in enumerate(items["relation_types"])],
    )


def _entity_type(label: str, item: dict[str, Any]) -> EntityTypeSpec:
    _keys(label, item, EntityTypeSpec)
    return EntityTypeSpec(_text(label, item, "name"), _text(label, item, "color"), _hotkey(label, item),
                          _definition(label, item))


def _event_type(label: str, item: dict[str, Any]) -> EventTypeSpec:
    _keys(label, item, EventTypeSpec)
    roles = _list_of_mappings(f"{label}: roles", item.get("roles"), MAX_ROLES)
    return EventTypeSpec(
        _text(label, item, "name"), _text(label, item, "color"), _hotkey(label, item), _definition(label, item),
        roles=[_role(_label("role", i, r, f" of {label}"), r) for i, r in enumerate(roles)],
    )


def _role(label: str, item: dict[str, Any]) -> RoleSpec:
    _keys(label, item, RoleSpec)
    return RoleSpec(_text(label, item, "name"), _texts(label, item, "accepts", MAX_ITEMS),
                    _flag(label, item, "repeatable"), _definition(label, item),
                    _texts(label, item, "accepts_events", MAX_ITEMS))


def _relation_type(label: str, item: dict[str, Any]) -> RelationTypeSpec:
    _keys(label, item, RelationTypeSpec)
    return RelationTypeSpec(
        _text(label, item, "name"), _text(label, item, "color"), _hotkey(label, item), _definition(label, item),
        _texts(label, item, "source_accepts", MAX_ITEMS), _texts(label, item, "target_accepts", MAX_ITEMS),
        _flag(label, item, "symmetric"), _flag(label, item, "transitive"))


def _flag(label: str, item: dict[str, Any], key: str) -> bool:
    value = item.get(key)
    if value is not None and not isinstance(value, bool):
        raise CodebookError(f"{label}: {key} must be true or false, not {_shown(value)}")
    return bool(value)


def _attribute(label: str, item: dict[str, Any]) -> AttributeSpec:
    _keys(label, item, AttributeSpec)
    target = _optional_text(label, item, "target")
    return AttributeSpec(_text(label, item, "name"), "event" if target is None else target,
                         _texts(label, item, "values", MAX_VALUES, numbers=True),
                         _texts(label, item, "applies_to", MAX_ITEMS), _definition(label, item))


def _code(label: str, item: dict[str, Any]) -> DocumentCodeSpec:
    _keys(label, item, DocumentCodeSpec)
    level = _optional_text(label, item, "level")
    return DocumentCodeSpec(_text(label, item, "name"), "nominal" if level is None else level,
                            _texts(label, item, "values", MAX_VALUES, numbers=True), _definition(label, item))


def _label(kind: str, index: int, item: Any, of: str = "") -> str:
    """`entity type 'Person'`, or `entity type #3` while its name is not plain text."""
    name = item.get("name") if isinstance(item, dict) else None
    if isinstance(name, str) and name.isprintable() and 0 < len(name) <= 60:
        return f"{kind} {name!r}{of}"
    return f"{kind} #{index + 1}{of}"


def _list_of_mappings(what: str, value: Any, limit: int) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise CodebookError(f"{what} must be a list of mappings")
    if len(value) > limit:
        raise CodebookError(f"{what} has {len(value)} entries; at most {limit} are allowed")
    return value


def _keys(label: str, item: dict[str, Any], cls: type[DataclassInstance]) -> None:
    allowed = {f.name for f in dataclasses.fields(cls)}
    unknown = set(item) - allowed
    if unknown:
        listed = ", ".join(sorted(repr(k) if not isinstance(k, str) else k[:40] for k in unknown)[:5])
        raise CodebookError(f"{label}: unknown key(s) {listed}; allowed: {', '.join(sorted(allowed))}")


def _text(label: str, item: dict[str, Any], key: str) -> str:
    value = _optional_text(label, item, key)
    if value is None:
        raise CodebookError(f"{label}: {key} is missing")
    return value


def _optional_text(label: str, item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise CodebookError(f"{label}: {key} must be text, not {_shown(value)}")
    return value


def _hotkey(label: str, item: dict[str, Any]) -> str | None:
    value = item.get("hotkey")
    if _is_whole(value):
        return str(value)
    return _optional_text(label, item, "hotkey")


def _definition(label: str, item: dict[str, Any]) -> str:
    value = _optional_text(label, item, "definition")
    return "" if value is None else value


def _texts(label: str, item: dict[str, Any], key: str, limit: int, numbers: bool = False) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CodebookError(f"{label}: {key} must be a list, not {_shown(value)} (write [a, b] or one '- a' a line)")
    if len(value) > limit:
        raise CodebookError(f"{label}: {key} has {len(value)} entries; at most {limit} are allowed")
    out = []
    for v in value:
        if numbers and _is_whole(v):
            v = str(v)
        if not isinstance(v, str):
            raise CodebookError(f"{label}: each of its {key} must be text, not {_shown(v)}")
        out.append(v)
    return out


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """What a wrongly typed value is, for a message (never its whole contents)."""
    quote = "; put it in quotes to mean the text"
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no){quote}"
    if isinstance(value, (int, float)):
        return f"the number {str(value)[:20]}{quote}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value}{quote}"
    if isinstance(value, str):
        return repr(value[:40])
    kinds: dict[type, str] = {list: "a list", dict: "a mapping", set: "a set", bytes: "binary data"}
    return kinds.get(type(value), type(value).__name__)
