"""The project's agreement report: document codes, mentions, events and relations, per pair of coders.

Built on the exact statistics of `app.core.stats`; every unit left out is counted with
its reason (see `agreement_data`).

Event roles are compared in matched events: a mention filler through the mention matching, an
event filler (a nested event) through the event matching (events are paired first, then their
event-filled roles compared through that pairing). Relations: see `agreement_relations`.

Each disagreement is a dict: kind ("document code", "mention", "mention span", "event",
"event attribute", "event role", "relation"), document_id, start/end (None without a place), text, coder_a/value_a,
coder_b/value_b, type (the entity or event type; None for document codes) and code (the
document code's name; None otherwise).
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections.abc import Callable
from functools import wraps
from typing import Any, NotRequired, ParamSpec, TypedDict, TypeVar

from sqlalchemy import select

from app.core.models import (
    Attribute,
    Coder,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
)
from app.core.project import Project
from app.core.services.agreement_data import (
    AgreementData,
    MentionUnit,
    load_agreement_data,
)
from app.core.services.agreement_relations import (
    load_relations,
    match_relations,
    relation_disagreements,
    relation_pair,
)
from app.core.services.agreement_unitizing import unitizing_section
from app.core.stats.cohen import pair_key
from app.core.stats.matching import maximum_matching
from app.core.stats.ratings import rating_report
from app.core.stats.spans import MatchScores, scores, span_agreement

P = ParamSpec("P")
R = TypeVar("R")


def _without_gc(make: Callable[P, R]) -> Callable[P, R]:
    """Runs `make` without the cyclic garbage collector: the report makes millions of objects and no
    reference cycles, and the collector's passes over them took about half of its time on a large
    project. (Reference counting frees everything as usual; the collector is back on afterwards.)"""

    @wraps(make)
    def made(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return make(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return made


@_without_gc
def agreement_report(project: Project, coders: list[str] | None = None, include_unfinished: bool = False,
                     seed: int = 0, n_boot: int = 1000) -> dict[str, Any]:
    data = load_agreement_data(project, coders, include_unfinished)
    report: dict[str, Any] = {
        "coders": data.coders,
        "documents_compared": len(data.documents),
        "documents": list(data.documents),
        "include_unfinished": include_unfinished,
        "documents_left_out": {str(d): why for d, why in data.left_out.items()},
        "codes": {},
        "mentions": {"pairs": []},
        "events": {"pairs": []},
        "relations": {"pairs": []},
        "disagreements": [],
    }
    for name, (level, values, table) in data.codes.items():
        order = values if level == "ordinal" and values else None
        numeric = level in ("interval", "ratio")
        cleaned = {str(d): {c: (float(v) if numeric and v is not None else v) for c, v in row.items()}
                   for d, row in table.items()}
        report["codes"][name] = rating_report(cleaned, level, order, seed=seed, n_boot=n_boot)
        for a, b in data.pairs():
            for doc_id, row in table.items():
                if row[a] is not None and row[b] is not None and row[a] != row[b]:
                    report["disagreements"].append({
                        "kind": "document code", "document_id": doc_id, "start": None, "end": None, "text": name,
                        "coder_a": a, "value_a": row[a], "coder_b": b, "value_b": row[b],
                        "type": None, "code": name})
    events = _load_events(project, data)
    relations = load_relations(project, data)
    spans_of = {c: [m[:4] for m in data.mentions[c]] for c in data.coders}  # (document_id, start, end, type)
    prepared = {c: _CoderMentions(data.mentions[c]) for c in data.coders}
    by_id_of = {c: {m.mention_id: m for m in data.mentions[c]} for c in data.coders}
    for a, b in data.pairs():
        ma, mb = data.mentions[a], data.mentions[b]
        spans = span_agreement(spans_of[a], spans_of[b])
        report["mentions"]["pairs"].append({
            "coders": [a, b],
            "exact": _public(spans.exact),
            "overlap": _public(spans.overlap),
            "by_type": {t: {k: _public(s) for k, s in kinds.items()} for t, kinds in spans.per_type.items()},
        })
        report["disagreements"] += _mention_disagreements(a, b, prepared[a], prepared[b], spans.overlap.pairs)
        # mention ids of B matched to A's (overlap matching), for comparing event roles
        same_mention = {ma[i].mention_id: mb[j].mention_id for i, j in spans.overlap.pairs}
        ea, eb = events.get(a, []), events.get(b, [])
        pairs = _match_events(ea, eb, same_mention)
        same_event = {ea[i]["id"]: eb[j]["id"] for i, j in pairs}
        report["events"]["pairs"].append(_event_pair(a, b, ea, eb, pairs, same_mention, same_event))
        by_id = {**by_id_of[a], **by_id_of[b]}
        report["disagreements"] += _event_disagreements(a, b, ea, eb, pairs)
        report["disagreements"] += _role_disagreements(a, b, ea, eb, pairs, same_mention, same_event, by_id)
        ra, rb = relations[a], relations[b]
        matched_relations = match_relations(ra, rb, same_mention)
        report["relations"]["pairs"].append(relation_pair(a, b, ra, rb, matched_relations))
        report["disagreements"] += relation_disagreements(a, b, ra, rb, matched_relations, same_mention, by_id)
    report["mentions"].update(unitizing_section(project, data))  # unitizing_alpha (per type) and unitizing_notes
    return report


def _mention_disagreements(a: str, b: str, ma: list[MentionUnit] | _CoderMentions,
                           mb: list[MentionUnit] | _CoderMentions,
                           pairs: tuple[tuple[int, int], ...]) -> list[dict[str, Any]]:
    """Mentions without a counterpart of the same type (overlap matching), and matched ones whose
    spans differ, with what each coder has there. "type" is the mention's type (a matched pair
    shares it). Each coder's mentions may come prepared (`_CoderMentions`, made once per coder)."""
    ca = ma if isinstance(ma, _CoderMentions) else _CoderMentions(ma)
    cb = mb if isinstance(mb, _CoderMentions) else _CoderMentions(mb)
    out: list[dict[str, Any]] = []
    append = out.append
    xs, ys = ca.mentions, cb.mentions
    for i, j in pairs:
        x, y = xs[i], ys[j]
        if x.start != y.start or x.end != y.end:
            append({"kind": "mention span", "document_id": x.document_id, "start": min(x.start, y.start),
                    "end": max(x.end, y.end), "text": x.text, "coder_a": a,
                    "value_a": f"{x.type} {x.start}-{x.end} “{x.text}”", "coder_b": b,
                    "value_b": f"{y.type} {y.start}-{y.end} “{y.text}”", "type": x.type, "code": None})
    for mine, others, matched, side_a in ((ca, cb, {i for i, _ in pairs}, True),
                                          (cb, ca, {j for _, j in pairs}, False)):
        labels, other_labels, overlapping = mine.labels, others.labels, others.overlapping
        for k, m in enumerate(mine.mentions):
            if k in matched:
                continue
            theirs = "; ".join([other_labels[o] for o in overlapping(m)]) or "nothing"
            label = labels[k]
            append({"kind": "mention", "document_id": m.document_id, "start": m.start, "end": m.end,
                    "text": m.text, "coder_a": a, "value_a": label if side_a else theirs,
                    "coder_b": b, "value_b": theirs if side_a else label, "type": m.type, "code": None})
    return out


