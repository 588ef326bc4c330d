"""What the agreement statistics compare, read from a project: which documents count,
the coders' document-code ratings, and their mentions. Every document left out is
reported with its reason; nothing is dropped silently."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

from sqlalchemy import select

from app.core.errors import AnnotaryError
from app.core.models import (
    Coder,
    Document,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    EntityType,
    Mention,
)
from app.core.project import Project
from app.core.services.coders import GOLD


class MentionUnit(NamedTuple):
    """One coder's mention (a named tuple: a project has millions, made in one pass)."""

    document_id: int
    start: int
    end: int
    type: str
    mention_id: int
    text: str = ""


@dataclass
class AgreementData:
    coders: list[str]
    documents: list[int]  # documents every selected coder has finished
    left_out: dict[int, str] = field(default_factory=dict)  # document id -> reason
    codes: dict[str, tuple[str, list[str], dict[int, dict[str, str | None]]]] = field(default_factory=dict)
    mentions: dict[str, list[MentionUnit]] = field(default_factory=dict)

    def pairs(self) -> list[tuple[str, str]]:
        return list(combinations(self.coders, 2))


def load_agreement_data(project: Project, coders: list[str] | None = None,
                        include_unfinished: bool = False) -> AgreementData:
    """The data of the coders (default: every coder with annotations, except `gold`).

    A document counts when every selected coder marked it done (or, with
    `include_unfinished`, when every selected coder annotated or coded it)."""
    with project.read() as s:
        all_coders = {c.name: c.id for c in s.scalars(select(Coder))}
        if coders:
            unknown = [c for c in coders if c not in all_coders]
            if unknown:
                raise AnnotaryError(f"no coder named {', '.join(map(repr, unknown))} in this project "
                                    f"(coders: {', '.join(sorted(all_coders)) or 'none'})")
            names = list(dict.fromkeys(coders))
        else:
            active = set(s.scalars(select(Coder.name).join(DocumentStatus, DocumentStatus.coder_id == Coder.id)))
            names = sorted(n for n in active if n != GOLD)
        if len(names) < 2:
            raise AnnotaryError("agreement needs at least two coders who have worked on documents "
                                f"(found: {', '.join(names) or 'none'})")
        ids = {all_coders[n]: n for n in names}
        status: dict[int, dict[str, str]] = {}
        for doc_id, coder_id, st in s.execute(
            select(DocumentStatus.document_id, DocumentStatus.coder_id, DocumentStatus.status)
            .where(DocumentStatus.coder_id.in_(ids))
        ):
            status.setdefault(doc_id, {})[ids[coder_id]] = st
        data = AgreementData(coders=names, documents=[])
        for doc_id in s.scalars(select(Document.id).order_by(Document.id)):
            per = status.get(doc_id, {})
            if not per:
                continue  # nobody worked on it: not a unit, nothing to report
            missing = [n for n in names if n not in per]
            unfinished = [n for n in names if per.get(n) != "done"]
            if missing:
                data.left_out[doc_id] = f"not coded by {', '.join(missing)}"
            elif unfinished and not include_unfinished:
                data.left_out[doc_id] = f"not marked done by {', '.join(unfinished)}"
            else:
                data.documents.append(doc_id)
        docs = set(data.documents)
        for code in s.scalars(select(DocumentCode).order_by(DocumentCode.position)):
            table: dict[int, dict[str, str | None]] = {d: dict.fromkeys(names) for d in data.documents}
            # one object per distinct value (not one string per row): the statistics read every
            # value, and a few shared strings, their hashes known, are quicker to read than 60,000
            same: dict[str, str] = {}
            for doc_id, coder_id, value in s.connection().execute(
                select(DocumentCodeValue.document_id, DocumentCodeValue.coder_id, DocumentCodeValue.value)
                .where(DocumentCodeValue.code_id == code.id, DocumentCodeValue.coder_id.in_(ids))
            ):
                if doc_id in docs:
                    table[doc_id][ids[coder_id]] = same.setdefault(value, value)
            data.codes[code.name] = (code.level, json.loads(code.values_json), table)
        types = dict(s.execute(select(EntityType.id, EntityType.name)).all())
        data.mentions = {n: [] for n in names}
        add = {coder_id: data.mentions[name].append for coder_id, name in ids.items()}
        # millions of rows: read through the Core connection (plain rows, no ORM result processing),
        # by document, then start (then id, so that equal starts come in one defined order)
        for mid, doc_id, coder_id, type_id, start, end, text in s.connection().execute(
            select(Mention.id, Mention.document_id, Mention.coder_id, Mention.entity_type_id, Mention.start,
                   Mention.end, Mention.text).where(Mention.coder_id.in_(ids))
            .order_by(Mention.document_id, Mention.start, Mention.id)
        ):
            if doc_id in docs:
                add[coder_id](MentionUnit(doc_id, start, end, types[type_id], mid, text))
    return data
