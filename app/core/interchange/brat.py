"""brat standoff import and export: a folder of .txt/.ann pairs (and annotation.conf).

Import (`import_brat`)
----------------------
Every ``name.txt`` in the folder and its sub-folders (sorted; hidden ones skipped)
is paired with ``name.ann`` beside it. The whole folder is one transaction: every
pair is checked and stored in a savepoint of its own, and when any pair is bad
nothing at all is stored, and the error (`ImportRefused`) lists every bad file;
with ``skip_invalid`` the good pairs are stored and the bad ones listed (see
`import_result`). Annotations the coder already has are not stored again, and every
pair with a .ann (an empty one too) sets the coder's status of its document. A .txt
without .ann is imported with no annotations and no status (the report says so);
a .ann without .txt is an error.

* Text: the .txt bytes are decoded like any imported file (`decode_bytes`), and
  the stored text is that with the BOM dropped and ``\\r\\n``/``\\r`` turned into
  ``\\n``. brat offsets are code points of the file as brat reads it (BOM and
  ``\\r`` included), so they are mapped to the stored text through `OffsetMap`.
  A file with a BOM is read with the BOM counted (as brat does) unless its spans
  only fit without it.
* The text is attached to the project's document with the same content
  (SHA-256) or added as a new document.
* Lines: ``T`` text-bound annotations (a T whose type is an event type and that an
  E line uses is that event's trigger); ``E`` events ``Type:Tn Role:Tm ...``,
  where brat's numbered repeats (``Affected2``) map back to the role (``Affected``);
  ``A`` and old-style ``M`` attributes on T (mentions) or E (events), either a
  flag (``A1 Negated T1``) or valued (``A1 Modality E1 reported``), the value kept
  exactly as written (``Typo+UNK``).
* Notes ``#n Type Id<TAB>text``: an AnnotatorNotes note is the note's text (several
  are one line each of it); a note of another type (``Lemma``) is a typed note
  (`AnnotationNote`) of the annotation, on a T, an E or an R. A note on a trigger
  goes to its events.
* ``N1<TAB>Reference T1 Wikipedia:534366<TAB>Barack Obama`` normalisations are
  external references (`ExternalReference`: type, resource, identifier, the text or
  None without one) of the mention, or of the event (on its E id or its trigger).
* ``*<TAB>Equiv T1 T2 T3`` equivalences are relations of a transitive relation type
  (brat's ``<REL-TYPE>:symmetric-transitive``, read from annotation.conf), chaining
  the members (T1-T2, T2-T3); members already equivalent add nothing. A ``*`` line
  of a type that is not transitive is refused; of an unknown type (or members the
  type does not accept) it is told in the report, like such an ``R`` line.
* Told in one report line each (never a refusal): relations of an unknown type or
  linking what their type does not accept, attributes of relations, notes and
  normalisations on what Annotary does not keep (an N line, an attribute, a skipped
  trigger).
* Refused with AnnotationInputError naming file and line: offsets outside the
  text, end <= start, an offset inside a ``\\r\\n``, unknown ids, covered text
  differing from the text at the offsets, labels neither in the codebook nor in
  annotation.conf, roles the event type lacks, arguments of a type the role does
  not accept, a non-repeatable role filled twice, attribute values outside the
  attribute's list.
* annotation.conf (the nearest one in the file's folder or above, as brat finds
  it: also above the imported folder, which the report then names) adds its missing types, roles and attributes to the codebook,
  inside each pair's transaction (so a refused file adds nothing); see
  `brat_conf` for names and hierarchy.
* All annotations are stored under the coder given (whatever the file names say).

Export (`export_brat`)
----------------------
annotation.conf and visual.conf from the project codebook, and per document a
``.txt`` (the stored text: UTF-8, ``\\n``, no BOM) with its ``.ann``. A document
imported from ``name.txt`` is written as ``name.txt``/``name.ann`` when that name
is safe on every file system and no other file of the export takes it (compared
ignoring case); otherwise, and for documents not from a ``.txt``, the name is
``0003_title-slug``. A document several coders annotated gets one pair per coder
(``name.alice.txt``/``.ann``: brat pairs files by name, so each .ann has its own
copy of the text). Without a coder filter, documents nobody annotated get a .txt
and an empty .ann. Names are escaped for brat (see `brat_conf`). Events of one
type on one trigger share its T line, as brat writes them.

Events without a trigger: brat needs one. Such an event is written with a
placeholder trigger covering its first argument's span and a
``#n AnnotaryNoTrigger En`` comment, which `import_brat` reads back as "no
trigger", so the round trip stays exact. An event with neither trigger nor
arguments cannot be shown in brat: it is left out, with a warning in the
summary. A note of several lines becomes one AnnotatorNotes line each (whatever it
looks like: a note "[word] text" typed by hand stays an AnnotatorNotes note), typed
notes are ``#`` lines of their type, references ``N`` lines, and the relations of a
transitive type are one ``*`` line per group of mentions they link, directly or
through others (brat's ``*`` lines have no id, so a note on such a relation is left
out, with a warning). A line break inside a span is written as a space in the .ann's
text column.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.bounded_read import MAX_ANNOTATION_BYTES, read_regular_file
from app.core.codebook import apply_codebook, merge_codebooks, read_codebook
from app.core.decoding import decode_bytes
from app.core.errors import (
    AnnotaryError,
    AnnotationInputError,
    CodebookError,
    ImportRejected,
)
from app.core.interchange.brat_conf import (
    BratNames,
    NameMap,
    ParsedConf,
    annotation_conf_text,
    parse_annotation_conf,
    resolve_name,
    visual_conf_text,
)
from app.core.interchange.common import (
    CodebookIndex,
    CodedDocument,
    EventOut,
    ExportSummary,
    FileReport,
    OffsetMap,
    Plan,
    PlannedArgument,
    PlannedAttribute,
    PlannedEvent,
    PlannedMention,
    PlannedReference,
    PlannedRelation,
    RelationOut,
    coded_documents,
    coder_labels,
    document_basename,
    same_covered_text,
    write_atomic,
)
from app.core.interchange.import_result import ImportReports, clean_status, finish, in_savepoint
from app.core.interchange.plan_store import store_plan
from app.core.project import Project
from app.core.search_index import sync_search_index
from app.core.services.coders import clean_coder_name, find_coder, get_or_create_coder
from app.core.services.documents import add_document

CONF_NAME = "annotation.conf"
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
NO_TRIGGER = "AnnotaryNoTrigger"
NOTE_TYPE = "AnnotatorNotes"
_INT = re.compile(r"^[0-9]+$")  # ASCII digits only, as brat writes them (\d would take ٤ and ४)
_MAX_DIGITS = 15  # more is no offset into a text of at most a few GiB (and int() refuses 4,300+)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."

# --------------------------------------------------------------------------- .ann parsing


@dataclass
class _T:
    ident: str
    label: str
    start: int
    end: int
    text: str | None
    line: int


@dataclass
class _E:
    ident: str
    label: str
    trigger: str
    args: list[tuple[str, str]]  # (role as written, id)
    line: int


@dataclass
class _R:
    ident: str
    label: str
    args: list[tuple[str, str]]  # (Arg1, id), (Arg2, id)
    line: int


@dataclass
class _A:
    ident: str
    name: str
    target: str
    value: str | None
    line: int


@dataclass
class _Note:
    kind: str
    target: str
    text: str
    line: int


@dataclass
class _Equiv:
    label: str
    members: list[str]  # T ids
    line: int


@dataclass
class _N:
    ident: str
    label: str  # brat's normalisation type, "Reference"
    target: str
    reference: PlannedReference
    line: int


@dataclass
class _Ann:
    texts: dict[str, _T] = field(default_factory=dict)
    events: dict[str, _E] = field(default_factory=dict)
    attributes: list[_A] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    relations: dict[str, _R] = field(default_factory=dict)
    equivalences: list[_Equiv] = field(default_factory=list)
    normalisations: dict[str, _N] = field(default_factory=dict)
    not_kept: dict[str, str] = field(default_factory=dict)  # id of a line whose notes are not kept → its kind


_TICK_LINES = 50_000  # how often a long .ann file reports how far its reading got


def _parse_ann(path: Path, content: str, tick: Callable[[float], None] | None = None) -> _Ann:
    ann = _Ann()
    seen: set[str] = set()

    def fail(line: int, reason: str) -> AnnotationInputError:
        return AnnotationInputError(str(path), line, reason)

    lines = content.split("\n")
    for lineno, line in enumerate(lines, 1):
        if tick is not None and lineno % _TICK_LINES == 0:
            tick(lineno / len(lines))
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        ident, tab, rest = line.partition("\t")
        ident = ident.strip()
        if not tab:
            raise fail(lineno, "expected an id, a tab and the annotation (e.g. T1<TAB>Person 0 5<TAB>Meta)")
        kind = ident[:1]
        if kind in ("#", "T", "E", "A", "M", "R", "N") and ident in seen:
            raise fail(lineno, f"id {ident} is used twice")
        seen.add(ident)
        if kind == "T":
            head, tab2, text = rest.partition("\t")
            label, _, offsets = head.strip().partition(" ")
            offsets = offsets.strip()
            if not label or not offsets:
                raise fail(lineno, f"{ident}: expected 'Type start end'")
            if ";" in offsets:
                raise fail(lineno, f"{ident}: discontinuous span {offsets!r} is not supported (one start and end only)")
            parts = offsets.split()
            if len(parts) != 2 or not all(_INT.match(p) for p in parts):
                raise fail(lineno, f"{ident}: offsets must be two whole numbers, not {_short(offsets)!r}")
            if any(len(p) > _MAX_DIGITS for p in parts):
                raise fail(lineno, f"{ident}: an offset has over {_MAX_DIGITS} digits, more than any text is long")
            ann.texts[ident] = _T(ident, label, int(parts[0]), int(parts[1]), text if tab2 else None, lineno)
        elif kind == "E":
            tokens = rest.split()
            if not tokens:
                raise fail(lineno, f"{ident}: expected 'Type:Trigger Role:Id ...'")
            pairs = []
            for token in tokens:
                role, colon, target = token.rpartition(":")
                if not colon or not role or not target:
                    raise fail(lineno, f"{ident}: cannot read {token!r} (expected Role:Id)")
                pairs.append((role, target))
            ann.events[ident] = _E(ident, pairs[0][0], pairs[0][1], pairs[1:], lineno)
        elif kind in ("A", "M"):
            tokens = rest.split()
            if len(tokens) not in (2, 3):
                raise fail(lineno, f"{ident}: expected 'Name Id' or 'Name Id Value'")
            ann.attributes.append(_A(ident, tokens[0], tokens[1], tokens[2] if len(tokens) == 3 else None, lineno))
        elif kind == "#":
            head, _, text = rest.partition("\t")
            parts = head.split()
            if len(parts) != 2:
                raise fail(lineno, f"{ident}: expected 'AnnotatorNotes Id<TAB>text'")
            ann.notes.append(_Note(parts[0], parts[1], text, lineno))
        elif kind == "R":
            tokens = rest.split()
            pairs = [token.rpartition(":")[::2] for token in tokens[1:]]
            if len(pairs) != 2 or not all(role and target for role, target in pairs):
                raise fail(lineno, f"{ident}: expected 'Type Arg1:Id Arg2:Id'")
            ann.relations[ident] = _R(ident, tokens[0], pairs, lineno)
            ann.not_kept[ident] = "relation"  # its attributes: Annotary relations have none
        elif kind == "*":  # *<TAB>Equiv T1 T2 T3: the members are equivalent (no id of its own)
            tokens = rest.split()
            if len(tokens) < 3:
                raise fail(lineno, "expected 'Type Id Id ...' (an equivalence of two or more ids)")
            ann.equivalences.append(_Equiv(tokens[0], tokens[1:], lineno))
        elif kind == "N":  # N1<TAB>Reference T1 Wikipedia:534366<TAB>Barack Obama
            head, tab2, text = rest.partition("\t")
            tokens = head.split()
            resource, colon, identifier = tokens[2].partition(":") if len(tokens) == 3 else ("", "", "")
            if not (colon and resource and identifier):
                raise fail(lineno, f"{ident}: expected 'Type Id Resource:Identifier' (e.g. Reference T1 "
                                   "Wikipedia:534366)")
            ann.normalisations[ident] = _N(ident, tokens[0], tokens[1], PlannedReference(
                tokens[0], resource, identifier, text if tab2 else None), lineno)
            ann.not_kept[ident] = "normalisation"  # notes and attributes of a normalisation
        else:
            raise fail(lineno, f"unknown annotation kind {ident!r} (brat has T, E, A, M, R, N, *, #)")
    return ann


def _spans(ann: _Ann, omap: OffsetMap, path: Path) -> dict[str, tuple[int, int]]:
    """Stored-text spans of the T lines, after checking offsets and covered text."""
    out: dict[str, tuple[int, int]] = {}
    for t in ann.texts.values():
        problem = omap.check(t.start, t.end)
        if problem:
            raise AnnotationInputError(str(path), t.line, f"{t.ident}: {problem}")
        actual = omap.raw[t.start:t.end]
        if t.text is not None and not same_covered_text(t.text, actual):
            raise AnnotationInputError(
                str(path), t.line,
                f"{t.ident}: the .ann gives the text {t.text!r} but {t.start}-{t.end} in the .txt is {actual!r}",
            )
        out[t.ident] = omap.span(t.start, t.end)
    return out


def _role(token: str, event: str, index: CodebookIndex, names: NameMap) -> str:
    """The codebook role for brat's role token; `Affected2` is the second `Affected`."""
    roles = list(index.roles.get(event, {}))
    candidate = token
    while candidate:
        found = resolve_name(candidate, roles, names.role.get((event, candidate)))
        if found:
            return found
        if not candidate[-1].isdigit():
            break
        candidate = candidate[:-1]
    return names.role.get((event, token), token)