class _CoderMentions:
    """A coder's mentions, each one's label (type “text”), and a way to find those overlapping a span
    without scanning its document: a document's mentions sorted by start (as `load_agreement_data`
    reads them: by document, then start) are looked at only in the window that can overlap (starting
    after the span's start minus the document's longest mention, and before its end); in any other
    order, all of them. Either way they come in the list's order."""

    def __init__(self, mentions: list[MentionUnit]) -> None:
        self.mentions = mentions
        self.labels = [f"{m.type} “{m.text}”" for m in mentions]
        self.starts = [m.start for m in mentions]
        self.ends = [m.end for m in mentions]
        self.docs: dict[int, list[int]] = {}  # document -> [first, last + 1, longest, sorted by start]
        self.scattered: dict[int, list[int]] = {}  # documents whose mentions are not one sorted run
        for k, m in enumerate(mentions):
            doc = self.docs.get(m.document_id)
            if doc is None:
                self.docs[m.document_id] = [k, k + 1, m.end - m.start, 1]
            elif doc[1] == k:
                doc[1] = k + 1
                doc[2] = max(doc[2], m.end - m.start)
                doc[3] = doc[3] and self.starts[k - 1] <= m.start
            else:
                self.scattered.setdefault(m.document_id, list(range(doc[0], doc[1]))).append(k)
        for doc_id in self.scattered:
            del self.docs[doc_id]
        for doc_id, doc in list(self.docs.items()):
            if not doc[3]:
                self.scattered[doc_id] = list(range(doc[0], doc[1]))
                del self.docs[doc_id]

    def overlapping(self, m: MentionUnit) -> list[int]:
        """Indices of the mentions of m's document sharing a character with m (start < m.end and
        m.start < end)."""
        starts, ends = self.starts, self.ends
        doc = self.docs.get(m.document_id)
        if doc is None:
            return [k for k in self.scattered.get(m.document_id, ()) if starts[k] < m.end and m.start < ends[k]]
        first, stop, longest, _ = doc
        lo = bisect_left(starts, m.start - longest + 1, first, stop)
        hi = bisect_left(starts, m.end, lo, stop)
        return [k for k in range(lo, hi) if m.start < ends[k]]


