"""brat's annotation.conf (and a visual.conf) read from and written for the codebook.

Reading
-------
`parse_annotation_conf` reads annotation.conf as brat does: [entities] (also
spelled [spans]), [relations], [events] and [attributes]; another section is read
past (as brat does), and so are lines before the first section. ``Name|Alias``
names the type ``Name`` (the other names are brat's display aliases, e.g.
``Hydroxylation|GO:0018126``). Macros (``<POG>=Person|Organization|GPE``) are
replaced as text in the lines after them in their section, as brat replaces them
(so a macro may stand for a list of roles), and ``<INHERIT>`` stands for the
parent type's arguments. Hierarchies are flattened: every type line becomes a
type, wherever it is indented; a type marked ``!`` (brat's "abstract", not
annotatable) is dropped, but a role or attribute that names it (or any parent
type) accepts all the types below it. ``<ENTITY>`` and ``<ANY>`` in a role mean
"any entity type" (an empty accept list). Cardinalities: ``*``, ``+`` and
``{n-m}`` with m > 1 (or ``{n}`` with n > 1) make a role repeatable; ``?`` and
none do not. Attributes: ``Name Arg:<EVENT>, Value:a|b`` (valued), ``Name
Arg:<ENTITY>`` (a yes/no flag) and the older glyph form ``Name Arg:<EVENT>,
a:glyph, b:glyph``; an attribute whose Arg covers both entity and event types
becomes two attributes of that name.

What Annotary cannot keep yet is left out and told in ONE warning line per kind
(never a refusal): attributes of relations, types a role or attribute names but the conf never
defines, sections brat does not read either.

`ParsedConf.resolve` turns the brat names into codebook names and gives the
types, roles and attributes as a `CodebookSpec` to merge into the project's
codebook. New types get the bgColor a visual.conf beside annotation.conf gives
them, else a colour from a fixed palette chosen by a hash of the name; never a
hotkey.

Names
-----
brat type, role, attribute and value names cannot hold spaces, ``/`` or the
characters its formats use as separators. On export `BratNames` writes each name
through `brat_escape` (whitespace runs → ``_``, ``/`` and other separators →
``-``; "Job title" → ``Job_title``, "Team/Unit" → ``Team-Unit``), adds ``_2``,
``_3``... if two names would clash, and records every changed name in
annotation.conf as a comment brat ignores (attribute values change less:
`brat_value_escape` keeps ``Typo+UNK`` as it is)::

    #@annotary-name {"kind": "entity", "brat": "Job_title", "name": "Job title"}

On import a brat name maps back (1) through such a line, else (2) to the
codebook name it equals, else (3) to the one codebook name whose escape it
equals (so brat data made elsewhere with ``Job_title`` lands on "Job title"),
else it stays as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.core.bounded_read import read_regular_file
from app.core.codebook import (
    AttributeSpec,
    CodebookSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
)
from app.core.errors import AnnotationInputError, ImportRejected
from app.core.interchange.common import palette_color
from app.core.validation import name_key, normalise_name

NAME_TAG = "#@annotary-name"
_SEPARATORS = re.compile(r"[/\\|,:;=<>()\[\]{}?*+!#\"'`]")
_SPACES = re.compile(r"\s+")
_VALUE_SEPARATORS = re.compile(r"[|,]")
_MACRO = re.compile(r"^(<[^<>\s]+>)\s*=\s*(.*)$")
_ROLE = re.compile(r"^(?P<role>[^:?*+{}\s]+)(?P<card>[?*+]|\{[^{}]*\})?:(?P<types>\S+)$")
_RANGE = re.compile(r"\{\s*(\d+)\s*(?:([-,])\s*(\d*)\s*)?\}")  # {2}, {1-3}, {1-} (and {0,3}, written before)
_SPECIAL_RELATIONS = ("<OVERLAP>", "ENTITY-NESTING")
_SECTIONS = {"entities": "entities", "spans": "entities", "events": "events",
             "attributes": "attributes", "relations": "relations"}


def brat_escape(name: str) -> str:
    """A brat-safe spelling of a codebook name (see the module docstring)."""
    out = _SEPARATORS.sub("-", _SPACES.sub("_", name.strip()))
    out = "".join(ch if ch.isprintable() else "-" for ch in out)
    if not out or out[0] == "-":
        out = "_" + out
    return out


def brat_value_escape(value: str) -> str:
    """A brat-safe spelling of an attribute value: only what would split the .ann line or the
    conf's ``Value:a|b`` list changes (whitespace runs → ``_``, ``|`` and ``,`` → ``-``), so
    ``Typo+UNK`` stays ``Typo+UNK``."""
    out = _VALUE_SEPARATORS.sub("-", _SPACES.sub("_", value.strip()))
    out = "".join(ch if ch.isprintable() else "-" for ch in out)
    return out or "_"


def resolve_name(brat: str, candidates: Iterable[str], mapped: str | None = None) -> str | None:
    """The codebook name a brat name stands for, among `candidates`, or None.
    Names are compared in NFC, the form the codebook stores, then casefolded (called once per
    .ann line: the usual exact hit returns before anything is normalised)."""
    names = candidates if isinstance(candidates, (set, frozenset, dict)) else list(candidates)
    if mapped is not None and mapped in names:
        return mapped
    if brat in names:
        return brat
    nfc = normalise_name(brat)
    by_form = {normalise_name(n): n for n in names}
    if nfc in by_form:
        return by_form[nfc]
    hits = [n for n in names if normalise_name(brat_escape(n)) == nfc]
    if len(hits) == 1:
        return hits[0]
    key = name_key(nfc)  # names are compared casefolded: a corpus's PERSON is the codebook's Person
    similar = [n for n in names if name_key(n) == key or name_key(brat_escape(n)) == key]
    return similar[0] if len(similar) == 1 else None


# --------------------------------------------------------------------------- names


@dataclass
class NameMap:
    """brat name → codebook name, from the #@annotary-name lines of a conf."""

    entity: dict[str, str] = field(default_factory=dict)
    event: dict[str, str] = field(default_factory=dict)
    role: dict[tuple[str, str], str] = field(default_factory=dict)  # (event name, brat role)
    attribute: dict[str, str] = field(default_factory=dict)
    relation: dict[str, str] = field(default_factory=dict)
    value: dict[tuple[str, str], str] = field(default_factory=dict)  # (attribute name, brat value)

    def add(self, record: dict) -> bool:
        kind, brat, name = record.get("kind"), record.get("brat"), record.get("name")
        if not isinstance(brat, str) or not isinstance(name, str):
            return False
        if kind == "entity":
            self.entity[brat] = name
        elif kind == "event":
            self.event[brat] = name
        elif kind == "attribute":
            self.attribute[brat] = name
        elif kind == "relation":
            self.relation[brat] = name
        elif kind == "role" and isinstance(record.get("event"), str):
            self.role[(record["event"], brat)] = name
        elif kind == "value" and isinstance(record.get("attribute"), str):
            self.value[(record["attribute"], brat)] = name
        else:
            return False
        return True