def _plan(ann: _Ann, spans: dict[str, tuple[int, int]], index: CodebookIndex, names: NameMap,
          path: Path, messages: list[str]) -> Plan:
    def fail(line: int, reason: str) -> AnnotationInputError:
        return AnnotationInputError(str(path), line, reason)

    entity_names = list(index.entity_types)
    event_names = list(index.event_types)
    triggers: dict[str, list[str]] = {}
    for e in ann.events.values():
        if e.trigger not in ann.texts:
            what = "an event, not a trigger" if e.trigger in ann.events else "not a T line of this file"
            raise fail(e.line, f"{e.ident}: unknown trigger id {e.trigger} ({what})")
        triggers.setdefault(e.trigger, []).append(e.ident)

    plan = Plan()
    mentions: dict[str, PlannedMention] = {}
    events: dict[str, PlannedEvent] = {}
    lone_triggers: set[str] = set()
    for t in sorted(ann.texts.values(), key=lambda t: t.line):
        if t.ident in triggers:
            continue
        label = resolve_name(t.label, entity_names, names.entity.get(t.label))
        if label is None:
            if resolve_name(t.label, event_names, names.event.get(t.label)):
                lone_triggers.add(t.ident)
                messages.append(f"line {t.line}: {t.ident} is a {t.label} trigger no E line uses; skipped")
                continue
            raise fail(t.line, f"{t.ident}: unknown label {t.label!r}: neither in the codebook nor in {CONF_NAME}")
        mentions[t.ident] = PlannedMention(t.ident, label, *spans[t.ident], t.line)
        plan.mentions.append(mentions[t.ident])

    no_trigger = set()
    for note in ann.notes:
        if note.kind == NO_TRIGGER:
            if note.target not in ann.events:
                raise fail(note.line, f"{NO_TRIGGER} names {note.target}, which is not an E line of this file")
            no_trigger.add(note.target)

    for e in sorted(ann.events.values(), key=lambda e: e.line):
        label = resolve_name(e.label, event_names, names.event.get(e.label))
        if label is None:
            raise fail(e.line, f"{e.ident}: unknown event type {e.label!r}: neither in the codebook nor in {CONF_NAME}")
        trig = ann.texts[e.trigger]
        trig_label = resolve_name(trig.label, event_names, names.event.get(trig.label))
        if trig_label != label:
            raise fail(e.line, f"{e.ident}: the trigger {trig.ident} is labelled {trig.label}, not {e.label}")
        event = PlannedEvent(e.ident, label, None if e.ident in no_trigger else spans[e.trigger], e.line)
        for role_token, target in e.args:
            if target in ann.events:  # a nested event: checked against the role in `check_plan`
                event.arguments.append(PlannedArgument(_role(role_token, label, index, names), target, e.line, True))
                continue
            if target in triggers or target in lone_triggers:
                raise fail(e.line, f"{e.ident}: argument {target} is an event trigger, not an entity mention")
            if target not in mentions:
                raise fail(e.line, f"{e.ident}: unknown id {target} (no T line with that id)")
            event.arguments.append(PlannedArgument(_role(role_token, label, index, names), target, e.line))
        events[e.ident] = event
        plan.events.append(event)

    relation_names = list(index.relation_types)
    relations: dict[str, PlannedRelation] = {}
    not_kept_on: dict[str, list[str]] = {}  # "note(s) on relations" → the ids of those lines

    def relation_type(label: str, ends: list[str]) -> str | None:
        """The codebook's relation type of a line linking `ends`, None when Annotary cannot hold
        it (unknown type, an end that is not a mention, or of a type the relation does not accept)."""
        rlabel = resolve_name(label, relation_names, names.relation.get(label))
        if rlabel is None or not all(end in mentions for end in ends):
            return None
        rtype = index.relation_types[rlabel]
        accepted = [[t.name for t in accepts] for accepts in (rtype.source_accepts, rtype.target_accepts)]
        if rtype.transitive:  # an equivalence: every member is a source and a target
            return rlabel if all(not names_ or mentions[end].type_name in names_
                                 for end in ends for names_ in accepted) else None
        return rlabel if all(not names_ or mentions[end].type_name in names_
                             for end, names_ in zip(ends, accepted)) else None

    for r in sorted(ann.relations.values(), key=lambda r: r.line):
        ends = sorted(r.args, key=lambda a: a[0] != "Arg1")  # Arg1 is the source (brat writes it first)
        for _, target in ends:
            if target not in mentions and target not in ann.texts and target not in ann.events:
                raise fail(r.line, f"{r.ident}: unknown id {target}")
        rlabel = relation_type(r.label, [target for _, target in ends])
        if rlabel is None:
            # brat shows such a line (flagged); Annotary cannot hold it: told, never a refusal
            not_kept_on.setdefault("relation(s) of an unknown type, or linking what the type does not accept,",
                                   []).append(r.ident)
            continue
        relations[r.ident] = PlannedRelation(r.ident, rlabel, ends[0][1], ends[1][1], r.line)
        plan.relations.append(relations[r.ident])

    groups: dict[str, dict[str, str]] = {}  # transitive type → union-find parents over T ids

    def root(parents: dict[str, str], key: str) -> str:
        while parents.get(key, key) != key:
            key = parents[key]
        return key

    for rel in plan.relations:
        if index.relation_types[rel.type_name].transitive:
            parents = groups.setdefault(rel.type_name, {})
            parents[root(parents, rel.source_key)] = root(parents, rel.target_key)
    lone_equivalences: list[str] = []
    for number, eq in enumerate(ann.equivalences, 1):
        for member in eq.members:
            if member not in ann.texts and member not in ann.events:
                raise fail(eq.line, f"*: unknown id {member} in the {eq.label} equivalence")
        if len(set(eq.members)) < 2:  # brat's ID corpus has `*  Equiv T63 T63`: it says nothing
            lone_equivalences.append(f"line {eq.line}")
            continue
        rlabel = relation_type(eq.label, eq.members)
        if rlabel is None:
            not_kept_on.setdefault("equivalence(s) of an unknown type, or of what the type does not accept,",
                                   []).append(f"line {eq.line}")
            continue
        if not index.relation_types[rlabel].transitive:
            raise fail(eq.line, f"*: {rlabel} is a relation type that is not transitive, so it cannot hold an "
                                f"equivalence; make it symmetric-transitive in {CONF_NAME} or the codebook")
        parents = groups.setdefault(rlabel, {})
        for n, (first, second) in enumerate(zip(eq.members, eq.members[1:]), 1):
            if root(parents, first) == root(parents, second):
                continue  # already equivalent: brat draws the group once
            parents[root(parents, first)] = root(parents, second)
            plan.relations.append(PlannedRelation(f"*{number}.{n}", rlabel, first, second, eq.line))

    seen_attrs: set[tuple[str, str]] = set()
    owner: PlannedMention | PlannedEvent
    for a in ann.attributes:
        if a.target in mentions:
            target, owner = "mention", mentions[a.target]
        elif a.target in events:
            target, owner = "event", events[a.target]
        elif a.target in triggers or a.target in lone_triggers:
            raise fail(a.line, f"{a.ident}: {a.target} is an event trigger; give event attributes on the E line's id")
        elif a.target in ann.not_kept:
            not_kept_on.setdefault(f"attribute(s) of {ann.not_kept[a.target]}s", []).append(a.ident)
            continue
        else:
            raise fail(a.line, f"{a.ident}: unknown id {a.target}")
        known = [n for (tgt, n) in index.attributes if tgt == target]
        name = resolve_name(a.name, known, names.attribute.get(a.name)) or names.attribute.get(a.name, a.name)
        if (a.target, name) in seen_attrs:
            raise fail(a.line, f"{a.ident}: {a.target} has {name} twice")
        seen_attrs.add((a.target, name))
        value = a.value
        if value is not None and (target, name) in index.attributes:
            mapped = names.value.get((name, value))
            value = resolve_name(value, index.attribute_values(target, name), mapped) or mapped or value
        owner.attributes.append(PlannedAttribute(name, value, a.line))

    parts: dict[int, tuple[PlannedMention | PlannedEvent | PlannedRelation, list[str]]] = {}
    typed: dict[str, int] = {}  # note type other than AnnotatorNotes → notes kept
    attribute_ids = {a.ident for a in ann.attributes}
    for note in ann.notes:
        if note.kind == NO_TRIGGER:
            continue
        if note.target in mentions:
            owners: list[PlannedMention | PlannedEvent | PlannedRelation] = [mentions[note.target]]
        elif note.target in relations:
            owners = [relations[note.target]]
        elif note.target in events:
            owners = [events[note.target]]
        elif note.target in triggers:
            owners = [events[e] for e in triggers[note.target]]
        elif note.target in lone_triggers:
            not_kept_on.setdefault("note(s) on skipped triggers", []).append(note.target)
            continue
        elif note.target in ann.not_kept:
            not_kept_on.setdefault(f"note(s) on {ann.not_kept[note.target]}s", []).append(note.target)
            continue
        elif note.target in attribute_ids:
            not_kept_on.setdefault("note(s) on attributes", []).append(note.target)
            continue
        else:
            raise fail(note.line, f"note on unknown id {note.target}")
        if note.kind != NOTE_TYPE:
            typed[note.kind] = typed.get(note.kind, 0) + 1
            for one_owner in owners:
                one_owner.typed_notes.append((note.kind, note.text))
            continue
        for one_owner in owners:
            parts.setdefault(id(one_owner), (one_owner, []))[1].append(note.text)
    several = 0
    for one_owner, texts in parts.values():
        one_owner.note = "\n".join(texts)  # one line per brat note
        several += len(texts) > 1
    for norm in sorted(ann.normalisations.values(), key=lambda n: n.line):
        if norm.target in mentions:
            refs_on: list[PlannedMention | PlannedEvent] = [mentions[norm.target]]
        elif norm.target in events:
            refs_on = [events[norm.target]]
        elif norm.target in triggers:
            refs_on = [events[e] for e in triggers[norm.target]]
        elif norm.target in lone_triggers:
            not_kept_on.setdefault("normalisation(s) of skipped triggers", []).append(norm.ident)
            continue
        elif norm.target in ann.not_kept or norm.target in attribute_ids:
            not_kept_on.setdefault("normalisation(s) of relations, attributes or normalisations",
                                   []).append(norm.ident)
            continue
        else:
            raise fail(norm.line, f"{norm.ident}: normalisation of unknown id {norm.target}")
        for ref_owner in refs_on:
            ref_owner.references.append(norm.reference)
    for what, ids in not_kept_on.items():
        messages.append(f"{len(ids)} {what} not kept yet ({', '.join(dict.fromkeys(ids))})"
                        if len(ids) <= 5 else f"{len(ids)} {what} not kept yet")
    if lone_equivalences:
        messages.append(f"{len(lone_equivalences)} equivalence(s) of an annotation with itself left out: "
                        f"they say nothing ({', '.join(lone_equivalences[:5])})")
    if typed:
        messages.append("typed notes kept: " + ", ".join(f"{n} {kind}" for kind, n in typed.items()))
    if several:
        messages.append(f"{several} annotation(s) with several notes: kept one per line of the note")
    return plan


