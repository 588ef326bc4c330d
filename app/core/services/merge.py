"""Bringing another project's annotations into this one (each coder works in a copy; the lead merges).

The other file is never trusted nor touched: a temporary copy is opened and every row
checked (see `merge_source`) before anything is written; the first problem is one line.
Documents are matched by the SHA-256 of their text, never by file name; coders by name;
codebook types, roles, attributes and codes by name (after NFC). The merge is one transaction, and
merging the same file again adds nothing: an annotation identical to one already stored
(same document, coder, type and offsets; for events also trigger, arguments and
attributes) is recognised and skipped. Typed notes and external references come along with
their mention, event or relation (one the target already has is not added again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.codebook import (
    apply_codebook,
    codebook_differences,
    merge_codebooks,
    read_codebook,
)
from app.core.errors import AnnotaryError
from app.core.models import (
    AnnotationNote,
    Attribute,
    Coder,
    Document,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    ExternalReference,
    Mention,
    MentionAttributeValue,
    Relation,
    RelationType,
)
from app.core.project import Project
from app.core.search_index import sync_search_index
from app.core.services.annotations import check_attribute_value, check_code_value
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.services.merge_checks import relation_flag_differences, row_error
from app.core.services.merge_source import MergeSourceError, open_merge_source
from app.core.validation import name_key, normalise_name


@dataclass
class MergeReport:
    source: Path
    documents_matched: int = 0
    documents_imported: int = 0
    documents_only_there: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    mentions_added: int = 0
    events_added: int = 0
    relations_added: int = 0
    codes_added: int = 0
    codes_updated: int = 0
    skipped_identical: int = 0
    codebook_added: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            (f"merged {self.source}: {self.documents_matched} document(s) matched by text"
             + (f", {self.documents_imported} imported" if self.documents_imported else "")),
            f"coders: {', '.join(self.coders) or 'none'}",
            (f"added {self.mentions_added} mention(s), {self.events_added} event(s), "
             + (f"{self.relations_added} relation(s), " if self.relations_added else "")
             + f"{self.codes_added} code value(s); "
             f"updated {self.codes_updated} code value(s); {self.skipped_identical} already present"),
        ]
        lines += [f"codebook: added {item}" for item in self.codebook_added]
        lines += [f"only in {self.source.name}, not merged: {title}" for title in self.documents_only_there]
        return "\n".join(lines)


def merge_project(target: Project, source_path: Path, *, accept_codebook: bool = False,
                  import_missing: bool = False) -> MergeReport:
    source_path = Path(source_path)
    with open_merge_source(source_path, target) as source, source.read() as src, target.uow() as dst:
        report = MergeReport(source_path)
        _merge_codebook(src, dst, accept_codebook, report)
        try:
            _Merger(src, dst, report, import_missing).run()
            sync_search_index(dst)
        except AnnotaryError as exc:  # a row the target's codebook refuses: nothing is committed
            raise MergeSourceError(source_path, exc.message) from None
    return report


def _merge_codebook(src: Session, dst: Session, accept: bool, report: MergeReport) -> None:
    mine, theirs = read_codebook(dst), read_codebook(src)
    differences = codebook_differences(mine, theirs) + relation_flag_differences(mine, theirs)
    if not differences:
        return
    if not accept:
        raise AnnotaryError(
            "the codebooks differ: " + "; ".join(differences)
            + ". Nothing was merged; merge again accepting the additions (--accept-codebook) to add them."
        )
    apply_codebook(dst, merge_codebooks(mine, theirs))
    report.codebook_added = differences


class _Merger:
    def __init__(self, src: Session, dst: Session, report: MergeReport, import_missing: bool) -> None:
        self.src, self.dst, self.report, self.import_missing = src, dst, report, import_missing
        self.entity = _by_name(src, dst, EntityType)
        self.event_type = _by_name(src, dst, EventType)
        self.code = _by_name(src, dst, DocumentCode)
        self.relation_type = _by_name(src, dst, RelationType)
        dst_attributes = list(dst.scalars(select(Attribute)))
        self.attribute = {a.id: _same_name_id([d for d in dst_attributes if d.target == a.target], a.name)
                          for a in src.scalars(select(Attribute))}
        dst_roles = list(dst.scalars(select(EventRole)))
        self.role = {r.id: _same_name_id([d for d in dst_roles if d.event_type_id == self.event_type[r.event_type_id]],
                                         r.name)
                     for r in src.scalars(select(EventRole))}
        self.coder: dict[int, int] = {}

    def run(self) -> None:
        for coder in self.src.scalars(select(Coder).order_by(Coder.name)):
            self.coder[coder.id] = get_or_create_coder(self.dst, coder.name).id
            self.report.coders.append(coder.name)
        for doc in self.src.scalars(select(Document).order_by(Document.id)):
            target = self.dst.scalar(select(Document).where(Document.sha256 == doc.sha256))
            if target is None:
                if not self.import_missing:
                    self.report.documents_only_there.append(doc.title)
                    continue
                target, _ = add_document(self.dst, doc.text, doc.filename, doc.source_encoding)
                target.title, target.language = doc.title, doc.language
                self.report.documents_imported += 1
            else:
                self.report.documents_matched += 1
            self._merge_document(doc.id, target.id)

    def _merge_document(self, src_doc: int, dst_doc: int) -> None:
        mention_map: dict[int, int] = {}
        for m in self.src.scalars(select(Mention).where(Mention.document_id == src_doc).order_by(Mention.id)):
            key = dict(document_id=dst_doc, coder_id=self.coder[m.coder_id],
                       entity_type_id=self.entity[m.entity_type_id], start=m.start, end=m.end)
            existing = self.dst.scalar(select(Mention.id).filter_by(**key))
            if existing is not None:
                mention_map[m.id] = existing
                self.report.skipped_identical += 1
                continue
            new = Mention(**key, text=m.text, note=m.note, created_at=m.created_at, modified_at=m.modified_at)
            self.dst.add(new)
            self.dst.flush()
            mention_map[m.id] = new.id
            self.report.mentions_added += 1
        src_values = (select(MentionAttributeValue).join(Mention, Mention.id == MentionAttributeValue.mention_id)
                      .where(Mention.document_id == src_doc).order_by(MentionAttributeValue.id))
        for mv in self.src.scalars(src_values):
            mkey = {"mention_id": mention_map[mv.mention_id], "attribute_id": self.attribute[mv.attribute_id]}
            value = self._attribute_value("mention_attribute_values", mv)
            if self.dst.scalar(select(MentionAttributeValue.id).filter_by(**mkey)) is None:
                self.dst.add(MentionAttributeValue(**mkey, value=value, modified_at=mv.modified_at))
        event_map = self._merge_events(src_doc, dst_doc, mention_map)
        relation_map = self._merge_relations(src_doc, dst_doc, mention_map)
        self._merge_extras(src_doc, mention_map, event_map, relation_map)
        for v in self.src.scalars(select(DocumentCodeValue).where(DocumentCodeValue.document_id == src_doc)):
            ckey = {"document_id": dst_doc, "coder_id": self.coder[v.coder_id], "code_id": self.code[v.code_id]}
            try:
                check_code_value(self.dst.get_one(DocumentCode, ckey["code_id"]), v.value)
            except AnnotaryError as exc:
                raise row_error("document_code_values", v.id, exc.message) from None
            mine = self.dst.scalar(select(DocumentCodeValue).filter_by(**ckey))
            if mine is None:
                self.dst.add(DocumentCodeValue(**ckey, value=v.value, created_at=v.created_at,
                                               modified_at=v.modified_at))
                self.report.codes_added += 1
            elif mine.value == v.value:
                self.report.skipped_identical += 1
            elif v.modified_at > mine.modified_at:  # the later coding by the same coder wins
                mine.value, mine.modified_at = v.value, v.modified_at
                self.report.codes_updated += 1
        for st in self.src.scalars(select(DocumentStatus).where(DocumentStatus.document_id == src_doc)):
            skey = {"document_id": dst_doc, "coder_id": self.coder[st.coder_id]}
            status = self.dst.scalar(select(DocumentStatus).filter_by(**skey))
            if status is None:
                self.dst.add(DocumentStatus(**skey, status=st.status, modified_at=st.modified_at))
            elif st.status == "done":
                status.status = "done"
        self.dst.flush()

    def _merge_events(self, src_doc: int, dst_doc: int, mention_map: dict[int, int]) -> dict[int, int]:
        """Events, inner ones first (an event that fills a role of another is merged before it),
        each recognised by its type, trigger, arguments (mentions and events) and attributes."""
        existing_events = {self._event_signature_dst(e): e.id for e in self.dst.scalars(
            select(Event).where(Event.document_id == dst_doc))}
        event_map: dict[int, int] = {}
        for e in _inner_first(list(self.src.scalars(
                select(Event).where(Event.document_id == src_doc).order_by(Event.id)))):
            args = sorted(
                (self.role[a.role_id], "m", mention_map[a.mention_id]) if a.mention_id is not None
                else (self.role[a.role_id], "e", event_map[known_filler(a.argument_event_id)])
                for a in e.arguments)
            attrs = sorted((self.attribute[a.attribute_id], self._attribute_value("event_attribute_values", a))
                           for a in e.attributes)
            signature = (self.coder[e.coder_id], self.event_type[e.event_type_id], e.trigger_start, e.trigger_end,
                         tuple(args), tuple(attrs))
            if signature in existing_events:
                event_map[e.id] = existing_events[signature]
                self.report.skipped_identical += 1
                continue
            new_event = Event(document_id=dst_doc, coder_id=signature[0], event_type_id=signature[1],
                              trigger_start=e.trigger_start, trigger_end=e.trigger_end, trigger_text=e.trigger_text,
                              note=e.note, created_at=e.created_at, modified_at=e.modified_at)
            self.dst.add(new_event)
            self.dst.flush()
            for role_id, kind, filler in args:
                self.dst.add(EventArgument(event_id=new_event.id, role_id=role_id,
                                           mention_id=filler if kind == "m" else None,
                                           argument_event_id=filler if kind == "e" else None))
            for attribute_id, value in attrs:
                self.dst.add(EventAttributeValue(event_id=new_event.id, attribute_id=attribute_id, value=value))
            self.dst.flush()
            existing_events[signature] = event_map[e.id] = new_event.id
            self.report.events_added += 1
        return event_map

    def _merge_relations(self, src_doc: int, dst_doc: int, mention_map: dict[int, int]) -> dict[int, int]:
        relation_map: dict[int, int] = {}
        for r in self.src.scalars(select(Relation).where(Relation.document_id == src_doc).order_by(Relation.id)):
            type_id = self.relation_type[r.relation_type_id]
            source, target = mention_map[r.source_mention_id], mention_map[r.target_mention_id]
            ends = [(source, target)]
            if self.dst.get_one(RelationType, type_id).symmetric:
                ends.append((target, source))
            same = [found for s, t in ends if (found := self.dst.scalar(select(Relation.id).where(
                Relation.relation_type_id == type_id, Relation.source_mention_id == s,
                Relation.target_mention_id == t))) is not None]
            if same:
                relation_map[r.id] = same[0]
                self.report.skipped_identical += 1
                continue
            new = Relation(document_id=dst_doc, coder_id=self.coder[r.coder_id], relation_type_id=type_id,
                           source_mention_id=source, target_mention_id=target, note=r.note,
                           created_at=r.created_at, modified_at=r.modified_at)
            self.dst.add(new)
            self.dst.flush()
            relation_map[r.id] = new.id
            self.report.relations_added += 1
        return relation_map

    def _merge_extras(self, src_doc: int, mention_map: dict[int, int], event_map: dict[int, int],
                      relation_map: dict[int, int]) -> None:
        """The typed notes and references of the document's annotations, onto the annotations they
        were merged into; one the target annotation already has (same type and text) is skipped."""
        owners = (("mention_id", Mention, mention_map), ("event_id", Event, event_map),
                  ("relation_id", Relation, relation_map))
        for column, model, mapping in owners:
            for note in self.src.scalars(
                    select(AnnotationNote).join(model, model.id == getattr(AnnotationNote, column))
                    .where(model.document_id == src_doc).order_by(AnnotationNote.id)):
                owner = mapping.get(getattr(note, column))
                if owner is None:
                    continue
                key = {column: owner, "type": note.type, "text": note.text}
                if self.dst.scalar(select(AnnotationNote.id).filter_by(**key).limit(1)) is None:
                    self.dst.add(AnnotationNote(**key))
            if column == "relation_id":
                continue
            for ref in self.src.scalars(
                    select(ExternalReference).join(model, model.id == getattr(ExternalReference, column))
                    .where(model.document_id == src_doc).order_by(ExternalReference.id)):
                owner = mapping.get(getattr(ref, column))
                if owner is None:
                    continue
                rkey = {column: owner, "type": ref.type, "resource": ref.resource, "identifier": ref.identifier,
                        "text": ref.text}
                if self.dst.scalar(select(ExternalReference.id).filter_by(**rkey).limit(1)) is None:
                    self.dst.add(ExternalReference(**rkey))
        self.dst.flush()

    def _attribute_value(self, table: str, row: EventAttributeValue | MentionAttributeValue) -> str:
        """The value, checked against this project's attribute (its codebook may differ from the other's)."""
        try:
            return check_attribute_value(self.dst.get_one(Attribute, self.attribute[row.attribute_id]), row.value)
        except AnnotaryError as exc:
            raise row_error(table, row.id, exc.message) from None

    def _event_signature_dst(self, e: Event) -> tuple[Any, ...]:
        return (e.coder_id, e.event_type_id, e.trigger_start, e.trigger_end,
                tuple(sorted((a.role_id, "m", a.mention_id) if a.mention_id is not None
                             else (a.role_id, "e", known_filler(a.argument_event_id)) for a in e.arguments)),
                tuple(sorted((a.attribute_id, a.value) for a in e.attributes)))


def known_filler(ident: int | None) -> int:
    """The argument event of an argument whose mention is NULL (CHECK one_filler)."""
    assert ident is not None
    return ident


def _inner_first(events: list[Event]) -> list[Event]:
    """The events ordered so that each comes after the events that fill its roles (the source was
    checked for cycles, see merge_checks)."""
    by_id = {e.id: e for e in events}
    done: set[int] = set()
    entered: set[int] = set()
    out: list[Event] = []

    def visit(event: Event) -> None:
        stack = [(event, False)]
        while stack:
            e, expanded = stack.pop()
            if e.id in done:
                continue
            if not expanded and e.id in entered:  # on the current path: a cycle
                raise row_error("events", e.id, "the event is its own argument (through other events)")
            entered.add(e.id)
            if expanded:
                done.add(e.id)
                out.append(e)
                continue
            stack.append((e, True))
            stack += [(by_id[a.argument_event_id], False) for a in e.arguments
                      if a.argument_event_id is not None and a.argument_event_id not in done]

    for e in events:
        visit(e)
    return out


def _by_name(src: Session, dst: Session, model: type[Any]) -> dict[int, int]:
    """Ids in the source mapped to ids of the same-named rows in the target (names compared as the
    codebook compares them: exactly first, else up to case and Unicode form)."""
    rows: list[Any] = list(dst.scalars(select(model)))
    mapped = {row.id: _same_name_id(rows, row.name) for row in src.scalars(select(model))}
    return {k: v for k, v in mapped.items() if v is not None}


def _same_name_id(rows: list[Any], name: str) -> int | None:
    exact = [r.id for r in rows if normalise_name(r.name) == normalise_name(name)]
    if exact:
        return exact[0]
    similar = [r.id for r in rows if name_key(r.name) == name_key(name)]
    return similar[0] if len(similar) == 1 else None
