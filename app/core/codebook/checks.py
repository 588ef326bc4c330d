"""The checks of an edited codebook: the file format's rules, hotkeys, and the stored values it must keep valid."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy.orm import Session

from app.core.codebook.rows import (
    ATTRIBUTE,
    CODE,
    ENTITY,
    EVENT,
    KINDS,
    RELATION,
    ROLE,
    ROLE_EVENTS,
    SOURCE_ACCEPTS,
    TARGET_ACCEPTS,
    CodebookRows,
    Row,
    json_list,
)
from app.core.codebook.spec import (
    AttributeSpec,
    CodebookSpec,
    DocumentCodeSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
)
from app.core.codebook.usage import (
    Usage,
    stored_attribute_values,
    stored_code_values,
    uses,
)
from app.core.errors import AnnotaryError, CodebookError
from app.core.validation import FLAG_VALUE, check_code_value, name_key, normalise_name

_HOTKEY = re.compile(r"(shift\s*\+\s*)?([a-z0-9])", re.IGNORECASE)
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def spec_of(rows: CodebookRows) -> CodebookSpec:
    """The rows as the plain spec the codebook file holds."""
    names = {i: r["name"] for i, r in rows.tables[ENTITY].items()}
    events = {i: r["name"] for i, r in rows.tables[EVENT].items()}
    return CodebookSpec(
        entity_types=[EntityTypeSpec(t["name"], t["color"], t["hotkey"], t["definition"] or "")
                      for t in rows.items(ENTITY)],
        event_types=[
            EventTypeSpec(t["name"], t["color"], t["hotkey"], t["definition"] or "", roles=[
                RoleSpec(r["name"], [names[i] for i in rows.accepted(r["id"])], bool(r["repeatable"]),
                         r["definition"] or "", [events[i] for i in rows.linked(ROLE_EVENTS, r["id"])])
                for r in rows.items(ROLE, event_type_id=t["id"])
            ])
            for t in rows.items(EVENT)
        ],
        attributes=[AttributeSpec(a["name"], a["target"], json_list(a, "values_json"), json_list(a, "applies_to_json"),
                                  a["definition"] or "") for a in rows.items(ATTRIBUTE)],
        document_codes=[DocumentCodeSpec(c["name"], c["level"], json_list(c, "values_json"), c["definition"] or "")
                        for c in rows.items(CODE)],
        relation_types=[RelationTypeSpec(t["name"], t["color"], t["hotkey"], t["definition"] or "",
                                         [names[i] for i in rows.linked(SOURCE_ACCEPTS, t["id"])],
                                         [names[i] for i in rows.linked(TARGET_ACCEPTS, t["id"])], bool(t["symmetric"]),
                                         bool(t.get("transitive")))
                        for t in rows.items(RELATION)],
    )


def check_codebook(after: CodebookRows, before: CodebookRows) -> None:
    """The edited codebook obeys every rule a codebook file does (so it exports and imports again);
    names differing only in case are refused unless the project already had both."""
    spec_of(after).validate(before=spec_of(before))


def clean_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise CodebookError(f"a {kind} needs a name")
    return normalise_name(name.strip())


def check_unique(kind: str, name: str, others: list[Row]) -> None:
    """No other item of the same kind is called `name`, compared casefolded."""
    clash = next((r["name"] for r in others if name_key(r["name"]) == name_key(name)), None)
    if clash is not None:
        same = "" if clash == name else f" ({clash!r} differs only in case)"
        raise CodebookError(f"there is already a {kind} named {clash!r}{same}; names must be unique")


def clean_hotkey(hotkey: str | None) -> str | None:
    """A type's key as stored: a letter or digit ('o'), or Shift and a letter ('Shift+H'); None for no key.

    The window's own shortcuts use Ctrl, Alt (held while selecting, for a precise span),
    function keys, Delete and Backspace, so a type's key never takes one of those."""
    text = (hotkey or "").strip()
    if not text:
        return None
    match = _HOTKEY.fullmatch(text)
    if match is None:
        raise CodebookError(f"hotkey {text[:20]!r}: a type's key is one letter or digit, or Shift and a letter "
                            "(Ctrl, Alt and the function keys are the window's own shortcuts)")
    shift, key = match.groups()
    if shift and key.isdigit():
        raise CodebookError(f"hotkey {text!r}: Shift and a digit types a different character on each keyboard; "
                            "use Shift and a letter")
    return f"Shift+{key.upper()}" if shift else key.lower()