# --------------------------------------------------------------------------- import


@dataclass
class _Pair:
    txt: Path | None
    ann: Path | None
    conf: Path | None


def _collect(folder: Path) -> list[_Pair]:
    pairs: dict[Path, _Pair] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        conf = _nearest_conf(here)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            stem, suffix = os.path.splitext(name)
            if suffix.lower() not in (".txt", ".ann"):
                continue
            pair = pairs.setdefault(here / stem, _Pair(None, None, conf))
            if suffix.lower() == ".txt":
                pair.txt = here / name
            else:
                pair.ann = here / name
    return [pairs[k] for k in sorted(pairs, key=lambda p: p.relative_to(folder).parts)]


def _nearest_conf(here: Path) -> Path | None:
    """The annotation.conf brat would use for files in `here`: the nearest one in it or above."""
    current = here.resolve()
    while True:
        if (current / CONF_NAME).is_file():
            return current / CONF_NAME
        if current.parent == current:
            return None
        current = current.parent


def import_brat(project: Project, folder: Path, coder: str,
                progress: Callable[[int, int], None] | None = None, *,
                skip_invalid: bool = False, status: str | None = None) -> ImportReports:
    """Import a brat folder (see the module docstring) in one transaction.

    Returns one FileReport per document stored. When a pair is bad, raises
    `ImportRefused` (an AnnotationInputError naming the first bad file and line, with
    every problem on ``.problems``) and stores nothing; with `skip_invalid` the others
    are stored and the problems are on the result's ``.refused``. `status`
    ("in_progress"/"in-progress" or "done"; None: in progress unless already done)
    is set for the coder on every document with a .ann. `progress(done, total)` reports
    the bytes of .ann files done (each pair counts at least 1), also within a large
    file while it is read and stored, so a bar moves on a single file of a million lines.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise AnnotationInputError(str(folder), None, "not a folder (brat data is a folder of .txt/.ann files)")
    clean_coder_name(coder)
    status = clean_status(status)
    reports: list[FileReport] = []
    problems: list[AnnotationInputError] = []
    refused = 0
    confs: dict[Path, ParsedConf | AnnotationInputError] = {}
    pairs = _collect(folder)
    weights = [_weight(pair) for pair in pairs]
    total, done = sum(weights), 0
    with project.uow() as session:
        try:
            who = get_or_create_coder(session, coder)
        except AnnotaryError as exc:
            raise AnnotationInputError(str(folder), None, exc.message) from None
        for pair, weight in zip(pairs, weights):
            def tick(fraction: float, done: int = done, weight: int = weight) -> None:
                if progress is not None:
                    progress(done + int(weight * fraction), total)

            def one(pair: _Pair = pair, tick: Callable[[float], None] = tick) -> FileReport:
                first = pair.conf is not None and pair.conf not in confs
                conf = _conf(pair, confs)
                report = _import_pair(session, pair, conf, who.id, tick, status)
                if first and pair.conf is not None and not pair.conf.is_relative_to(folder.resolve()):
                    report.messages.insert(0, f"types from {pair.conf} (above the imported folder, "
                                              "where brat finds it too)")
                if conf is not None and conf.warnings:
                    report.messages[:0] = conf.warnings
                    conf.warnings = []
                return report

            report = in_savepoint(session, problems, one)
            if report is None:
                refused += 1
            else:
                reports.append(report)
            done += weight
            if progress is not None:
                progress(done, total)
        finish(problems, len(pairs), refused, "file", skip_invalid)
        sync_search_index(session)
    return ImportReports(reports, problems)


def _conf(pair: _Pair, confs: dict[Path, ParsedConf | AnnotationInputError]) -> ParsedConf | None:
    """The pair's annotation.conf, read once per import (a bad one is an error for each pair under it)."""
    if pair.conf is None:
        return None
    if pair.conf not in confs:
        try:
            confs[pair.conf] = parse_annotation_conf(pair.conf)
        except AnnotationInputError as exc:
            confs[pair.conf] = exc
    conf = confs[pair.conf]
    if isinstance(conf, AnnotationInputError):
        raise conf
    return conf


