"""Synthetic multilingual corpus for benchmarks: documents, mentions, events, codes.

As a library:
    from bench.corpus import generate, long_document
    summary = generate(project, n_docs=2000, mentions_per_doc=100, events_per_doc=10)
    doc_id = long_document(project, chars=100_000, mentions=3000)

As a script (creates the project, with the default codebook, when it does not exist):
    python -m bench.corpus /tmp/bench.annotary --docs 2000 --mentions-per-doc 100

Documents mix English, Arabic and Hindi sentences built from short sample phrases
(with emoji, ZWJ sequences and combining marks). Every mention and trigger lies on
word boundaries and its stored text is exactly the document text's slice; every
argument respects its role's accepted types; events get a Modality. Rows are
inserted with Core executemany in one transaction, ids assigned up front.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, func, insert, select

from app.core.models import (
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
    Mention,
    role_accepts,
)
from app.core.project import Project
from app.core.text import first_line_title, sha256_text

PHRASES = {
    "en": [
        "Meta is reversing its decision to reassign 7,000 employees",
        "according to an internal memo obtained by Business Insider",
        "the company cut 14% of its workforce this week 📉",
        "researchers left for a rival lab in San Francisco",
        "Scale AI laid off a team of contractors in Dallas",
        "OpenAI gave most staff a week off to recharge 🏖️",
        "the café near the office reopened after the re\u0301organisation",
        "a spokesperson declined to comment on the $14.3 billion deal",
        "the CEO said the task force would be voluntary 👩\u200d💻",
        "hiring offers reportedly reached $100 million 💰",
    ],
    "ar": [
        "ألغت شركة Scale AI نحو 700 وظيفة",
        "بعد صفقة Meta بقيمة 14.3 مليار دولار",
        "تُجبر الشركة موظفيها على إجازة لمدة أسبوع 🗓️",
        "غادر ثمانية باحثين فريق الذكاء الفائق",
        "قال الرئيس التنفيذي إنّ القرار نهائيّ",
        "تحوّل التركيز إلى العمل في القطاع العام",
        "أكّد متحدّث باسم الشركة صحّة المذكّرة الداخليّة 📄",
        "ارتفعت عروض التوظيف إلى مئة مليون دولار",
        "في سان فرانسيسكو ودالاس ونيويورك",
        "تزايد التوتّر داخل أقسام الذكاء الاصطناعي 🤖",
    ],
    "hi": [
        "Scale AI ने इस हफ्ते अपने Dallas ऑफिस में टीम को हटा दिया",
        "Meta के $14.3 बिलियन निवेश के बाद",
        "कंपनी में हुई ताज़ा री-स्ट्रक्चरिंग 🔄",
        "कर्मचारियों की छंटनी से कॉन्ट्रैक्टरों में चिंता",
        "नई दिल्ली में प्रवक्ता ने बयान दिया",
        "शोधकर्ताओं ने प्रतिद्वंद्वी कंपनी जॉइन की 🧑🏽\u200d🔬",
        "लगभग 14% कर्मचारी प्रभावित हुए",
        "ज़करबर्ग ने करोड़ों का निवेश किया",
        "अगले हफ्ते से नई नीति लागू होगी",
        "टीम के सदस्यों को दूसरे विभाग में भेजा गया",
    ],
}
LANGUAGES = ("en", "ar", "hi")
_END = {"en": ".", "ar": ".", "hi": "।"}
_BASE_TIME = datetime(2025, 1, 1, 9, 0, 0)


@dataclass
class CorpusSummary:
    documents: int
    mentions: int
    events: int
    arguments: int
    document_ids: range
    seconds: float


@dataclass
class _Doc:
    text: str
    language: str
    tokens: list[tuple[int, int]]  # (start, end) of each word, code points
    sentence_of: list[int]  # sentence index of each token


def _compose(rng: random.Random, main: str, target_chars: int, paragraph_every: int = 4) -> _Doc:
    """A text of about `target_chars` code points, mostly in `main`, word offsets recorded."""
    pieces: list[str] = []
    tokens: list[tuple[int, int]] = []
    sentence_of: list[int] = []
    pos = 0
    sentence = 0
    while pos < target_chars or sentence == 0:
        lang = main if rng.random() < 0.7 else rng.choice(LANGUAGES)
        words = rng.choice(PHRASES[lang]).split(" ")
        if rng.random() < 0.5:
            words = words + rng.choice(PHRASES[lang]).split(" ")
        if sentence:
            sep = "\n\n" if sentence % paragraph_every == 0 else " "
            pieces.append(sep)
            pos += len(sep)
        for i, word in enumerate(words):
            if i:
                pieces.append(" ")
                pos += 1
            tokens.append((pos, pos + len(word)))
            sentence_of.append(sentence)
            pieces.append(word)
            pos += len(word)
        pieces.append(_END[lang])
        pos += 1
        sentence += 1
    return _Doc("".join(pieces), main, tokens, sentence_of)


def _span(rng: random.Random, doc: _Doc) -> tuple[int, int]:
    """One to three consecutive words of one sentence."""
    i = rng.randrange(len(doc.tokens))
    j = i
    for _ in range(rng.choice((0, 0, 1, 2))):
        if j + 1 < len(doc.tokens) and doc.sentence_of[j + 1] == doc.sentence_of[i]:
            j += 1
    return doc.tokens[i][0], doc.tokens[j][1]


class _Codebook:
    """The ids generation needs, read once."""

    def __init__(self, conn: Connection) -> None:
        self.entity_types = list(conn.scalars(select(EntityType.id).order_by(EntityType.position)))
        if not self.entity_types:
            raise SystemExit("the project has no entity types: give it a codebook first")
        self.event_types = list(conn.scalars(select(EventType.id).order_by(EventType.position)))
        roles: dict[int, list[tuple[int, bool]]] = {}
        for role_id, type_id, repeatable in conn.execute(
            select(EventRole.id, EventRole.event_type_id, EventRole.repeatable).order_by(EventRole.position)
        ):
            roles.setdefault(type_id, []).append((role_id, bool(repeatable)))
        self.roles = roles
        accepts: dict[int, set[int]] = {}
        for role_id, et_id in conn.execute(select(role_accepts.c.role_id, role_accepts.c.entity_type_id)):
            accepts.setdefault(role_id, set()).add(et_id)
        self.accepts = accepts
        modality = conn.execute(
            select(Attribute.id, Attribute.values_json).where(Attribute.target == "event", Attribute.name == "Modality")
        ).first()
        self.modality = (modality[0], json.loads(modality[1])) if modality else None
        self.codes = [
            (code_id, json.loads(values))
            for code_id, values in conn.execute(select(DocumentCode.id, DocumentCode.values_json))
            if json.loads(values)
        ]


def _coder_ids(conn: Connection, names: Sequence[str]) -> list[int]:
    ids = []
    for name in names:
        coder_id = conn.scalar(select(Coder.id).where(Coder.name == name))
        if coder_id is None:
            coder_id = conn.execute(insert(Coder).values(name=name, created_at=_BASE_TIME)).inserted_primary_key[0]
        ids.append(coder_id)
    return ids


def _next_id(conn: Connection, model: Any) -> int:
    return int(conn.scalar(select(func.max(model.id))) or 0) + 1


def _build(project: Project, docs: list[_Doc], mentions_per_doc: int, events_per_doc: int,
           coders: Sequence[str], rng: random.Random, statuses_and_codes: bool = True) -> CorpusSummary:
    t0 = time.perf_counter()
    with project.engine.begin() as conn:
        book = _Codebook(conn)
        coder_ids = _coder_ids(conn, coders)
        doc_id = first_doc = _next_id(conn, Document)
        mention_id = _next_id(conn, Mention)
        event_id = _next_id(conn, Event)
        doc_rows, mention_rows, event_rows, arg_rows, attr_rows = [], [], [], [], []
        status_rows, code_rows = [], []
        clock = 0
        for n, doc in enumerate(docs):
            doc_rows.append({
                "id": doc_id, "title": first_line_title(doc.text)[:400] or f"synthetic {doc_id}",
                "filename": f"synthetic_{doc_id:06d}.txt", "language": doc.language,
                "direction": "rtl" if doc.language == "ar" else "ltr", "source_encoding": "utf-8",
                "chars": len(doc.text), "sha256": sha256_text(doc.text), "text": doc.text,
                "imported_at": _BASE_TIME + timedelta(minutes=n),
            })
            by_coder: dict[int, list[tuple[int, int]]] = {c: [] for c in coder_ids}  # (mention id, type)
            for k in range(mentions_per_doc):
                coder_id = coder_ids[k % len(coder_ids)]
                start, end = _span(rng, doc)
                etype = rng.choice(book.entity_types)
                clock += 1
                stamp = _BASE_TIME + timedelta(seconds=clock)
                mention_rows.append({
                    "id": mention_id, "document_id": doc_id, "coder_id": coder_id, "entity_type_id": etype,
                    "start": start, "end": end, "text": doc.text[start:end],
                    "note": "" if rng.random() < 0.9 else "check this",
                    "created_at": stamp, "modified_at": stamp,
                })
                by_coder[coder_id].append((mention_id, etype))
                mention_id += 1
            for k in range(events_per_doc if book.event_types else 0):
                coder_id = coder_ids[k % len(coder_ids)]
                etype = rng.choice(book.event_types)
                start, end = doc.tokens[rng.randrange(len(doc.tokens))]
                clock += 1
                stamp = _BASE_TIME + timedelta(seconds=clock)
                event_rows.append({
                    "id": event_id, "document_id": doc_id, "coder_id": coder_id, "event_type_id": etype,
                    "trigger_start": start, "trigger_end": end, "trigger_text": doc.text[start:end],
                    "note": "", "created_at": stamp, "modified_at": stamp,
                })
                if book.modality is not None:
                    attr_rows.append({"event_id": event_id, "attribute_id": book.modality[0],
                                      "value": rng.choice(book.modality[1]), "modified_at": stamp})
                candidates = by_coder[coder_id]
                roles = book.roles.get(etype, [])
                for role_id, _repeatable in rng.sample(roles, min(len(roles), rng.randint(1, 3))):
                    accepted = book.accepts.get(role_id)
                    fits = [m for m, t in candidates if not accepted or t in accepted]
                    if fits:
                        arg_rows.append({"event_id": event_id, "role_id": role_id, "mention_id": rng.choice(fits),
                                         "created_at": stamp, "modified_at": stamp})
                event_id += 1
            if statuses_and_codes:
                for coder_id in coder_ids:
                    status = rng.choice((None, "in_progress", "done"))
                    if status:
                        status_rows.append({"document_id": doc_id, "coder_id": coder_id, "status": status,
                                            "modified_at": _BASE_TIME})
                        for code_id, values in book.codes:
                            code_rows.append({"document_id": doc_id, "coder_id": coder_id, "code_id": code_id,
                                              "value": rng.choice(values), "created_at": _BASE_TIME,
                                              "modified_at": _BASE_TIME})
            doc_id += 1
        for model, rows in ((Document, doc_rows), (Mention, mention_rows), (Event, event_rows),
                            (EventAttributeValue, attr_rows), (EventArgument, arg_rows),
                            (DocumentStatus, status_rows), (DocumentCodeValue, code_rows)):
            if rows:
                conn.execute(insert(model.__table__), rows)
    return CorpusSummary(len(doc_rows), len(mention_rows), len(event_rows), len(arg_rows),
                         range(first_doc, doc_id), time.perf_counter() - t0)


def generate(project: Project, n_docs: int, mentions_per_doc: int, events_per_doc: int,
             coders: Sequence[str] = ("alice", "bob"), seed: int = 0, doc_chars: int = 3000) -> CorpusSummary:
    """Add `n_docs` synthetic documents (languages in turn: en, ar, hi) with their annotations.

    Mentions and events are shared out among `coders` in turn; each document also gets
    a random status and document code values per coder.
    """
    rng = random.Random(seed)
    docs = [_compose(rng, LANGUAGES[i % len(LANGUAGES)], doc_chars) for i in range(n_docs)]
    return _build(project, docs, mentions_per_doc, events_per_doc, coders, rng)


def long_document(project: Project, chars: int = 100_000, mentions: int = 3000, events: int = 100,
                  coder: str = "alice", language: str = "ar", seed: int = 0,
                  coders: Sequence[str] | None = None) -> int:
    """Add one long document (about `chars` code points) with `mentions` mentions by one
    coder (or shared out among `coders`); returns its id. For benchmarks of opening and
    highlighting a big document."""
    rng = random.Random(seed)
    doc = _compose(rng, language, chars, paragraph_every=6)
    summary = _build(project, [doc], mentions, events, tuple(coders or (coder,)), rng,
                     statuses_and_codes=coders is not None)
    return summary.document_ids.start


def main(argv: list[str] | None = None) -> int:
    from app.core.project import open_project
    from app.core.services.projects import init_project

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="project file (created with the default codebook if missing)")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--mentions-per-doc", type=int, default=100)
    parser.add_argument("--events-per-doc", type=int, default=10)
    parser.add_argument("--doc-chars", type=int, default=3000)
    parser.add_argument("--coders", default="alice,bob", help="comma-separated coder names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--long-document", type=int, metavar="CHARS", default=0,
                        help="also add one long document of this many characters (3,000 mentions)")
    args = parser.parse_args(argv)
    project = open_project(args.project) if args.project.exists() else init_project(args.project, empty=True)
    with project:
        s = generate(project, args.docs, args.mentions_per_doc, args.events_per_doc,
                     tuple(c.strip() for c in args.coders.split(",") if c.strip()), args.seed, args.doc_chars)
        print(f"{s.documents} documents, {s.mentions} mentions, {s.events} events, {s.arguments} arguments "
              f"in {s.seconds:.1f} s -> {args.project}")
        if args.long_document:
            doc_id = long_document(project, args.long_document, seed=args.seed)
            print(f"long document {doc_id}: {args.long_document} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