def check_hotkey_free(hotkey: str | None, item_id: int, table: str, rows: CodebookRows) -> None:
    if hotkey is None:
        return
    for other_table in (ENTITY, EVENT, RELATION):
        for row in rows.items(other_table):
            if (other_table, row["id"]) != (table, item_id) and (row["hotkey"] or "").lower() == hotkey.lower():
                raise CodebookError(f"the key {hotkey} is already the hotkey of the {KINDS[other_table]} "
                                    f"{row['name']!r}; clear it there first")


def clean_color(color: str) -> str:
    text = (color or "").strip()
    if not _COLOR.fullmatch(text):
        raise CodebookError(f"a colour looks like #1f77b4, not {text[:20]!r}")
    return text.lower()


def clean_values(what: str, values: list[str]) -> list[str]:
    """Values without surrounding spaces, NFC; empty ones are refused, as are repeats (which the
    file's rules also refuse, but this says which)."""
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise CodebookError(f"{what}: a value cannot be empty")
        value = normalise_name(value.strip())
        if value in out:
            raise CodebookError(f"{what}: the value {value!r} is listed twice")
        out.append(value)
    return out


def check_stored_attribute_values(session: Session, rows: CodebookRows, attribute: Row) -> None:
    """Refuse an attribute edit that would leave stored values invalid (with counts)."""
    target, name = attribute["target"], attribute["name"]
    values, applies = json_list(attribute, "values_json"), json_list(attribute, "applies_to_json")
    type_table = EVENT if target == "event" else ENTITY
    type_names = {i: r["name"] for i, r in rows.tables[type_table].items()}
    bad_values: Counter[str] = Counter()
    bad_types: Counter[str] = Counter()
    docs: dict[str, set[int]] = {}
    for value, type_id, document_id in stored_attribute_values(session, attribute["id"], target):
        type_name = type_names.get(type_id, "?")
        if (value not in values) if values else value != FLAG_VALUE:
            bad_values[value] += 1
            docs.setdefault(f"v:{value}", set()).add(document_id)
        elif applies and type_name not in applies:
            bad_types[type_name] += 1
            docs.setdefault(f"t:{type_name}", set()).add(document_id)
    noun = f"{target}"
    if bad_values:
        value, n = bad_values.most_common(1)[0]
        usage = uses(Usage(n, len(docs[f"v:{value}"])), noun)
        if not values:
            raise CodebookError(f"{name} is set to {value!r} on {usage}; a yes/no attribute cannot hold it, "
                                "so it keeps its values")
        raise CodebookError(f"the value {value!r} of {name} is set on {usage}; it cannot be removed "
                            "(rename it instead, or change those annotations first)")
    if bad_types:
        type_name, n = bad_types.most_common(1)[0]
        usage = uses(Usage(n, len(docs[f"t:{type_name}"])), f"{type_name} {noun}")
        raise CodebookError(f"{name} is set on {usage}; it must keep applying to {type_name}")


def check_stored_code_values(session: Session, code: Row) -> None:
    """Refuse a document code edit that would leave stored values invalid (with counts)."""
    values, name, level = json_list(code, "values_json"), code["name"], code["level"]
    bad: Counter[str] = Counter()
    docs: dict[str, set[int]] = {}
    for value, document_id in stored_code_values(session, code["id"]):
        try:
            check_code_value(name, level, values, value)
        except AnnotaryError:
            bad[value] += 1
            docs.setdefault(value, set()).add(document_id)
    if bad:
        value, n = bad.most_common(1)[0]
        usage = f"{n:,} coding{'s' if n != 1 else ''} of {len(docs[value]):,} document{'s' if len(docs[value]) != 1 else ''}"
        if values:
            raise CodebookError(f"the value {value!r} of {name} is used in {usage}; it cannot be removed "
                                "(rename it instead, or change those codings first)")
        raise CodebookError(f"{name} holds {value!r} in {usage}, which is not a valid {level} value; "
                            "change those codings first")