def _weight(pair: _Pair) -> int:
    """A pair's share of the progress bar: the size of its .ann file, at least 1."""
    try:
        return 1 + (os.stat(pair.ann).st_size if pair.ann is not None else 0)
    except OSError:
        return 1


def _read_ann(path: Path) -> str:
    try:
        return read_regular_file(path, MAX_ANNOTATION_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationInputError(str(path), None, f"not UTF-8 text (byte {exc.start})") from None
    except ImportRejected as exc:
        raise AnnotationInputError(str(path), None, exc.message) from None


def _import_pair(session: Session, pair: _Pair, conf: ParsedConf | None, coder_id: int,
                 tick: Callable[[float], None] = lambda _fraction: None,
                 status: str | None = None) -> FileReport:
    """Import one pair in the caller's transaction (which rolls back all of it when this raises);
    `tick(fraction)` tells how far it got (reading the .ann about a quarter, checking its spans
    and labels a fifth, storing the rest)."""
    if pair.txt is None:
        raise AnnotationInputError(str(pair.ann), None, "no .txt file of the same name beside this .ann")
    txt = pair.txt
    try:
        data = read_regular_file(txt)  # regular files only, within the document size limit
        decoded = decode_bytes(data)  # the same checks as a plain-text import
    except ImportRejected as exc:
        raise AnnotationInputError(str(txt), None, exc.message) from None
    messages: list[str] = []
    ann = _Ann()
    ann_path = pair.ann or txt.with_suffix(".ann")
    if pair.ann is None:
        messages.append("no .ann file: document imported without annotations")
    else:
        ann = _parse_ann(pair.ann, _read_ann(pair.ann), lambda f: tick(0.25 * f))

    # brat reads a BOM as a character; try that first, then without it
    has_bom = data.startswith(_BOMS)
    candidates = (["\ufeff" + decoded.text] if has_bom else []) + [decoded.text]
    first_error: AnnotationInputError | None = None
    for raw in candidates:
        omap = OffsetMap(raw)
        try:
            spans = _spans(ann, omap, ann_path)
            tick(0.35)
            break
        except AnnotationInputError as exc:
            first_error = first_error or exc
    else:
        assert first_error is not None
        raise first_error

    hint = "the codebook"
    names = NameMap()
    if conf is not None:
        hint = f"the codebook or {conf.path.name}"
        names = conf.names
        try:
            current = read_codebook(session)
            merged = merge_codebooks(current, conf.resolve(current))
            if merged != current:
                apply_codebook(session, merged)
        except CodebookError as exc:
            raise AnnotationInputError(str(conf.path), None, f"cannot add to the codebook: {exc.message}") from None
    index = CodebookIndex(session)
    plan = _plan(ann, spans, index, names, ann_path, messages)
    try:
        doc, added = add_document(session, omap.text, txt.name, decoded.encoding)
    except ImportRejected as exc:
        raise AnnotationInputError(str(txt), None, exc.message) from None
    except AnnotaryError as exc:
        raise AnnotationInputError(str(ann_path), None, exc.message) from None
    tick(0.45)
    counts = store_plan(session, index, plan, ann_path, doc.id, coder_id, hint, lambda f: tick(0.45 + 0.5 * f),
                        status=status, mark_status=pair.ann is not None)
    tick(1.0)
    return FileReport(
        txt, doc.id, added, counts.mentions, counts.events, counts.attributes, counts.notes,
        messages=messages, skipped_mentions=counts.skipped_mentions, skipped_events=counts.skipped_events,
        coder_status=counts.status,
        relations=counts.relations, skipped_relations=counts.skipped_relations, references=counts.references,
    )


# --------------------------------------------------------------------------- export


def export_brat(project: Project, folder: Path, coder: str | None = None, force: bool = False) -> ExportSummary:
    """Write annotation.conf, visual.conf and .txt/.ann pairs into `folder` (see the module docstring).

    Every file is checked before any is written: files already in `folder` are replaced
    only with `force`, and never the project, a database or a non-regular file (see
    app.core.write_target)."""
    from app.core.temp_files import remove_stale
    from app.core.write_target import check_files_in_folder, check_folder_target

    folder = Path(folder)
    check_folder_target(folder, project=project.file)
    summary = ExportSummary(folder)
    files: list[tuple[str, str]] = []  # (name, text), in writing order
    with project.read() as session:
        spec = read_codebook(session)
        names = BratNames(spec)
        who = find_coder(session, coder) if coder else None
        coded = coded_documents(session, who, include_unannotated=True)
        files.append((CONF_NAME, annotation_conf_text(spec, names)))
        files.append(("visual.conf", visual_conf_text(spec, names)))
        by_doc: dict[int, list[CodedDocument]] = {}
        for cd in coded:
            by_doc.setdefault(cd.document.id, []).append(cd)
        stems = _file_stems(by_doc)
        for cds in by_doc.values():
            for cd, stem in zip(cds, stems[cds[0].document.id]):
                ann_text = _ann_text(cd, names, summary, stem)
                files.append((f"{stem}.txt", cd.document.text))
                files.append((f"{stem}.ann", ann_text))
            summary.documents += 1
    check_files_in_folder(folder, [name for name, _ in files], force=force, project=project.file)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnnotaryError(f"cannot create {folder}: {exc.strerror}") from None
    remove_stale(folder)
    for name, text in files:
        _write(summary, folder / name, text, force, project.file)
    written = set(summary.files)
    stale = [p for p in folder.iterdir() if p.suffix in (".txt", ".ann") and p not in written]
    if stale:
        summary.warnings.append(
            f"{len(stale)} other .txt/.ann file(s) in {folder} were left as they were "
            "(an import of the folder reads them too)"
        )
    return summary


_UNSAFE_STEM = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED_STEMS = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
_MAX_STEM_BYTES = 180  # room for ".coder-name.ann" within the 255 bytes of most file systems


def _original_stem(filename: str) -> str | None:
    """The stem of a document's original ``name.txt``, if it is safe as a file name everywhere."""
    if not filename.lower().endswith(".txt"):
        return None  # not from a text file (a doccano .jsonl line, a seed without a file)
    stem = filename[:-4]
    if (not stem or stem != stem.strip() or stem.startswith(".") or stem.endswith(".")
            or _UNSAFE_STEM.search(stem) or not stem.isprintable()
            or stem.split(".")[0].casefold() in _RESERVED_STEMS
            or len(stem.encode("utf-8")) > _MAX_STEM_BYTES):
        return None
    return stem


def _file_key(stem: str) -> str:
    """Two names one file on a case-insensitive or normalising file system (macOS, Windows)."""
    return unicodedata.normalize("NFC", stem).casefold()


def _file_stems(by_doc: dict[int, list[CodedDocument]]) -> dict[int, list[str]]:
    """The file stem of each (document, coder) pair: the document's original file name when it came
    from ``name.txt`` and no other file of the export takes that name, else ``0003_title-slug``;
    ``.coder`` is added when several coders annotated the document."""
    original = {doc_id: _original_stem(cds[0].document.filename) for doc_id, cds in by_doc.items()}

    def stems(doc_id: int) -> list[str]:
        cds = by_doc[doc_id]
        base = original[doc_id] or document_basename(cds[0].document)
        if len(cds) == 1:
            return [base]
        labels = coder_labels([cd.coder for cd in cds if cd.coder is not None])
        return [f"{base}.{labels[cd.coder.id]}" if cd.coder is not None else base for cd in cds]

    while True:
        owners: dict[str, set[int]] = {}
        for doc_id in by_doc:
            for stem in stems(doc_id):
                owners.setdefault(_file_key(stem), set()).add(doc_id)
        clashing = {d for ids in owners.values() if len(ids) > 1 for d in ids if original[d] is not None}
        if not clashing:
            return {doc_id: stems(doc_id) for doc_id in by_doc}
        for doc_id in clashing:  # numbered names never clash: they start with the document id
            original[doc_id] = None


def _write(summary: ExportSummary, path: Path, text: str, force: bool, project: Path | None) -> None:
    try:
        write_atomic(path, text, force=force, project=project)
    except OSError as exc:
        raise AnnotaryError(f"cannot write {path}: {exc.strerror}") from None
    summary.files.append(path)


def _equivalence_lines(relations: list[RelationOut], mention_tid: dict[int, str], names: BratNames,
                       summary: ExportSummary, stem: str) -> list[str]:
    """One ``*<TAB>Type T1 T2 ...`` line per group of mentions linked (directly or through others)
    by relations of a transitive type, members in T order, groups in the order of their first member."""
    parents: dict[tuple[str, int], tuple[str, int]] = {}

    def root(key: tuple[str, int]) -> tuple[str, int]:
        while parents.get(key, key) != key:
            key = parents[key]
        return key

    noted = 0
    for rel in relations:
        if rel.transitive:
            parents[root((rel.type_name, rel.source))] = root((rel.type_name, rel.target))
            parents.setdefault((rel.type_name, rel.target), (rel.type_name, rel.target))
            noted += bool(rel.note or rel.typed_notes)
    if noted:  # brat's * lines have no id a note could name
        summary.warnings.append(f"{stem}.ann: {noted} note(s) on equivalence relations left out "
                                "(brat's * lines cannot carry notes)")
    groups: dict[tuple[str, int], list[int]] = {}
    for key in parents:
        groups.setdefault(root(key), []).append(key[1])

    def number(mention: int) -> int:
        return int(mention_tid[mention][1:])

    out = []
    for (type_name, _), members in sorted(groups.items(), key=lambda g: (min(map(number, g[1])), g[0][0])):
        tids = " ".join(mention_tid[m] for m in sorted(members, key=number))
        out.append(f"*\t{names.relation[type_name]} {tids}")
    return out


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def _ann_text(cd: CodedDocument, names: BratNames, summary: ExportSummary, stem: str) -> str:
    t_ids, a_ids, n_ids, norm_ids = count(1), count(1), count(1), count(1)
    lines: list[str] = []
    mention_tid: dict[int, str] = {}
    trigger_tid: dict[tuple[str, int, int], str] = {}  # (brat type, start, end) → the T line of a trigger
    spans: dict[int, tuple[int, int]] = {}
    text = cd.document.text

    def attributes(owner: str, values: list[tuple[str, str]]) -> None:
        for name, value in values:
            line = f"A{next(a_ids)}\t{names.attribute[name]} {owner}"
            if (name, value) in names.value:  # a flag is written without a value
                line += f" {names.value[(name, value)]}"
            lines.append(line)

    def notes(owner: str, note: str, typed: list[tuple[str, str]],
              references: list[PlannedReference] | None = None) -> None:
        """The owner's AnnotatorNotes (one per line of its note), typed notes and normalisations."""
        if note:
            for part in note.split("\n"):
                lines.append(f"#{next(n_ids)}\t{NOTE_TYPE} {owner}\t{_one_line(part)}")
        for kind, part in typed:
            lines.append(f"#{next(n_ids)}\t{kind} {owner}\t{_one_line(part)}")
        for ref in references or []:
            line = f"N{next(norm_ids)}\t{ref.type} {owner} {ref.resource}:{ref.identifier}"
            lines.append(line if ref.text is None else f"{line}\t{_one_line(ref.text)}")

    for m in cd.mentions:
        tid = f"T{next(t_ids)}"
        mention_tid[m.id] = tid
        spans[m.id] = (m.start, m.end)
        lines.append(f"{tid}\t{names.entity[m.type_name]} {m.start} {m.end}\t{_one_line(m.text)}")
        summary.mentions += 1
    for m in cd.mentions:
        attributes(mention_tid[m.id], m.attributes)
        notes(mention_tid[m.id], m.note, m.typed_notes, m.references)
    # E numbers are given up front, so an event can name one written after it (nested events)
    by_id = {ev.id: ev for ev in cd.events}

    def anchor(ev: EventOut, outer: frozenset[int] = frozenset()) -> tuple[int, int] | None:
        """Where brat shows the event: its trigger, else its first mention argument, else (a
        trigger-less event whose roles hold only events) where its first argument event is shown."""
        if ev.trigger is not None:
            return ev.trigger
        if ev.arguments:
            return spans[ev.arguments[0][1]]
        for _role, inner in ev.event_arguments:
            if inner in by_id and inner not in outer:
                found = anchor(by_id[inner], outer | {ev.id})
                if found is not None:
                    return found
        return None

    anchors = {ev.id: anchor(ev) for ev in cd.events}
    shown = [ev for ev in cd.events if anchors[ev.id] is not None]
    event_eid = {ev.id: n for n, ev in enumerate(shown, 1)}
    for ev in cd.events:
        placeholder = ev.trigger is None
        place = anchors[ev.id]
        if place is None:
            summary.warnings.append(
                f"{stem}.ann: {ev.type_name} event {ev.id} has neither a trigger nor arguments; "
                "brat cannot show it, so it was left out"
            )
            continue
        start, end = place
        brat_type = names.event[ev.type_name]
        eid = f"E{event_eid[ev.id]}"
        shared = None if placeholder else trigger_tid.get((brat_type, start, end))
        if shared is None:  # events of one type on one trigger share its T line, as brat writes them
            tid = f"T{next(t_ids)}"
            lines.append(f"{tid}\t{brat_type} {start} {end}\t{_one_line(text[start:end])}")
            if not placeholder:
                trigger_tid[(brat_type, start, end)] = tid
        else:
            tid = shared
        seen: dict[str, int] = {}
        parts = [f"{brat_type}:{tid}"]
        fillers = [(role, mention_tid[m]) for role, m in ev.arguments]
        fillers += [(role, f"E{event_eid[inner]}") for role, inner in ev.event_arguments if inner in event_eid]
        for role, filler in fillers:
            seen[role] = seen.get(role, 0) + 1
            brat_role = names.role[(ev.type_name, role)]
            parts.append(f"{brat_role}{seen[role] if seen[role] > 1 else ''}:{filler}")
        lines.append(f"{eid}\t{' '.join(parts)}")
        if placeholder:
            lines.append(f"#{next(n_ids)}\t{NO_TRIGGER} {eid}\tno trigger in Annotary; {tid} is a placeholder")
        attributes(eid, ev.attributes)
        notes(eid, ev.note, ev.typed_notes, ev.references)
        summary.events += 1
    for n, rel in enumerate((r for r in cd.relations if not r.transitive), 1):
        lines.append(f"R{n}\t{names.relation[rel.type_name]} Arg1:{mention_tid[rel.source]} "
                     f"Arg2:{mention_tid[rel.target]}")
        notes(f"R{n}", rel.note, rel.typed_notes)
    lines += _equivalence_lines(cd.relations, mention_tid, names, summary, stem)
    return "\n".join(lines) + ("\n" if lines else "")