def _public(s: MatchScores) -> dict[str, Any]:
    return {"precision": s.precision, "recall": s.recall, "f1": s.f1, "n_a": s.n_a, "n_b": s.n_b,
            "matched": s.matched}


def _load_events(project: Project, data: AgreementData) -> dict[str, list[dict[str, Any]]]:
    docs = set(data.documents)
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in data.coders}
    with project.read() as s:
        names = dict(s.execute(select(Coder.id, Coder.name)).all())
        types = dict(s.execute(select(EventType.id, EventType.name)).all())
        roles = dict(s.execute(select(EventRole.id, EventRole.name)).all())
        attrs = dict(s.execute(select(Attribute.id, Attribute.name)).all())
        arguments: dict[int, set[tuple[str, int]]] = {}
        nested: dict[int, set[tuple[str, int]]] = {}
        for event_id, role_id, mention_id, argument_event_id in s.execute(
            select(EventArgument.event_id, EventArgument.role_id, EventArgument.mention_id,
                   EventArgument.argument_event_id)
        ):
            if mention_id is not None:
                arguments.setdefault(event_id, set()).add((roles[role_id], mention_id))
            elif argument_event_id is not None:
                nested.setdefault(event_id, set()).add((roles[role_id], argument_event_id))
        attributes: dict[int, dict[str, str]] = {}
        for event_id, attribute_id, value in s.execute(
            select(EventAttributeValue.event_id, EventAttributeValue.attribute_id, EventAttributeValue.value)
        ):
            attributes.setdefault(event_id, {})[attrs[attribute_id]] = value
        for eid, doc_id, coder_id, type_id, start, end, trigger_text in s.execute(
            select(Event.id, Event.document_id, Event.coder_id, Event.event_type_id, Event.trigger_start,
                   Event.trigger_end, Event.trigger_text).order_by(Event.id)
        ):
            coder = names[coder_id]
            if coder not in out or doc_id not in docs:
                continue
            out[coder].append({
                "id": eid, "document_id": doc_id, "type": types[type_id],
                "trigger": (start, end) if start is not None else None, "trigger_text": trigger_text or "",
                "arguments": arguments.get(eid, set()), "event_arguments": nested.get(eid, set()),
                "attributes": attributes.get(eid, {}),
            })
    return out