class BratNames:
    """Codebook name → brat name for one export; distinct within each brat namespace."""

    def __init__(self, spec: CodebookSpec) -> None:
        types = _assign([t.name for t in spec.entity_types] + [t.name for t in spec.event_types])
        self.entity = {t.name: types[t.name] for t in spec.entity_types}
        self.event = {t.name: types[t.name] for t in spec.event_types}
        # an entity and an event type of the same name must still differ in brat
        if set(self.entity) & set(self.event):
            taken = set(self.entity.values())
            for name in self.event:
                if name in self.entity:
                    self.event[name] = _unique(brat_escape(name), taken)
                taken.add(self.event[name])
        # relation types are a namespace of their own (R lines and [relations]): brat's own CoNLL-2006
        # corpus has `_question_` both as an entity type and as a relation type
        taken = set()
        self.relation: dict[str, str] = {}
        for rel in spec.relation_types:
            self.relation[rel.name] = brat = rel.name if brat_escape(rel.name) == rel.name and rel.name not in taken \
                else _unique(brat_escape(rel.name), taken)
            taken.add(brat)
        self.role: dict[tuple[str, str], str] = {}
        for ev in spec.event_types:
            for role, brat in _assign([r.name for r in ev.roles]).items():
                self.role[(ev.name, role)] = brat
        attr_names = list(dict.fromkeys(a.name for a in spec.attributes))
        self.attribute = _assign(attr_names)
        self.value: dict[tuple[str, str], str] = {}
        for name in attr_names:
            values = list(dict.fromkeys(v for a in spec.attributes if a.name == name for v in a.values))
            for value, brat in _assign(values, brat_value_escape).items():
                self.value[(name, value)] = brat

    def records(self) -> list[dict[str, str]]:
        """The #@annotary-name records for every name that brat spells differently."""
        out: list[dict[str, str]] = []
        for kind, mapping in (("entity", self.entity), ("event", self.event), ("relation", self.relation),
                              ("attribute", self.attribute)):
            out += [{"kind": kind, "brat": b, "name": n} for n, b in mapping.items() if b != n]
        out += [{"kind": "role", "event": e, "brat": b, "name": r} for (e, r), b in self.role.items() if b != r]
        out += [{"kind": "value", "attribute": a, "brat": b, "name": v} for (a, v), b in self.value.items() if b != v]
        return out


