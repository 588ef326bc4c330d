"""The codebook as plain data, independent of storage, with validation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from app.core.errors import AnnotaryError, CodebookError
from app.core.validation import (
    check_label_text,
    check_long_text,
    name_key,
    normalise_name,
)

LEVELS = ("nominal", "ordinal", "interval", "ratio")
TARGETS = ("event", "mention")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class EntityTypeSpec:
    name: str
    color: str
    hotkey: str | None = None
    definition: str = ""


@dataclass
class RoleSpec:
    """A role of an event type. It takes mentions of the entity types in `accepts` and events of
    the types in `accepts_events` (nested events); with both empty, any mention."""

    name: str
    accepts: list[str] = field(default_factory=list)
    repeatable: bool = False
    definition: str = ""
    accepts_events: list[str] = field(default_factory=list)


@dataclass
class EventTypeSpec:
    name: str
    color: str
    hotkey: str | None = None
    definition: str = ""
    roles: list[RoleSpec] = field(default_factory=list)

    def role(self, name: str) -> RoleSpec | None:
        return next((r for r in self.roles if r.name == name), None)

    def role_like(self, name: str) -> RoleSpec | None:
        """The role named `name`, else the one role whose name differs only in case or form."""
        return _like(self.roles, name)


@dataclass
class RelationTypeSpec:
    """A directed link from a source mention to a target mention; empty accepts: any entity type."""

    name: str
    color: str
    hotkey: str | None = None
    definition: str = ""
    source_accepts: list[str] = field(default_factory=list)
    target_accepts: list[str] = field(default_factory=list)
    symmetric: bool = False
    transitive: bool = False  # an equivalence (brat's symmetric-transitive): symmetric too


@dataclass
class AttributeSpec:
    """An attribute of events or mentions; an empty value list means a yes/no flag."""

    name: str
    target: str = "event"
    values: list[str] = field(default_factory=list)
    applies_to: list[str] = field(default_factory=list)
    definition: str = ""

    @property
    def is_flag(self) -> bool:
        return not self.values


@dataclass
class DocumentCodeSpec:
    name: str
    level: str = "nominal"
    values: list[str] = field(default_factory=list)
    definition: str = ""


@dataclass
class CodebookSpec:
    entity_types: list[EntityTypeSpec] = field(default_factory=list)
    event_types: list[EventTypeSpec] = field(default_factory=list)
    attributes: list[AttributeSpec] = field(default_factory=list)
    document_codes: list[DocumentCodeSpec] = field(default_factory=list)
    relation_types: list[RelationTypeSpec] = field(default_factory=list)

    def entity_type(self, name: str) -> EntityTypeSpec | None:
        return next((t for t in self.entity_types if t.name == name), None)

    def event_type(self, name: str) -> EventTypeSpec | None:
        return next((t for t in self.event_types if t.name == name), None)

    def relation_type(self, name: str) -> RelationTypeSpec | None:
        return next((t for t in self.relation_types if t.name == name), None)

    def relation_type_like(self, name: str) -> RelationTypeSpec | None:
        return _like(self.relation_types, name)

    def attribute(self, name: str, target: str = "event") -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name and a.target == target), None)

    # Names are compared casefolded: "PERSON" from a corpus is the codebook's "Person". An exact
    # name wins (a project made before this rule may hold both spellings as two types).
    def entity_type_like(self, name: str) -> EntityTypeSpec | None:
        return _like(self.entity_types, name)

    def event_type_like(self, name: str) -> EventTypeSpec | None:
        return _like(self.event_types, name)

    def attribute_like(self, name: str, target: str = "event") -> AttributeSpec | None:
        return _like([a for a in self.attributes if a.target == target], name)

    def document_code_like(self, name: str) -> DocumentCodeSpec | None:
        return _like(self.document_codes, name)

    def normalise(self) -> CodebookSpec:
        """NFC-normalise every name and value in place (so look-alike names are one name); returns self."""
        n = normalise_name
        for typ in self.entity_types:
            typ.name = n(typ.name)
        for ev in self.event_types:
            ev.name = n(ev.name)
            for role in ev.roles:
                role.name, role.accepts = n(role.name), [n(a) for a in role.accepts]
                role.accepts_events = [n(a) for a in role.accepts_events]
        for rel in self.relation_types:
            rel.name = n(rel.name)
            rel.source_accepts, rel.target_accepts = [n(a) for a in rel.source_accepts], [n(a) for a in rel.target_accepts]
        for attr in self.attributes:
            attr.name = n(attr.name)
            attr.values, attr.applies_to = [n(v) for v in attr.values], [n(a) for a in attr.applies_to]
        for code in self.document_codes:
            code.name, code.values = n(code.name), [n(v) for v in code.values]
        return self

    def validate(self, before: CodebookSpec | None = None, case: bool = True) -> None:
        """Raise CodebookError naming the first problem found (call `normalise` first).

        Names that differ only in case are one name: a codebook may not hold both, except pairs
        already in `before` (the stored codebook: a project made before this rule keeps them).
        `case=False` checks only exact duplicates (reading a file; the case rule is applied when
        it is applied to a project)."""
        old = before if before is not None else CodebookSpec()
        kept = (lambda names: set(names)) if case else (lambda names: None)
        _unique("entity type", [t.name for t in self.entity_types], kept(t.name for t in old.entity_types))
        _unique("event type", [t.name for t in self.event_types], kept(t.name for t in old.event_types))
        _unique("relation type", [t.name for t in self.relation_types], kept(t.name for t in old.relation_types))
        _unique("document code", [c.name for c in self.document_codes], kept(c.name for c in old.document_codes))
        for target in TARGETS:
            _unique(f"{target} attribute", [a.name for a in self.attributes if a.target == target],
                    kept(a.name for a in old.attributes if a.target == target))
        hotkeys: dict[str, str] = {}
        entity_names = {t.name for t in self.entity_types}
        event_names = {t.name for t in self.event_types}
        typed: list[tuple[str, EntityTypeSpec | EventTypeSpec | RelationTypeSpec]] = [
            *(("entity type", t) for t in self.entity_types), *(("event type", t) for t in self.event_types),
            *(("relation type", t) for t in self.relation_types)]
        for kind, typ in typed:
            _name(kind, typ.name)
            if not _COLOR.match(typ.color or ""):
                raise CodebookError(f"{kind} {typ.name!r}: colour must look like #1f77b4, not {typ.color!r}")
            _definition(f"{kind} {typ.name!r}", typ.definition)
            if typ.hotkey:
                _text(f"hotkey of {kind} {typ.name!r}", typ.hotkey)
                key = typ.hotkey.lower()
                if key in hotkeys:
                    raise CodebookError(f"hotkey {typ.hotkey!r} is used by both {hotkeys[key]!r} and {typ.name!r}")
                hotkeys[key] = typ.name
        for ev in self.event_types:
            old_type = old.event_type(ev.name)
            _unique(f"role of {ev.name!r}", [r.name for r in ev.roles],
                    kept(r.name for r in (old_type.roles if old_type else [])))
            for role in ev.roles:
                _name(f"role of {ev.name!r}", role.name)
                _definition(f"role {role.name!r} of {ev.name!r}", role.definition)
                for accepted in role.accepts:
                    if accepted not in entity_names:
                        raise CodebookError(
                            f"role {role.name!r} of {ev.name!r} accepts unknown entity type {accepted!r}"
                        )
                for accepted in role.accepts_events:
                    if accepted not in event_names:
                        raise CodebookError(
                            f"role {role.name!r} of {ev.name!r} accepts unknown event type {accepted!r}"
                        )
        for rel in self.relation_types:
            if rel.transitive and not rel.symmetric:
                raise CodebookError(f"relation type {rel.name!r} is transitive (an equivalence), so it must be "
                                    "symmetric too")
            for end, names in (("source", rel.source_accepts), ("target", rel.target_accepts)):
                for accepted in names:
                    if accepted not in entity_names:
                        raise CodebookError(
                            f"the {end} of relation type {rel.name!r} accepts unknown entity type {accepted!r}")
        for attr in self.attributes:
            _name("attribute", attr.name)
            if attr.target not in TARGETS:
                raise CodebookError(f"attribute {attr.name!r}: target must be event or mention, not {attr.target!r}")
            _definition(f"attribute {attr.name!r}", attr.definition)
            _values(f"attribute {attr.name!r}", attr.values)
            known = event_names if attr.target == "event" else entity_names
            for name in attr.applies_to:
                if name not in known:
                    raise CodebookError(f"attribute {attr.name!r} applies to unknown {attr.target} type {name!r}")
        for code in self.document_codes:
            _name("document code", code.name)
            if code.level not in LEVELS:
                raise CodebookError(
                    f"document code {code.name!r}: level must be one of {', '.join(LEVELS)}, not {code.level!r}"
                )
            if code.level in ("nominal", "ordinal") and not code.values:
                raise CodebookError(f"document code {code.name!r} ({code.level}) needs a list of values")
            _definition(f"document code {code.name!r}", code.definition)
            _values(f"document code {code.name!r}", code.values)


def _text(what: str, text: str) -> None:
    try:
        check_label_text(what, text)
    except AnnotaryError as exc:
        raise CodebookError(exc.message) from None


def _definition(what: str, text: str) -> None:
    try:
        check_long_text(f"the definition of {what}", text or "")
    except AnnotaryError as exc:
        raise CodebookError(exc.message) from None


def _values(what: str, values: list[str]) -> None:
    """Values are compared exactly (after NFC): 'cap' and 'Cap' are two values (brat's TDT corpus
    codes capitalisation so), while the same value in two Unicode forms is one value twice."""
    for value in values:
        if not value.strip() or value != value.strip():
            raise CodebookError(f"{what}: value {value!r} must be non-empty text without surrounding spaces")
        _text(f"{what}: value", value)
    seen: set[str] = set()
    for value in values:
        if normalise_name(value) in seen:
            raise CodebookError(f"value of {what} {value!r} is defined twice")
        seen.add(normalise_name(value))


def _name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise CodebookError(f"{kind} name {name!r} must be non-empty text without surrounding spaces")
    _text(f"{kind} name", name)


def _unique(kind: str, names: list[str], kept: set[str] | None = None) -> None:
    """Names must differ by more than Unicode form, and by more than case unless `kept` is None
    (case not checked) or holds both (a pair the project already had)."""
    if any(not isinstance(name, str) for name in names):
        return  # _name reports it
    seen: dict[str, str] = {}
    for name in names:
        same = seen.get(normalise_name(name))
        if same is not None:
            raise CodebookError(f"{kind} {name!r} is defined twice")
        seen[normalise_name(name)] = name
    if kept is None:
        return
    by_key: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        first = by_key.get(key)
        if first is not None and not (first in kept and name in kept):
            raise CodebookError(f"{kind} {name!r} is defined twice (as {first!r} and {name!r}, which differ "
                                "only in case)")
        by_key.setdefault(key, name)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def _like(items: list[_N], name: str) -> _N | None:
    """The item named `name`; else the one item whose name equals it up to case and Unicode form."""
    exact = next((i for i in items if i.name == name), None)
    if exact is not None:
        return exact
    key = name_key(name)
    similar = [i for i in items if name_key(i.name) == key]
    return similar[0] if len(similar) == 1 else None