def _match_events(ea: list[dict[str, Any]], eb: list[dict[str, Any]],
                  same_mention: dict[int, int]) -> list[tuple[int, int]]:
    """Events matched by document, type and overlapping trigger (without triggers: at least one
    argument on the same mention), as a maximum matching: (index in A, index in B) pairs."""

    def compatible(x: dict[str, Any], y: dict[str, Any]) -> bool:
        if x["document_id"] != y["document_id"] or x["type"] != y["type"]:
            return False
        if x["trigger"] and y["trigger"]:
            return x["trigger"][0] < y["trigger"][1] and y["trigger"][0] < x["trigger"][1]
        mapped = {(role, same_mention.get(m)) for role, m in x["arguments"]}
        return bool(mapped & y["arguments"])

    by_key: dict[tuple[int, str], list[int]] = {}
    for j, y in enumerate(eb):
        by_key.setdefault((y["document_id"], y["type"]), []).append(j)
    adjacency = [[j for j in by_key.get((x["document_id"], x["type"]), ()) if compatible(x, eb[j])] for x in ea]
    match = maximum_matching(adjacency, len(eb))
    return [(i, j) for i, j in enumerate(match) if j != -1]


class _Compared(TypedDict):
    """How often a role or attribute was compared in matched events, and agreed."""

    compared: int
    agreed: int
    agreement: NotRequired[float | None]


def _roles(x: dict[str, Any], y: dict[str, Any]) -> list[str]:
    """The roles either event fills, with a mention or with an event."""
    return sorted({r for r, _ in (*x["arguments"], *x["event_arguments"], *y["arguments"], *y["event_arguments"])})


def _fillers(e: dict[str, Any], role: str, same_mention: dict[int, int] | None = None,
             same_event: dict[int, int] | None = None) -> set[tuple[str, int | None]]:
    """What fills `role` of `e`: ("mention", id) and ("event", id); with the maps, A's fillers as
    their matched counterparts of B (None: no counterpart, so never equal to one of B's)."""
    mentions = {("mention", m if same_mention is None else same_mention.get(m))
                for r, m in e["arguments"] if r == role}
    events = {("event", v if same_event is None else same_event.get(v)) for r, v in e["event_arguments"] if r == role}
    return mentions | events


def _event_pair(a: str, b: str, ea: list[dict[str, Any]], eb: list[dict[str, Any]],
                pairs: list[tuple[int, int]], same_mention: dict[int, int],
                same_event: dict[int, int]) -> dict[str, Any]:
    """Event agreement of a pair of coders over the matched events (`_match_events`): overall
    precision, recall and F1, then per-role (mention and event fillers) and per-attribute agreement."""
    overall = scores(len(ea), len(eb), pairs, list(range(len(ea))), list(range(len(eb))))
    roles: dict[str, _Compared] = {}
    attributes: dict[str, _Compared] = {}
    for i, j in pairs:
        x, y = ea[i], eb[j]
        for role in _roles(x, y):
            entry = roles.setdefault(role, {"compared": 0, "agreed": 0})
            entry["compared"] += 1
            entry["agreed"] += _fillers(x, role, same_mention, same_event) == _fillers(y, role)
        for name in set(x["attributes"]) | set(y["attributes"]):
            entry = attributes.setdefault(name, {"compared": 0, "agreed": 0})
            entry["compared"] += 1
            entry["agreed"] += x["attributes"].get(name) == y["attributes"].get(name)
    for table in (roles, attributes):
        for entry in table.values():
            entry["agreement"] = entry["agreed"] / entry["compared"] if entry["compared"] else None
    return {"coders": [a, b], "pair": pair_key(a, b), **_public(overall),
            "roles": roles, "attributes": attributes}


