"""Relation agreement between two coders, for the agreement report.

Two relations match when their types are equal and their source and target mentions are matched
mentions (the report's overlap matching of mentions, the one event arguments are compared
through); a symmetric type's relation also matches with its ends swapped. Each relation is
matched at most once (a maximum matching). Coder A is the reference: precision is the share of
B's relations matched, recall the share of A's; None (n/a) when undefined, never 0.

Unmatched relations become disagreements of kind "relation": "type" is the relation's type,
"text" its two ends ("source → target"), start/end span both ends, and the other coder's value
lists what they linked between the counterparts of those mentions (any type, either direction),
or "nothing".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.core.models import Coder, Relation, RelationType
from app.core.project import Project
from app.core.services.agreement_data import AgreementData, MentionUnit
from app.core.stats.cohen import pair_key
from app.core.stats.matching import maximum_matching
from app.core.stats.spans import scores


@dataclass(frozen=True)
class RelationUnit:
    document_id: int
    type: str
    symmetric: bool
    source: int  # mention ids
    target: int


def load_relations(project: Project, data: AgreementData) -> dict[str, list[RelationUnit]]:
    """Each selected coder's relations in the compared documents, in id order."""
    docs = set(data.documents)
    out: dict[str, list[RelationUnit]] = {c: [] for c in data.coders}
    with project.read() as s:
        names = dict(s.execute(select(Coder.id, Coder.name)).all())
        types = {i: (n, bool(sym)) for i, n, sym in s.execute(
            select(RelationType.id, RelationType.name, RelationType.symmetric))}
        for doc_id, coder_id, type_id, source, target in s.execute(
            select(Relation.document_id, Relation.coder_id, Relation.relation_type_id, Relation.source_mention_id,
                   Relation.target_mention_id).order_by(Relation.id)
        ):
            coder = names[coder_id]
            if coder in out and doc_id in docs:
                name, symmetric = types[type_id]
                out[coder].append(RelationUnit(doc_id, name, symmetric, source, target))
    return out


def match_relations(ra: list[RelationUnit], rb: list[RelationUnit],
                    same_mention: dict[int, int]) -> list[tuple[int, int]]:
    """(index in A, index in B) of the matched relations: same type, ends on matched mentions."""
    by_key: dict[tuple[str, int, int], list[int]] = {}
    for j, y in enumerate(rb):
        by_key.setdefault((y.type, y.source, y.target), []).append(j)
        if y.symmetric:
            by_key.setdefault((y.type, y.target, y.source), []).append(j)
    adjacency: list[list[int]] = []
    for x in ra:
        source, target = same_mention.get(x.source), same_mention.get(x.target)
        if source is None or target is None:
            adjacency.append([])
            continue
        adjacency.append(list(dict.fromkeys(by_key.get((x.type, source, target), []))))
    match = maximum_matching(adjacency, len(rb))
    return [(i, j) for i, j in enumerate(match) if j != -1]


def _public(n_a: int, n_b: int, pairs: list[tuple[int, int]], a_ids: list[int], b_ids: list[int]) -> dict[str, Any]:
    d = scores(n_a, n_b, pairs, a_ids, b_ids).as_dict()
    return {k: d[k] for k in ("precision", "recall", "f1", "n_a", "n_b", "matched")}


def relation_pair(a: str, b: str, ra: list[RelationUnit], rb: list[RelationUnit],
                  pairs: list[tuple[int, int]]) -> dict[str, Any]:
    """Overall and per-type counts and precision/recall/F1 (types either coder used, sorted)."""
    types = sorted({x.type for x in ra} | {y.type for y in rb})
    by_type: dict[str, dict[str, Any]] = {}
    for t in types:
        a_ids = [i for i, x in enumerate(ra) if x.type == t]
        b_ids = [j for j, y in enumerate(rb) if y.type == t]
        by_type[t] = _public(len(a_ids), len(b_ids), [p for p in pairs if ra[p[0]].type == t], a_ids, b_ids)
    return {"coders": [a, b], "pair": pair_key(a, b),
            **_public(len(ra), len(rb), pairs, list(range(len(ra))), list(range(len(rb)))), "by_type": by_type}


def relation_disagreements(a: str, b: str, ra: list[RelationUnit], rb: list[RelationUnit],
                           pairs: list[tuple[int, int]], same_mention: dict[int, int],
                           mentions: dict[int, MentionUnit]) -> list[dict[str, Any]]:
    """The relations one coder has and the other has no matched relation for (see the module doc)."""
    out: list[dict[str, Any]] = []
    back = {mb: ma for ma, mb in same_mention.items()}
    for rels, other, matched, mapping, side in ((ra, rb, {i for i, _ in pairs}, same_mention, "a"),
                                                (rb, ra, {j for _, j in pairs}, back, "b")):
        for k, r in enumerate(rels):
            if k in matched:
                continue
            ends = {mapping.get(r.source), mapping.get(r.target)} - {None}
            there = [o for o in other if len(ends) == 2 and {o.source, o.target} == ends]
            theirs = "; ".join(_describe(o, mentions) for o in there) or "nothing"
            mine = _describe(r, mentions)
            src, tgt = mentions.get(r.source), mentions.get(r.target)
            places = [m for m in (src, tgt) if m is not None]
            out.append({
                "kind": "relation", "document_id": r.document_id,
                "start": min(m.start for m in places) if places else None,
                "end": max(m.end for m in places) if places else None,
                "text": f"{_text(src)} → {_text(tgt)}", "coder_a": a, "value_a": mine if side == "a" else theirs,
                "coder_b": b, "value_b": theirs if side == "a" else mine, "type": r.type, "code": None})
    return out


def _text(m: MentionUnit | None) -> str:
    return m.text if m is not None else "?"


def _describe(r: RelationUnit, mentions: dict[int, MentionUnit]) -> str:
    arrow = "↔" if r.symmetric else "→"
    return f"{r.type}: “{_text(mentions.get(r.source))}” {arrow} “{_text(mentions.get(r.target))}”"