def _unique(candidate: str, taken: set[str]) -> str:
    if candidate not in taken:
        return candidate
    n = 2
    while f"{candidate}_{n}" in taken:
        n += 1
    return f"{candidate}_{n}"


def _assign(names: list[str], escape: Callable[[str], str] = brat_escape) -> dict[str, str]:
    """brat names for `names`: names that need no escape keep themselves first."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if escape(name) == name and name not in taken:
            out[name] = name
            taken.add(name)
    for name in names:
        if name not in out:
            out[name] = _unique(escape(name), taken)
            taken.add(out[name])
    return out


# --------------------------------------------------------------------------- writing


def annotation_conf_text(spec: CodebookSpec, names: BratNames) -> str:
    """annotation.conf for the codebook `spec`, written with the brat `names`."""
    lines = [
        "# annotation.conf written by Annotary from the project codebook.",
        "# brat names cannot hold spaces or '/': \"Job title\" is written Job_title and",
        "# \"Team/Unit\" Team-Unit; the #@annotary-name lines at the end keep the exact",
        "# codebook names (brat ignores them; Annotary reads them back on import).",
        "",
        "[entities]",
    ]
    lines += [names.entity[t.name] for t in spec.entity_types]
    lines += [
        "",
        "[relations]",
        "# allow any overlap of spans (nested mentions, triggers)",
        "<OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>",
    ]
    for rel in spec.relation_types:
        ends = ["|".join(names.entity[a] for a in accepts) or "<ENTITY>"
                for accepts in (rel.source_accepts, rel.target_accepts)]
        lines.append(f"{names.relation[rel.name]}\tArg1:{ends[0]}, Arg2:{ends[1]}"
                     + (", <REL-TYPE>:symmetric-transitive" if rel.transitive
                        else ", <REL-TYPE>:symmetric" if rel.symmetric else ""))
    lines += ["", "[events]"]
    for ev in spec.event_types:
        args = []
        for role in ev.roles:
            takes = [names.entity[a] for a in role.accepts] or ([] if role.accepts_events else ["<ENTITY>"])
            accepts = "|".join(takes + [names.event[a] for a in role.accepts_events])
            args.append(f"{names.role[(ev.name, role.name)]}{'*' if role.repeatable else '?'}:{accepts}")
        lines.append(names.event[ev.name] + ("\t" + ", ".join(args) if args else ""))
    lines += ["", "[attributes]"]
    for name in dict.fromkeys(a.name for a in spec.attributes):
        attrs = [a for a in spec.attributes if a.name == name]
        targets = []
        for attr in attrs:
            if attr.target == "event":
                targets += [names.event[t] for t in attr.applies_to] or ["<EVENT>"]
            else:
                targets += [names.entity[t] for t in attr.applies_to] or ["<ENTITY>"]
        values = list(dict.fromkeys(v for a in attrs for v in a.values))
        line = f"{names.attribute[name]}\tArg:{'|'.join(targets)}"
        if values:
            line += ", Value:" + "|".join(names.value[(name, v)] for v in values)
        lines.append(line)
    records = names.records()
    if records:
        lines += ["", "# Exact Annotary names of the types, roles, attributes and values above:"]
        lines += [f"{NAME_TAG} {json.dumps(r, ensure_ascii=False)}" for r in records]
    return "\n".join(lines) + "\n"


def visual_conf_text(spec: CodebookSpec, names: BratNames) -> str:
    """visual.conf: brat shows the exact names as labels and the codebook colours."""
    labels = []
    for mapping in (names.entity, names.event, names.attribute):
        labels += [f"{b} | {n}" for n, b in mapping.items() if b != n]
    labels += [f"{b} | {r}" for (_e, r), b in names.role.items() if b != r]
    lines = ["# visual.conf written by Annotary: exact names as labels, codebook colours.", "", "[labels]"]
    lines += list(dict.fromkeys(labels))
    lines += [
        "", "[drawing]",
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        "ATTRIBUTE_DEFAULT\tglyph:*",
    ]
    lines += [f"{names.entity[t.name]}\tbgColor:{t.color}" for t in spec.entity_types]
    lines += [f"{names.event[t.name]}\tbgColor:{t.color}" for t in spec.event_types]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reading


@dataclass
class ConfType:
    name: str  # as written in brat
    line: int
    abstract: bool
    parent: str | None


@dataclass
class ConfRole:
    name: str
    repeatable: bool
    types: list[str]
    line: int


@dataclass
class ConfEvent(ConfType):
    roles: list[ConfRole] = field(default_factory=list)


@dataclass
class ConfAttribute:
    name: str
    args: list[str]
    values: list[str]
    line: int


@dataclass
class ParsedConf:
    path: Path
    entities: list[ConfType] = field(default_factory=list)
    events: list[ConfEvent] = field(default_factory=list)
    attributes: list[ConfAttribute] = field(default_factory=list)
    names: NameMap = field(default_factory=NameMap)
    relations: list[str] = field(default_factory=list)  # relation type names
    relation_ends: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # name → Arg1, Arg2 types
    symmetric: set[str] = field(default_factory=set)  # relation types brat marks <REL-TYPE>:symmetric...
    transitive: set[str] = field(default_factory=set)  # ... and <REL-TYPE>:symmetric-transitive (equivalences)
    colors: dict[str, str] = field(default_factory=dict)  # brat name → bgColor from visual.conf
    warnings: list[str] = field(default_factory=list)
    _told: set[str] = field(default_factory=set)

    def warn(self, message: str) -> None:
        """Tell `message` (about this conf) once, however many files it is read for."""
        line = f"{self.path}: {message}"
        if line not in self._told:
            self._told.add(line)
            self.warnings.append(line)

    def color(self, brat: str, name: str) -> str:
        return self.colors.get(brat) or palette_color(name)

    def _fail(self, line: int | None, reason: str) -> AnnotationInputError:
        return AnnotationInputError(str(self.path), line, reason)

    def _below(self, types: Sequence[ConfType], name: str) -> list[str]:
        """`name` and every type below it in the hierarchy, abstract ones left out."""
        out, todo = [], [name]
        while todo:
            current = todo.pop(0)
            for t in types:
                if t.name == current and not t.abstract and t.name not in out:
                    out.append(t.name)
                if t.parent == current:
                    todo.append(t.name)
        return out

    def resolve(self, codebook: CodebookSpec) -> CodebookSpec:
        """The conf as codebook additions, named as in `codebook` where they match."""
        known_entities = [t.name for t in codebook.entity_types]
        known_events = [t.name for t in codebook.event_types]

        def entity(b: str) -> str:
            return resolve_name(b, known_entities, self.names.entity.get(b)) or self.names.entity.get(b, b)

        def event(b: str) -> str:
            return resolve_name(b, known_events, self.names.event.get(b)) or self.names.event.get(b, b)

        conf_entities = {t.name for t in self.entities}
        conf_events = {t.name for t in self.events}
        undefined: list[str] = []  # types named in a role or attribute but defined nowhere: left out
        on_relations: list[str] = []  # attributes of relations only: left out
        no_types: list[str] = []  # roles or attributes left with no type
        spec = CodebookSpec()
        for t in self.entities:
            if not t.abstract and spec.entity_type(entity(t.name)) is None:
                spec.entity_types.append(EntityTypeSpec(entity(t.name), self.color(t.name, entity(t.name))))
        all_entities = list(dict.fromkeys([*known_entities, *(t.name for t in spec.entity_types)]))
        all_events = list(dict.fromkeys([*known_events, *(event(t.name) for t in self.events if not t.abstract)]))
        for ev in self.events:
            if ev.abstract:
                continue
            name = event(ev.name)
            mine = codebook.event_type(name)
            known_roles = [r.name for r in mine.roles] if mine else []
            roles: list[RoleSpec] = []
            for role in ev.roles:
                accepts: list[str] = []
                accepts_events: list[str] = []
                anything = False
                for typ in role.types:
                    if typ in ("<ENTITY>", "<ANY>"):
                        anything = True
                    if typ in ("<EVENT>", "<ANY>"):
                        accepts_events += all_events  # brat's "any event": every event type there is
                    elif typ.startswith("<"):
                        continue
                    elif (typ in conf_events and typ not in conf_entities) or (
                        typ not in conf_entities and resolve_name(typ, known_events, self.names.event.get(typ))
                        and not resolve_name(typ, known_entities, self.names.entity.get(typ))
                    ):
                        below = self._below(self.events, typ) if typ in conf_events else [typ]
                        accepts_events += [event(n) for n in below]
                    elif typ in conf_entities:
                        accepts += [entity(n) for n in self._below(self.entities, typ)]
                    elif resolve_name(typ, known_entities, self.names.entity.get(typ)):
                        accepts.append(entity(typ))
                    else:
                        undefined.append(typ)  # brat too reads a conf naming a type it does not define
                if not anything and not accepts and not accepts_events:
                    no_types.append(f"{ev.name}.{role.name}")
                    continue
                if anything:
                    # any mention: Annotary's empty list, unless events are taken too (then every entity type)
                    accepts = all_entities if accepts_events else []
                rname = resolve_name(role.name, known_roles, self.names.role.get((name, role.name))) \
                    or self.names.role.get((name, role.name), role.name)
                if any(r.name == rname for r in roles):
                    raise self._fail(role.line, f"role {role.name} is given twice for {ev.name}")
                roles.append(RoleSpec(rname, list(dict.fromkeys(accepts)), role.repeatable,
                                      accepts_events=list(dict.fromkeys(accepts_events))))
            if spec.event_type(name) is None:
                spec.event_types.append(EventTypeSpec(name, self.color(ev.name, name), roles=roles))
        for rel in self.relations:
            rname = resolve_name(rel, [r.name for r in codebook.relation_types], self.names.relation.get(rel)) \
                or self.names.relation.get(rel, rel)
            ends: list[list[str]] = []
            for types in self.relation_ends.get(rel, ([], [])):
                accepted: list[str] = []
                for typ in types:
                    if typ in conf_entities:
                        accepted += [entity(n) for n in self._below(self.entities, typ)]
                    elif resolve_name(typ, known_entities, self.names.entity.get(typ)):
                        accepted.append(entity(typ))
                    elif typ in ("<ENTITY>", "<ANY>"):
                        accepted = []
                        break
                    else:
                        undefined.append(typ)
                ends.append(list(dict.fromkeys(accepted)))
            spec.relation_types.append(RelationTypeSpec(rname, self.color(rel, rname), source_accepts=ends[0],
                                                        target_accepts=ends[1], symmetric=rel in self.symmetric,
                                                        transitive=rel in self.transitive))
        for attr in self.attributes:
            name = resolve_name(attr.name, [a.name for a in codebook.attributes], self.names.attribute.get(attr.name)) \
                or self.names.attribute.get(attr.name, attr.name)
            targets: dict[str, list[str] | None] = {}  # target → applies_to (None: all types)
            relation_only = False
            for typ in attr.args:
                if typ == "<RELATION>" or typ in self.relations:
                    relation_only = True
                    continue
                if typ in ("<EVENT>", "<ANY>"):
                    targets["event"] = None
                if typ in ("<ENTITY>", "<ANY>"):
                    targets["mention"] = None
                if typ.startswith("<"):
                    continue
                if typ in conf_entities or resolve_name(typ, known_entities, self.names.entity.get(typ)):
                    below = self._below(self.entities, typ) if typ in conf_entities else [typ]
                    if targets.get("mention", []) is not None:
                        targets["mention"] = (targets.get("mention") or []) + [entity(n) for n in below]
                elif typ in conf_events or resolve_name(typ, known_events, self.names.event.get(typ)):
                    below = self._below(self.events, typ) if typ in conf_events else [typ]
                    if targets.get("event", []) is not None:
                        targets["event"] = (targets.get("event") or []) + [event(n) for n in below]
                else:
                    undefined.append(typ)
            if not targets and relation_only:
                on_relations.append(attr.name)
                continue
            if not targets and any(not t.startswith("<") for t in attr.args):
                no_types.append(attr.name)
                continue
            if not targets:
                raise self._fail(attr.line, f"attribute {attr.name} needs Arg:<EVENT>, Arg:<ENTITY> or type names")
            for target, applies in targets.items():
                known_attr = codebook.attribute(name, target)
                known_values = known_attr.values if known_attr else []
                values = [
                    resolve_name(v, known_values, self.names.value.get((name, v))) or self.names.value.get((name, v), v)
                    for v in attr.values
                ]
                if spec.attribute(name, target) is None:
                    spec.attributes.append(
                        AttributeSpec(name, target, list(dict.fromkeys(values)), list(dict.fromkeys(applies or [])))
                    )
        if undefined:
            names = list(dict.fromkeys(undefined))
            self.warn(f"{len(names)} type(s) named but not defined in [entities] or [events] left out "
                      f"({_listing(names)})")
        if no_types:
            self.warn(f"{len(no_types)} role(s) or attribute(s) with no defined type left out ({_listing(no_types)})")
        if on_relations:
            self.warn(f"{len(on_relations)} attribute(s) of relations not kept yet ({_listing(on_relations)})")
        return spec


def parse_annotation_conf(path: Path) -> ParsedConf:
    """Read annotation.conf as brat reads it; AnnotationInputError (file and line) when a line
    Annotary needs cannot be read. What Annotary does not keep is told in `warnings`, one line
    per kind (relation types, unknown sections, ...), never a refusal."""
    path = Path(path)
    conf = ParsedConf(path)
    try:
        text = read_regular_file(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise conf._fail(None, f"not UTF-8 text (byte {exc.start})") from None
    except ImportRejected as exc:
        raise conf._fail(None, exc.message) from None
    macros: dict[str, str] = {}
    section: str | None = None
    stacks: dict[str, list[tuple[int, str, list[str]]]] = {"entities": [], "events": []}
    seen_types: set[str] = set()
    other_sections: list[str] = []
    loose_lines = 0
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r").rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(NAME_TAG):
            try:
                record = json.loads(stripped[len(NAME_TAG):])
            except (ValueError, RecursionError):  # not JSON, a huge number, nested too deep
                raise conf._fail(lineno, "malformed #@annotary-name line (not JSON)") from None
            if not isinstance(record, dict) or not conf.names.add(record):
                raise conf._fail(lineno, "malformed #@annotary-name line")
            continue
        if stripped.startswith("#") or re.fullmatch(r"-+", stripped):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            name = stripped[1:-1].strip()
            section = _SECTIONS.get(name.lower(), "other")
            if section == "other":
                other_sections.append(f"[{name}]")
            macros = {}  # brat's macros belong to the section they are defined in
            continue
        macro = _MACRO.match(stripped)
        if macro:
            macros[macro.group(1)] = macro.group(2).strip()
            continue
        for key in sorted(macros, key=len, reverse=True):  # brat replaces macros as text
            stripped = stripped.replace(key, macros[key])
        if section is None:
            loose_lines += 1
            continue
        if section == "other":
            continue
        indent = len(line) - len(line.lstrip())
        terms, _, rest = stripped.replace("\t", " ").partition(" ")
        # `Name|Alias|...`: the first name is the type, the others are other names for it (brat)
        names = [t for t in terms.split("|") if t]
        abstract = any(t.startswith("!") for t in names)
        name = names[0].lstrip("!") if names else ""
        if not name:
            raise conf._fail(lineno, "a type line without a name")
        if section == "relations":
            if name not in _SPECIAL_RELATIONS:
                if name not in conf.relations:
                    conf.relations.append(name)
                ends = conf.relation_ends.setdefault(name, ([], []))
                at = 0  # the first argument is the source, the second the target
                for part in _split_args(rest):  # Arg1:Protein, Arg2:Complex, <REL-TYPE>:symmetric-transitive
                    key, _, types = part.partition(":")
                    if key == "<REL-TYPE>":
                        flags = {t.strip() for t in types.replace("-", "|").split("|")}
                        if "symmetric" in flags:
                            conf.symmetric.add(name)
                        if "transitive" in flags:  # brat: symmetric-transitive (transitive alone is not a brat
                            conf.symmetric.add(name)  # type; Annotary's transitive types are symmetric)
                            conf.transitive.add(name)
                    elif not key.startswith("<") and at < 2:
                        ends[at].extend(t.strip() for t in types.split("|") if t.strip())
                        at += 1
            continue
        if section in ("entities", "events"):
            if name in seen_types:
                raise conf._fail(lineno, f"type {name} is defined twice")
            seen_types.add(name)
            stack = stacks[section]
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1] if stack else None
            args = _split_args(rest)
            if "<INHERIT>" in args:  # brat: the parent's arguments in its place
                if parent is None:
                    raise conf._fail(lineno, f"{name}: <INHERIT> without a parent type above it")
                at = args.index("<INHERIT>")
                args = args[:at] + parent[2] + [a for a in args[at + 1:] if a != "<INHERIT>"]
            stack.append((indent, name, args))
            parent_name = parent[1] if parent else None
            if section == "entities":
                conf.entities.append(ConfType(name, lineno, abstract, parent_name))
            else:
                roles = _parse_roles(conf, args, lineno)
                conf.events.append(ConfEvent(name, lineno, abstract, parent_name, roles))
        else:
            conf.attributes.append(_parse_attribute(conf, name, rest, lineno))
    if other_sections:
        conf.warn(f"section(s) {_listing(other_sections)} not read (brat reads entities, relations, events, "
                  "attributes)")
    if loose_lines:
        conf.warn(f"{loose_lines} line(s) before the first [section] not read")
    conf.colors = _visual_colors(path.with_name("visual.conf"))
    return conf


def _listing(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


_COLOR = re.compile(r"bgColor:\s*(#[0-9a-fA-F]{6})\b")


def _visual_colors(path: Path) -> dict[str, str]:
    """bgColor of each type in a visual.conf beside annotation.conf (best effort: a
    missing or unreadable visual.conf only means palette colours)."""
    try:
        text = read_regular_file(path).decode("utf-8-sig")
    except (ImportRejected, UnicodeDecodeError):
        return {}
    colors: dict[str, str] = {}
    section = None
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
        elif section == "drawing" and line and not line.startswith("#"):
            name, _, rest = line.replace("\t", " ").partition(" ")
            match = _COLOR.search(rest)
            if match:
                colors[name] = match.group(1).lower()
    return colors


def _split_args(rest: str) -> list[str]:
    """The comma-separated arguments of a type line (not the comma of a `{0,3}`)."""
    return [p for p in (p.strip() for p in re.split(r",(?![^{]*\})", rest)) if p]


def _repeatable(conf: ParsedConf, card: str, role: str, lineno: int) -> bool:
    """brat's cardinality: `+`, `*` and `{n-m}` with m > 1 (or no m) allow several arguments."""
    if card in ("*", "+"):
        return True
    if not card.startswith("{"):
        return False  # "" (exactly one) or "?" (at most one)
    match = _RANGE.fullmatch(card)
    if not match:
        raise conf._fail(lineno, f"cannot read the count {card!r} of {role} (brat writes {{2}} or {{1-3}})")
    low, sep, high = match.groups()
    if not sep:
        return int(low) > 1
    return high == "" or int(high) > 1


