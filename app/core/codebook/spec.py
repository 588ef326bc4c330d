"""The codebook as plain data, independent of storage, with validation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.errors import AnnotaryError, CodebookError
from app.core.validation import check_label_text, check_long_text, first_duplicate, normalise_name

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
    name: str
    accepts: list[str] = field(default_factory=list)
    repeatable: bool = False
    definition: str = ""


@dataclass
class EventTypeSpec:
    name: str
    color: str
    hotkey: str | None = None
    definition: str = ""
    roles: list[RoleSpec] = field(default_factory=list)

    def role(self, name: str) -> RoleSpec | None:
        return next((r for r in self.roles if r.name == name), None)


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

    def entity_type(self, name: str) -> EntityTypeSpec | None:
        return next((t for t in self.entity_types if t.name == name), None)

    def event_type(self, name: str) -> EventTypeSpec | None:
        return next((t for t in self.event_types if t.name == name), None)

    def attribute(self, name: str, target: str = "event") -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name and a.target == target), None)

    def normalise(self) -> CodebookSpec:
        """NFC-normalise every name and value in place (so look-alike names are one name); returns self."""
        n = normalise_name
        for typ in self.entity_types:
            typ.name = n(typ.name)
        for ev in self.event_types:
            ev.name = n(ev.name)
            for role in ev.roles:
                role.name, role.accepts = n(role.name), [n(a) for a in role.accepts]
        for attr in self.attributes:
            attr.name = n(attr.name)
            attr.values, attr.applies_to = [n(v) for v in attr.values], [n(a) for a in attr.applies_to]
        for code in self.document_codes:
            code.name, code.values = n(code.name), [n(v) for v in code.values]
        return self

    def validate(self) -> None:
        """Raise CodebookError naming the first problem found (call `normalise` first)."""
        _unique("entity type", [t.name for t in self.entity_types])
        _unique("event type", [t.name for t in self.event_types])
        _unique("document code", [c.name for c in self.document_codes])
        for target in TARGETS:
            _unique(f"{target} attribute", [a.name for a in self.attributes if a.target == target])
        hotkeys: dict[str, str] = {}
        entity_names = {t.name for t in self.entity_types}
        event_names = {t.name for t in self.event_types}
        for kind, typ in [("entity type", t) for t in self.entity_types] + [
            ("event type", t) for t in self.event_types
        ]:
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
            _unique(f"role of {ev.name!r}", [r.name for r in ev.roles])
            for role in ev.roles:
                _name(f"role of {ev.name!r}", role.name)
                _definition(f"role {role.name!r} of {ev.name!r}", role.definition)
                for accepted in role.accepts:
                    if accepted not in entity_names:
                        raise CodebookError(
                            f"role {role.name!r} of {ev.name!r} accepts unknown entity type {accepted!r}"
                        )
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
    """Values are compared like names: ones that differ only in case or form are one value twice."""
    for value in values:
        if not value.strip() or value != value.strip():
            raise CodebookError(f"{what}: value {value!r} must be non-empty text without surrounding spaces")
        _text(f"{what}: value", value)
    _unique(f"value of {what}", values)


def _name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise CodebookError(f"{kind} name {name!r} must be non-empty text without surrounding spaces")
    _text(f"{kind} name", name)


def _unique(kind: str, names: list[str]) -> None:
    """Names (and values) must differ by more than case and Unicode normalisation."""
    if any(not isinstance(name, str) for name in names):
        return  # _name reports it
    twice = first_duplicate(names)
    if twice is not None:
        first, second = twice
        also = "" if first == second else f" (as {first!r} and {second!r}, which differ only in case or form)"
        raise CodebookError(f"{kind} {second!r} is defined twice{also}")