def _event_disagreements(a: str, b: str, ea: list[dict[str, Any]], eb: list[dict[str, Any]],
                         pairs: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Events one coder has and the other has no matched event for (kind "event", with what the
    other coder has at that trigger), and the attribute values that differ between matched events
    (kind "event attribute"; "text" is the attribute's name, a missing value is "nothing")."""
    out: list[dict[str, Any]] = []
    for i, j in pairs:
        x, y = ea[i], eb[j]
        places = [t for t in (x["trigger"], y["trigger"]) if t]
        start = min(t[0] for t in places) if places else None
        end = max(t[1] for t in places) if places else None
        for name in sorted(set(x["attributes"]) | set(y["attributes"])):
            va, vb = x["attributes"].get(name), y["attributes"].get(name)
            if va != vb:
                out.append({"kind": "event attribute", "document_id": x["document_id"], "start": start, "end": end,
                            "text": name, "coder_a": a, "value_a": va if va is not None else "nothing",
                            "coder_b": b, "value_b": vb if vb is not None else "nothing",
                            "type": x["type"], "code": None})
    matched_a = {i for i, _ in pairs}
    matched_b = {j for _, j in pairs}
    by_doc: dict[str, dict[int, list[dict[str, Any]]]] = {"a": {}, "b": {}}
    for side, events in (("a", ea), ("b", eb)):
        for e in events:
            by_doc[side].setdefault(e["document_id"], []).append(e)
    for events, matched, side in ((ea, matched_a, "a"), (eb, matched_b, "b")):
        others = by_doc["b" if side == "a" else "a"]
        for k, e in enumerate(events):
            if k in matched:
                continue
            there = [o for o in others.get(e["document_id"], ()) if _same_place(e, o)]
            theirs = "; ".join(_describe_event(o) for o in there) or "nothing"
            mine = _describe_event(e)
            start, end = e["trigger"] or (None, None)
            out.append({"kind": "event", "document_id": e["document_id"], "start": start, "end": end,
                        "text": e["trigger_text"] or e["type"], "coder_a": a,
                        "value_a": mine if side == "a" else theirs, "coder_b": b,
                        "value_b": theirs if side == "a" else mine, "type": e["type"], "code": None})
    return out


def _role_disagreements(a: str, b: str, ea: list[dict[str, Any]], eb: list[dict[str, Any]],
                        pairs: list[tuple[int, int]], same_mention: dict[int, int], same_event: dict[int, int],
                        mentions: dict[int, MentionUnit]) -> list[dict[str, Any]]:
    """Roles of matched events that the two coders filled differently (kind "event role"; "text"
    is the role's name; each value lists that coder's fillers, mentions by their text and events
    as "type “trigger”", or "nothing")."""
    out: list[dict[str, Any]] = []
    by_id = {e["id"]: e for e in (*ea, *eb)}

    def shown(fillers: set[tuple[str, int | None]]) -> str:
        names = [(mentions[k].text if k in mentions else "?") if kind == "mention" else
                 (_describe_event(by_id[k]) if k in by_id else "?") for kind, k in fillers if k is not None]
        return "; ".join(sorted(names)) or "nothing"

    for i, j in pairs:
        x, y = ea[i], eb[j]
        places = [t for t in (x["trigger"], y["trigger"]) if t]
        start = min(t[0] for t in places) if places else None
        end = max(t[1] for t in places) if places else None
        for role in _roles(x, y):
            if _fillers(x, role, same_mention, same_event) == _fillers(y, role):
                continue
            mine, theirs = shown(_fillers(x, role)), shown(_fillers(y, role))
            out.append({"kind": "event role", "document_id": x["document_id"], "start": start, "end": end,
                        "text": role, "coder_a": a, "value_a": mine, "coder_b": b, "value_b": theirs,
                        "type": x["type"], "code": None})
    return out


def _same_place(e: dict[str, Any], o: dict[str, Any]) -> bool:
    """Overlapping triggers, or (without a trigger) the same event type."""
    if e["trigger"] and o["trigger"]:
        return bool(e["trigger"][0] < o["trigger"][1] and o["trigger"][0] < e["trigger"][1])
    return bool(e["type"] == o["type"])


def _describe_event(e: dict[str, Any]) -> str:
    return f"{e['type']} “{e['trigger_text']}”" if e["trigger_text"] else str(e["type"])