def _parse_roles(conf: ParsedConf, args: list[str], lineno: int) -> list[ConfRole]:
    roles: list[ConfRole] = []
    for part in args:
        if part.startswith("<"):
            continue  # <NORM>:..., <REL-TYPE>:...: settings, not roles
        match = _ROLE.match(part)
        if not match:
            raise conf._fail(lineno, f"cannot read argument {part!r} (expected ROLE:Type|Type, e.g. Actor*:Person)")
        role = match.group("role")
        types = [t.strip() for t in match.group("types").split("|") if t.strip()]
        roles.append(ConfRole(role, _repeatable(conf, match.group("card") or "", role, lineno), types, lineno))
    return roles


def _parse_attribute(conf: ParsedConf, name: str, rest: str, lineno: int) -> ConfAttribute:
    args: list[str] = []
    values: list[str] = []
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, val = part.partition(":")
        key, val = key.strip(), val.strip()
        if not sep:
            raise conf._fail(lineno, f"cannot read {part!r} in attribute {name} (expected Key:Value)")
        if key == "Arg":
            args += [t.strip() for t in val.split("|") if t.strip()]
        elif key == "Value":
            values += [v.strip() for v in val.split("|") if v.strip()]
        elif key.startswith("<"):
            continue  # <DEFAULT>, <GLYPH-POS>: display settings
        else:
            values.append(key)  # the older form: Value:glyph pairs
    if not args:
        raise conf._fail(lineno, f"attribute {name} has no Arg: (e.g. Arg:<EVENT>)")
    return ConfAttribute(name, args, list(dict.fromkeys(values)), lineno)
