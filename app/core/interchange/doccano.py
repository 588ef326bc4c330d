"""doccano JSONL import and export (sequence labelling, with Annotary's own keys).

Import (`import_doccano`)
-------------------------
One JSON object per line, in either of doccano's shapes::

    {"text": "...", "label": [[0, 4, "Organization"], ...]}
    {"text": "...", "entities": [{"id": 1, "start_offset": 0, "end_offset": 4, "label": "Organization"}],
     "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "Actor"}]}

(``data`` is read when ``text`` is missing, as older doccano wrote it.)

* The WHOLE FILE IS ONE TRANSACTION: every line is checked (each stored in a
  savepoint of its own), and an error on any line stores nothing from the file;
  the error (`ImportRefused`) lists every invalid line by number. With
  ``skip_invalid`` the valid lines are stored and the invalid ones listed.
* Labels the codebook lacks: without ``add_labels`` every line using one is
  invalid and the error names them all with their kind ("the file uses 3 labels
  the codebook does not have: ORG, PER, LOC; --add-labels adds them as entity
  types"; ``ImportRefused.unknown``); with it they are added in the same
  transaction: span labels as entity types (`ImportReports.added_types`), the
  types of Annotary's ``events`` as event types with the roles their events use
  (`added_event_types`; a trigger's label is its event's type, not an entity
  type), relation types linking any entity types (`added_relation_types`).
* Every line's document gets the coder's status (``status``: "in_progress" or
  "done"; None: in progress unless already done), a line without labels too: a
  coder who found nothing has coded the document. Annotations the coder already
  has there are not stored again (the report counts them as skipped).
* Offsets are code points of the "text" value as written (``\\r\\n`` counted as
  two), mapped to the stored text, which has ``\\r\\n`` and ``\\r`` turned into
  ``\\n`` and a leading BOM dropped. (Very old doccano versions counted UTF-16
  units; their emoji offsets cannot be told apart and are not corrected.)
* The text is attached to the document with the same content (SHA-256), or
  added as a new document; every line gives one FileReport (with its line).
* A span whose label is an entity type is a mention. A span whose label is an
  event type is an event trigger: the trigger of the matching item of the
  ``events`` key (see below), or else an event with that trigger and no
  arguments.
* A doccano relation linking two MENTIONS (spans of entity types, not event
  triggers) is an Annotary relation of that type (``relation_details``:
  ``[{"relation_id", "note"}]`` gives notes). A relation type the codebook lacks
  refuses the line, unless ``add_labels`` adds it (linking any entity types).
  A relation from or to an event trigger (the trigger → argument arcs the export
  writes) is ignored, with a note in the report: it cannot say which event an
  argument belongs to when a trigger is shared, nor carry events without
  triggers or event attributes. Annotary's events come from its own ``events``
  key.
* Annotary's keys (written by `export_doccano`, optional on import):
  ``events``: ``[{"id", "type", "trigger_id" (an entity id or null), "arguments":
  [{"role", "entity_id"} or {"role", "event_id"} (a nested event: the "id" of
  another event of the line)], "attributes": {name: value}, "note"}]`` (an event
  without "id" is numbered by its position, from 1);
  ``entity_details``: ``[{"entity_id", "attributes": {name: value}, "note"}]``;
  ``document_codes``: ``{name: value}``. Flags have the value ``"true"``.
  ``document_id``, ``title`` and ``coder`` are informative only: everything is
  stored under the coder given.
* Refused with AnnotationInputError naming the file and the 1-based line:
  invalid JSON, offsets outside the text, end <= start, offsets inside a
  ``\\r\\n``, unknown or repeated entity ids, labels not in the codebook, roles the
  event type lacks, arguments of a type the role does not accept, attribute
  values outside the attribute's list, unknown document codes or values.

Export (`export_doccano`)
-------------------------
One line per document (per document and coder when several coders annotated
it; without a coder filter, documents nobody annotated get a line with no
entities): ``document_id``, ``title``, ``coder``, the full stored ``text``,
``entities`` (doccano's second shape: mentions, then event triggers labelled
with the event type), ``relations`` (trigger → argument, typed by role, so
doccano shows the arguments, nested events' triggers included; then the
relations between mentions, typed by relation type), and Annotary's ``events``,
``entity_details``, ``relation_details`` and ``document_codes``. Written UTF-8 via a temporary file and os.replace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.core.bounded_read import MAX_ANNOTATION_BYTES, read_regular_file
from app.core.codebook import (
    CodebookSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
    apply_codebook,
    merge_codebooks,
    read_codebook,
)
from app.core.decoding import check_document_text
from app.core.errors import AnnotaryError, AnnotationInputError, CodebookError, ImportRejected
from app.core.interchange.common import (
    CodebookIndex,
    CodedDocument,
    ExportSummary,
    FileReport,
    OffsetMap,
    Plan,
    PlannedArgument,
    PlannedAttribute,
    PlannedCode,
    PlannedEvent,
    PlannedMention,
    PlannedRelation,
    coded_documents,
    palette_color,
    write_atomic,
)
from app.core.interchange.import_result import ImportReports, clean_status, finish, in_savepoint
from app.core.interchange.plan_store import store_plan
from app.core.models import Coder
from app.core.project import Project
from app.core.search_index import sync_search_index
from app.core.services.annotations import FLAG_VALUE
from app.core.services.coders import clean_coder_name, find_coder, get_or_create_coder
from app.core.services.documents import add_document
from app.core.validation import name_key, normalise_name

# --------------------------------------------------------------------------- import


def import_doccano(project: Project, path: Path, coder: str,
                   progress: Callable[[int, int], None] | None = None, *,
                   skip_invalid: bool = False, add_labels: bool = False,
                   status: str | None = None) -> ImportReports:
    """Import a doccano JSONL file in ONE transaction (see the module docstring).

    Returns one FileReport per line stored. When any line is invalid, raises
    `ImportRefused` (an AnnotationInputError naming the first invalid line, with every
    one on ``.problems`` and the labels the codebook lacks on ``.unknown_labels``) and
    stores nothing; with `skip_invalid` the valid lines are stored and the invalid
    ones are on the result's ``.refused``. `add_labels` adds the labels the codebook lacks
    (entity, event and relation types). `progress(done, total)` is called with the lines done so far,
    inside the transaction: an exception it raises (`ImportCancelled`) stores nothing.
    """
    path = Path(path)
    clean_coder_name(coder)
    status = clean_status(status)
    try:
        content = read_regular_file(path, MAX_ANNOTATION_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationInputError(str(path), None, f"not UTF-8 text (byte {exc.start})") from None
    except ImportRejected as exc:
        raise AnnotationInputError(str(path), None, exc.message) from None
    records: list[tuple[int, dict[str, Any]]] = []
    problems: list[AnnotationInputError] = []
    for lineno, line in enumerate(content.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            records.append((lineno, _parse_line(path, lineno, line)))
        except AnnotationInputError as exc:
            problems.append(exc)
    total = len(records) + len(problems)
    if not total:
        raise AnnotationInputError(str(path), None, "no records (the file is empty)")
    with project.uow() as session:
        try:
            who = get_or_create_coder(session, coder)
        except AnnotaryError as exc:
            raise AnnotationInputError(str(path), None, exc.message) from None
        index = CodebookIndex(session)
        unknown = _unknown_labels(records, index)
        new_event_types = _unknown_event_types(records, index, unknown)
        new_relation_types = _unknown_relation_types(records, index)
        added: list[str] = []
        if add_labels and (unknown or new_event_types or new_relation_types):
            add_types(session, path, unknown, new_event_types, new_relation_types)
            index, added = CodebookIndex(session), unknown
        unknown_kinds: dict[str, list[str]] = {} if add_labels else {
            "unknown_labels": unknown, "unknown_event_types": [t.name for t in new_event_types],
            "unknown_relation_types": new_relation_types}
        reports: list[FileReport] = []
        if progress is not None:
            progress(len(problems), total)  # in the transaction: a cancel raised here stores nothing
        for lineno, record in records:
            def one(lineno: int = lineno, record: dict[str, Any] = record) -> FileReport:
                return _import_record(session, index, path, lineno, record, who, status)

            report = in_savepoint(session, problems, one)
            if report is not None:
                reports.append(report)
            if progress is not None:
                progress(len(reports) + len(problems), total)
        if add_labels and reports:
            for kind, names in (("event", [t.name for t in new_event_types]), ("relation", new_relation_types)):
                if names:
                    reports[0].messages.append(f"{kind} type(s) added to the codebook: " + ", ".join(names))
        problems.sort(key=lambda p: p.line or 0)
        finish(problems, total, len(problems), "line", skip_invalid, **unknown_kinds)
        sync_search_index(session)
        result = ImportReports(reports, problems, added)
        if add_labels:
            result.added_event_types = [t.name for t in new_event_types]
            result.added_relation_types = list(new_relation_types)
        return result


def _parse_line(path: Path, lineno: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AnnotationInputError(str(path), lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise AnnotationInputError(str(path), lineno, "not readable: JSON nested too deeply") from None
    except ValueError:  # e.g. an integer of more than 4,300 digits
        raise AnnotationInputError(str(path), lineno, "not readable: a number in it is too long") from None
    if not isinstance(record, dict):
        raise AnnotationInputError(str(path), lineno, 'expected a JSON object such as {"text": ..., "label": ...}')
    return record


def _unknown_labels(records: list[tuple[int, dict[str, Any]]], index: CodebookIndex) -> list[str]:
    """The span labels neither an entity nor an event type of the codebook (up to case and
    Unicode form), NFC, in the order of first use; lines that cannot be read are left to
    `_import_record` to refuse."""
    known = [*index.entity_types, *index.event_types]
    found: dict[str, str] = {}  # name_key → the label as first written
    for lineno, record in records:
        if not isinstance(record.get("text", record.get("data")), str):
            continue  # refused for that
        try:
            spans = _spans(record, _Fail(Path(), lineno))
        except AnnotationInputError:
            continue
        triggers = _trigger_ids(record)
        for ident, _start, _end, label in spans:
            if not isinstance(label, str) or not label.strip() or label in known or str(ident) in triggers:
                continue  # an event's trigger is labelled with the event's type (see _unknown_event_types)
            name = normalise_name(label)
            if index.spelled(known, name) in known:
                continue
            found.setdefault(name_key(name), name)
    return list(found.values())


def _record_events(record: dict[str, Any]) -> list[dict[str, Any]]:
    events = record.get("events")
    return [ev for ev in events if isinstance(ev, dict)] if isinstance(events, list) else []


def _trigger_ids(record: dict[str, Any]) -> set[str]:
    return {str(ev["trigger_id"]) for ev in _record_events(record) if ev.get("trigger_id") is not None}


def _unknown_event_types(records: list[tuple[int, dict[str, Any]]], index: CodebookIndex,
                         new_entity_types: list[str]) -> list[EventTypeSpec]:
    """The types of Annotary's "events" the codebook lacks (up to case and Unicode form), NFC, in
    the order of first use, each with the roles its events use in the file: repeatable; a role
    filled only by mentions takes any mention, one filled by events takes the types of the events
    and of the mentions that fill it (`new_entity_types`: the span labels about to be added)."""
    specs: dict[str, EventTypeSpec] = {}  # name_key → the type as first written
    fillers: dict[tuple[str, str], list[str]] = {}  # (type key, role key) → the mentions' entity types

    def entity(label: str) -> str:
        name = normalise_name(label)
        return next((n for n in new_entity_types if name_key(n) == name_key(name)),
                    index.spelled(index.entity_types, name))

    for lineno, record in records:
        try:
            labels = {str(ident): label for ident, _s, _e, label in _spans(record, _Fail(Path(), lineno))}
        except AnnotationInputError:
            continue  # refused for that
        events = _record_events(record)
        type_of = {str(ev.get("id", i)): ev.get("type") for i, ev in enumerate(events, 1)}
        for ev in events:
            etype = ev.get("type")
            if not isinstance(etype, str) or not etype.strip():
                continue
            name = normalise_name(etype)
            if index.spelled(index.event_types, name) in index.event_types:
                continue
            spec = specs.setdefault(name_key(name), EventTypeSpec(name, palette_color(name)))
            arguments = ev.get("arguments")
            for arg in arguments if isinstance(arguments, list) else []:
                if not isinstance(arg, dict) or not isinstance(arg.get("role"), str) or not arg["role"].strip():
                    continue
                role = spec.role_like(normalise_name(arg["role"]))
                if role is None:
                    role = RoleSpec(normalise_name(arg["role"]), repeatable=True)
                    spec.roles.append(role)
                inner = type_of.get(str(arg.get("event_id"))) if "event_id" in arg else None
                label = labels.get(str(arg.get("entity_id"))) if "entity_id" in arg else None
                if isinstance(inner, str) and inner.strip():
                    inner = index.spelled(index.event_types, normalise_name(inner))
                    if name_key(inner) not in {name_key(n) for n in role.accepts_events}:
                        role.accepts_events.append(inner)
                elif isinstance(label, str) and label.strip():
                    used = fillers.setdefault((name_key(name), name_key(role.name)), [])
                    if entity(label) not in used:
                        used.append(entity(label))
    for key, spec in specs.items():
        for role in spec.roles:
            # another new type is named as first written; a role taking events names its mentions' types
            role.accepts_events = [specs[name_key(n)].name if name_key(n) in specs else n for n in role.accepts_events]
            if role.accepts_events:
                role.accepts = fillers.get((key, name_key(role.name)), [])
    return list(specs.values())


def _unknown_relation_types(records: list[tuple[int, dict[str, Any]]], index: CodebookIndex) -> list[str]:
    """The types of relations linking two mention spans (not event triggers) that the codebook
    lacks (up to case and Unicode form), NFC, in the order of first use."""
    found: dict[str, str] = {}
    for lineno, record in records:
        try:
            spans = _spans(record, _Fail(Path(), lineno))
            relations = _relation_items(record, _Fail(Path(), lineno))
        except AnnotationInputError:
            continue  # refused for that
        events = record.get("events")
        triggers = {str(ev.get("trigger_id")) for ev in events
                    if isinstance(ev, dict) and ev.get("trigger_id") is not None} if isinstance(events, list) else set()
        mention_ids = {str(ident) for ident, _s, _e, label in spans
                       if ident is not None and str(ident) not in triggers and isinstance(label, str)
                       and index.spelled(index.event_types, normalise_name(label)) not in index.event_types}
        for rel in relations:
            rtype = rel.get("type")
            if not isinstance(rtype, str) or not rtype.strip() \
                    or not {str(rel.get("from_id")), str(rel.get("to_id"))} <= mention_ids:
                continue
            name = normalise_name(rtype)
            if index.spelled(index.relation_types, name) not in index.relation_types:
                found.setdefault(name_key(name), name)
    return list(found.values())


def add_types(session: Session, path: Path, entity_types: list[str], event_types: list[EventTypeSpec],
              relation_types: list[str]) -> None:
    """Add to the codebook, in the caller's transaction: `entity_types` (a colour each, no hotkey),
    `event_types` as given, and `relation_types` linking any entity types."""
    current = read_codebook(session)
    extra = CodebookSpec(
        entity_types=[EntityTypeSpec(name, palette_color(name)) for name in entity_types],
        event_types=event_types,
        relation_types=[RelationTypeSpec(name, palette_color(name)) for name in relation_types],
    )
    try:
        apply_codebook(session, merge_codebooks(current, extra))
    except CodebookError as exc:
        raise AnnotationInputError(str(path), None, f"cannot add the labels to the codebook: {exc.message}") from None


class _Fail:
    def __init__(self, path: Path, line: int) -> None:
        self.path, self.line = path, line

    def __call__(self, reason: str) -> AnnotationInputError:
        return AnnotationInputError(str(self.path), self.line, reason)


def _spans(record: dict[str, Any], fail: _Fail) -> list[tuple[Any, Any, Any, Any]]:
    """(id, start, end, label) of every span, from either doccano shape."""
    if record.get("entities") is not None:
        entities = record["entities"]
        if not isinstance(entities, list):
            raise fail('"entities" must be a list')
        out = []
        for i, ent in enumerate(entities, 1):
            if isinstance(ent, list) and len(ent) == 3:  # doccano's intent detection: [start, end, "Label"]
                out.append((None, ent[0], ent[1], ent[2]))
                continue
            if not isinstance(ent, dict) or not {"start_offset", "end_offset", "label"} <= set(ent):
                raise fail(f'entity {i} must be an object with "start_offset", "end_offset" and "label" '
                           'or a list [start, end, "Label"]')
            out.append((ent.get("id"), ent["start_offset"], ent["end_offset"], ent["label"]))
        return out
    key = "label" if "label" in record else "labels" if "labels" in record else None
    if key is None or record[key] is None:
        return []
    items = record[key]
    if not isinstance(items, list):
        raise fail(f'"{key}" must be a list of [start, end, "Label"]')
    out = []
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            raise fail(f'"{key}" holds document categories (text classification), not spans [start, end, "Label"]')
        if not isinstance(item, list) or len(item) < 3:
            raise fail(f'{key} {i} must be [start, end, "Label"], not {json.dumps(item, ensure_ascii=False)}')
        out.append((None, item[0], item[1], item[2]))
    return out


def _attributes(value: Any, fail: _Fail, what: str) -> list[PlannedAttribute]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise fail(f'"attributes" of {what} must be an object {{"name": "value"}}')
    out = []
    for name, val in value.items():
        if val is True:
            val = FLAG_VALUE
        if not isinstance(val, str):
            raise fail(f"attribute {name} of {what} must have a text value, not {json.dumps(val)}")
        out.append(PlannedAttribute(name, val, fail.line))
    return out


def _note(value: Any, fail: _Fail, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(f'"note" of {what} must be text')
    return value


def _import_record(
    session: Session, index: CodebookIndex, path: Path, lineno: int, record: dict[str, Any], who: Coder,
    status: str | None = None,
) -> FileReport:
    fail = _Fail(path, lineno)
    text = record.get("text", record.get("data"))
    if not isinstance(text, str):
        raise fail('no "text" (the document text) in this record')
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise fail("the text holds unpaired surrogates (a broken emoji?)")
    try:
        check_document_text(text)  # the same checks as a plain-text import
    except ImportRejected as exc:
        raise fail(exc.message) from None
    omap = OffsetMap(text)
    messages: list[str] = []

    spans = _spans(record, fail)
    by_id: dict[str, tuple[int, int, str]] = {}  # str(entity id) → stored span and label
    keyed: list[tuple[str, str, int, int, str]] = []  # (id, name, start, end, label), stored-text offsets
    for i, (ident, start, end, label) in enumerate(spans, 1):
        what = f"entity {ident}" if ident is not None else f"span {i}"
        if not isinstance(label, str) or not label:
            raise fail(f"{what} has no label")
        problem = omap.check(start, end)
        if problem:
            raise fail(f"{what} ({label}): {problem}")
        if ident is not None and (isinstance(ident, (dict, list, bool)) or str(ident) in by_id):
            raise fail(f"entity id {json.dumps(ident)} is repeated or not a number/text")
        key = str(ident) if ident is not None else f"#{i}"
        s, e = omap.span(start, end)
        if label not in index.entity_types and label not in index.event_types:  # the usual exact hit is free
            # NFC, as the codebook stores names, and up to case: a corpus's PERSON is the codebook's Person
            label = index.spelled([*index.entity_types, *index.event_types], normalise_name(label))
        if ident is not None:
            by_id[key] = (s, e, label)
        keyed.append((key, what, s, e, label))

    events = record.get("events") or []
    if not isinstance(events, list) or not all(isinstance(ev, dict) for ev in events):
        raise fail('"events" must be a list of objects')
    trigger_ids = {str(ev.get("trigger_id")) for ev in events if ev.get("trigger_id") is not None}
    plan = Plan()
    mentions: dict[str, PlannedMention] = {}
    lone = 0
    for key, what, s, e, label in keyed:
        if key in trigger_ids:
            continue
        if label in index.entity_types:
            mentions[key] = PlannedMention(what, label, s, e, lineno)
            plan.mentions.append(mentions[key])
        elif label in index.event_types:
            plan.events.append(PlannedEvent(what, label, (s, e), lineno))
            lone += 1
        else:
            raise fail(f"unknown label {label!r} ({what}): not an entity or event type in the codebook")
    if lone:
        messages.append(f"{lone} span(s) labelled with an event type imported as events without arguments")

    event_keys: dict[str, str] = {}  # str(the record's event id, else its 1-based position) → plan key
    for i, ev in enumerate(events, 1):
        eid = ev.get("id", i)
        if isinstance(eid, (dict, list, bool)) or str(eid) in event_keys:
            raise fail(f"event id {json.dumps(eid)} is repeated or not a number/text")
        event_keys[str(eid)] = f"event {i}"
    for i, ev in enumerate(events, 1):
        etype = ev.get("type")
        if not isinstance(etype, str):
            raise fail(f'event {i} has no "type"')
        etype = index.spelled(index.event_types, normalise_name(etype))
        trigger = None
        tid = ev.get("trigger_id")
        if tid is not None:
            if isinstance(tid, (dict, list)) or str(tid) not in by_id:
                raise fail(f"event {i}: unknown trigger_id {json.dumps(tid)}")
            s, e, label = by_id[str(tid)]
            if label != etype:
                raise fail(f"event {i}: its trigger {tid} is labelled {label}, not {etype}")
            trigger = (s, e)
        planned = PlannedEvent(f"event {i}", etype, trigger, lineno, _note(ev.get("note"), fail, f"event {i}"))
        args = ev.get("arguments") or []
        if not isinstance(args, list):
            raise fail(f'"arguments" of event {i} must be a list')
        for arg in args:
            if isinstance(arg, dict) and isinstance(arg.get("role"), str) and "event_id" in arg:
                ref = arg["event_id"]  # a nested event: another event of this record fills the role
                if isinstance(ref, (dict, list)) or str(ref) not in event_keys:
                    raise fail(f"event {i}: unknown event_id {json.dumps(ref)}")
                planned.arguments.append(PlannedArgument(arg["role"], event_keys[str(ref)], lineno, event=True))
                continue
            if not isinstance(arg, dict) or not isinstance(arg.get("role"), str) or "entity_id" not in arg:
                raise fail(f'arguments of event {i} must be objects with "role" and "entity_id" or "event_id"')
            ref = arg["entity_id"]
            if isinstance(ref, (dict, list)) or str(ref) not in by_id:
                raise fail(f"event {i}: unknown entity_id {json.dumps(ref)}")
            if str(ref) not in mentions:
                raise fail(f"event {i}: argument {ref} is not an entity mention (label {by_id[str(ref)][2]})")
            planned.arguments.append(PlannedArgument(arg["role"], mentions[str(ref)].key, lineno))
        planned.attributes = _attributes(ev.get("attributes"), fail, f"event {i}")
        plan.events.append(planned)

    details = record.get("entity_details") or []
    if not isinstance(details, list):
        raise fail('"entity_details" must be a list')
    for detail in details:
        ref = detail.get("entity_id") if isinstance(detail, dict) else None
        if isinstance(ref, (dict, list)) or ref is None or str(ref) not in mentions:
            raise fail(f"entity_details: unknown entity_id {json.dumps(ref)}")
        mention = mentions[str(ref)]
        mention.attributes = _attributes(detail.get("attributes"), fail, f"entity {ref}")
        mention.note = _note(detail.get("note"), fail, f"entity {ref}")

    codes = record.get("document_codes") or {}
    if not isinstance(codes, dict):
        raise fail('"document_codes" must be an object {"name": "value"}')
    for name, value in codes.items():
        if not isinstance(value, str):
            raise fail(f"document code {name} must have a text value")
        plan.codes.append(PlannedCode(name, value, lineno))

    arcs = _plan_relations(record, index, mentions, set(by_id), plan, fail)
    if arcs:
        messages.append(
            f"{arcs} relation(s) ignored: doccano relations cannot express Annotary events"
            + (" (events read from the \"events\" key)" if events else "")
        )

    try:
        doc, added = add_document(session, omap.text, path.name)
    except ImportRejected as exc:
        raise fail(exc.message) from None
    counts = store_plan(session, index, plan, path, doc.id, who.id, status=status)
    return FileReport(
        path, doc.id, added, counts.mentions, counts.events, counts.attributes, counts.notes,
        line=lineno, messages=messages, skipped_mentions=counts.skipped_mentions,
        skipped_events=counts.skipped_events, coder_status=counts.status,
        relations=counts.relations, skipped_relations=counts.skipped_relations,
    )


def _relation_items(record: dict[str, Any], fail: _Fail) -> list[dict[str, Any]]:
    relations = record.get("relations") or []
    if not isinstance(relations, list) or not all(isinstance(r, dict) for r in relations):
        raise fail('"relations" must be a list of objects {"from_id", "to_id", "type"}')
    return relations


def _plan_relations(record: dict[str, Any], index: CodebookIndex, mentions: dict[str, PlannedMention],
                    span_ids: set[str], plan: Plan, fail: _Fail) -> int:
    """Add to `plan` the doccano relations linking two mentions; return how many link an event
    trigger (trigger → argument arcs: the events come from the "events" key)."""
    arcs = 0
    notes: dict[str, str] = {}
    for detail in record.get("relation_details") or []:
        if not isinstance(detail, dict) or "relation_id" not in detail:
            raise fail('"relation_details" must be a list of objects {"relation_id", "note"}')
        notes[str(detail["relation_id"])] = _note(detail.get("note"), fail, f"relation {detail['relation_id']}")
    for i, rel in enumerate(_relation_items(record, fail), 1):
        ends = [rel.get("from_id"), rel.get("to_id")]
        what = f"relation {rel.get('id', i)}"
        for ref in ends:
            if ref is None or isinstance(ref, (dict, list)) or str(ref) not in span_ids:
                raise fail(f"{what}: unknown entity id {json.dumps(ref)}")
        if not all(str(ref) in mentions for ref in ends):
            arcs += 1
            continue
        rtype = rel.get("type")
        if not isinstance(rtype, str) or not rtype.strip():
            raise fail(f'{what} has no "type"')
        name = index.spelled(index.relation_types, normalise_name(rtype))
        if name not in index.relation_types:
            raise fail(f"{what}: unknown relation type {rtype!r}: add it to the codebook's relation types "
                       "(or --add-labels adds it)")
        source, target = (mentions[str(ref)].key for ref in ends)
        plan.relations.append(PlannedRelation(what, name, source, target, fail.line,
                                              notes.get(str(rel.get("id", i)), "")))
    return arcs


# --------------------------------------------------------------------------- export


def export_doccano(project: Project, path: Path, coder: str | None = None, force: bool = False) -> ExportSummary:
    """Write the project (or one coder's work) as doccano JSONL (see the module docstring).

    An existing `path` is replaced only with `force`, and never when it is the project,
    a database or not a regular file (see app.core.write_target)."""
    from app.core.temp_files import remove_stale
    from app.core.write_target import check_file_target

    path = Path(path)
    check_file_target(path, force=force, project=project.file)
    summary = ExportSummary(path)
    with project.read() as session:
        who = find_coder(session, coder) if coder else None
        coded = coded_documents(session, who, include_unannotated=True)
        lines = [json.dumps(_record(cd, summary), ensure_ascii=False) for cd in coded]
        summary.documents = len({cd.document.id for cd in coded})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path.parent)
        write_atomic(path, "".join(line + "\n" for line in lines), force=force, project=project.file)
    except OSError as exc:
        raise AnnotaryError(f"cannot write {path}: {exc.strerror}") from None
    summary.files.append(path)
    return summary


def _record(cd: CodedDocument, summary: ExportSummary) -> dict[str, Any]:
    text = cd.document.text
    entities: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    entity_of: dict[int, int] = {}
    for m in cd.mentions:
        eid = len(entities) + 1
        entity_of[m.id] = eid
        entities.append({"id": eid, "label": m.type_name, "start_offset": m.start, "end_offset": m.end})
        if m.attributes or m.note:
            details.append({"entity_id": eid, "attributes": dict(m.attributes), "note": m.note})
    relations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    event_of = {ev.id: n for n, ev in enumerate(cd.events, 1)}  # stored event id → the record's event id
    trigger_of: dict[int, int] = {}  # stored event id → the entity id of its trigger
    for ev in cd.events:
        if ev.trigger is not None:
            trigger_of[ev.id] = len(entities) + 1
            entities.append({"id": trigger_of[ev.id], "label": ev.type_name,
                             "start_offset": ev.trigger[0], "end_offset": ev.trigger[1]})
    for ev in cd.events:
        trigger_id = trigger_of.get(ev.id)
        if trigger_id is not None:  # trigger → argument arcs, so doccano shows the arguments
            ends = [entity_of[m] for _, m in ev.arguments] + [trigger_of.get(e) for _, e in ev.event_arguments]
            roles = [role for role, _ in ev.arguments] + [role for role, _ in ev.event_arguments]
            for role, to_id in zip(roles, ends):
                if to_id is not None:  # a nested event without a trigger has nothing to point at
                    relations.append({"id": len(relations) + 1, "from_id": trigger_id, "to_id": to_id, "type": role})
        events.append({
            "id": event_of[ev.id],
            "type": ev.type_name,
            "trigger_id": trigger_id,
            "arguments": [{"role": role, "entity_id": entity_of[m]} for role, m in ev.arguments]
            + [{"role": role, "event_id": event_of[e]} for role, e in ev.event_arguments if e in event_of],
            "attributes": dict(ev.attributes),
            "note": ev.note,
        })
    relation_details: list[dict[str, Any]] = []
    for rel in cd.relations:  # relations between mentions, as doccano writes them
        relations.append({"id": len(relations) + 1, "from_id": entity_of[rel.source], "to_id": entity_of[rel.target],
                          "type": rel.type_name})
        if rel.note:
            relation_details.append({"relation_id": len(relations), "note": rel.note})
    summary.mentions += len(cd.mentions)
    summary.events += len(cd.events)
    record: dict[str, Any] = {
        "document_id": cd.document.id,
        "title": cd.document.title,
        "coder": cd.coder.name if cd.coder is not None else None,
        "text": text,
        "entities": entities,
        "relations": relations,
        "events": events,
    }
    if details:
        record["entity_details"] = details
    if relation_details:
        record["relation_details"] = relation_details
    if cd.codes:
        record["document_codes"] = dict(cd.codes)
    return record
