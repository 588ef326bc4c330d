"""The agreement report as the Agreement window's tables, and which disagreements each row of a
summary table stands for. Plain Python (no Qt), so it is tested without a window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CODE_KINDS = frozenset({"document code"})
MENTION_KINDS = frozenset({"mention", "mention span"})
EVENT_KINDS = frozenset({"event", "event attribute", "event role"})
RELATION_KINDS = frozenset({"relation"})
ALL_TYPES = "(all types)"
UNITIZING = "Unitizing alpha (αu)"
UNITIZING_COLUMNS = ("type", "alpha", "D_o (observed)", "D_e (expected)", "coders", "length", "units",
                     "merged_overlaps", "note")

DISAGREEMENT_COLUMNS = ("kind", "type", "document", "start", "end", "text", "coder_a", "value_a", "coder_b",
                        "value_b")


@dataclass(frozen=True)
class DisagreementFilter:
    """The disagreements of one row: of these kinds, and (when given) of this code, this pair of
    coders (A, B as in the report) and this entity or event type."""

    label: str
    kinds: frozenset[str]
    code: str | None = None
    coders: tuple[str, str] | None = None
    type: str | None = None

    def accepts(self, d: Mapping[str, Any]) -> bool:
        return (d["kind"] in self.kinds
                and (self.code is None or d.get("code") == self.code)
                and (self.coders is None or (d["coder_a"], d["coder_b"]) == self.coders)
                and (self.type is None or d.get("type") == self.type))


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    filters: list[DisagreementFilter] = field(default_factory=list)  # summary tables: one per row
    items: list[dict[str, Any]] = field(default_factory=list)  # the Disagreements table: the dict of each row


def disagreement_row(d: Mapping[str, Any]) -> tuple[Any, ...]:
    return (d["kind"], d.get("type") or "", d["document_id"], d["start"], d["end"], d["text"], d["coder_a"],
            d["value_a"], d["coder_b"], d["value_b"])


def report_tables(report: dict[str, Any]) -> dict[str, Table]:
    """The report as tables, by tab name."""
    codes = Table(("code", "level", "alpha", "ci95_low", "ci95_high", "percent", "fleiss_kappa", "units",
                   "pairable_values"), [])
    for name, r in report["codes"].items():
        ci = r["krippendorff_alpha_ci95"] or [None, None]
        codes.rows.append((name, r["level"], r["krippendorff_alpha"], ci[0], ci[1], r["percent_agreement"],
                           r["fleiss_kappa"], r["n_units"], r["n_pairable_values"]))
        codes.filters.append(DisagreementFilter(name, CODE_KINDS, code=name))
    mentions = Table(("coders (A | B)", "type", "exact_f1", "exact_precision", "exact_recall", "overlap_f1",
                      "n_a", "n_b", "exact_matched", "overlap_matched"), [])
    for pair in report["mentions"]["pairs"]:
        a, b = pair["coders"]
        key = f"{a} | {b}"
        by_type: list[tuple[str | None, dict[str, Any]]] = [(None, pair), *sorted(pair["by_type"].items())]
        for type_name, kinds in by_type:  # None: all types
            e, o = kinds["exact"], kinds["overlap"]
            shown = ALL_TYPES if type_name is None else type_name
            mentions.rows.append((key, shown, e["f1"], e["precision"], e["recall"], o["f1"],
                                  e["n_a"], e["n_b"], e["matched"], o["matched"]))
            mentions.filters.append(DisagreementFilter(f"mentions of {key}, {shown}",
                                                       MENTION_KINDS, coders=(a, b), type=type_name))
    unitizing = unitizing_table(report)
    events = Table(("coders (A | B)", "f1", "precision", "recall", "n_a", "n_b", "matched"), [])
    for p in report["events"]["pairs"]:
        a, b = p["coders"]
        events.rows.append((f"{a} | {b}", p["f1"], p["precision"], p["recall"], p["n_a"], p["n_b"], p["matched"]))
        events.filters.append(DisagreementFilter(f"events of {a} | {b}", EVENT_KINDS, coders=(a, b)))
    relations = Table(("coders (A | B)", "type", "f1", "precision", "recall", "n_a", "n_b", "matched"), [])
    for p in report.get("relations", {}).get("pairs", []):
        a, b = p["coders"]
        key = f"{a} | {b}"
        for type_name, r in [(None, p), *p["by_type"].items()]:  # None: all types
            shown = ALL_TYPES if type_name is None else type_name
            relations.rows.append((key, shown, r["f1"], r["precision"], r["recall"], r["n_a"], r["n_b"], r["matched"]))
            relations.filters.append(DisagreementFilter(f"relations of {key}, {shown}", RELATION_KINDS,
                                                        coders=(a, b), type=type_name))
    items = list(report.get("disagreements", []))
    disagreements = Table(DISAGREEMENT_COLUMNS, [disagreement_row(d) for d in items], items=items)
    left = Table(("document", "reason"), [(int(d), why) for d, why in report["documents_left_out"].items()])
    return {"Document codes": codes, "Mentions": mentions, UNITIZING: unitizing, "Events": events,
            "Relations": relations,
            "Disagreements": disagreements,
            "Left out": left}


def unitizing_table(report: Mapping[str, Any]) -> Table:
    """Krippendorff's αu per mention type over every compared coder (the first row: over all types,
    D_o and D_e the means over the types), with the disagreements on mentions of that type."""
    table = Table(UNITIZING_COLUMNS, [])
    mentions = report["mentions"]
    notes = mentions.get("unitizing_notes") or {}
    per_type: dict[str, Any] = mentions.get("unitizing_alpha") or {}
    entries: list[tuple[str | None, Mapping[str, Any]]] = []
    if notes.get("overall"):
        entries.append((None, notes["overall"]))
    entries += sorted(per_type.items())
    for type_name, r in entries:
        shown = ALL_TYPES if type_name is None else type_name
        if type_name is None:
            units, merged = sum(notes.get("n_units", {}).values()), sum(notes.get("merged_overlaps", {}).values())
            note = notes.get("overall_note")
        else:
            units, merged = notes.get("n_units", {}).get(type_name), notes.get("merged_overlaps", {}).get(type_name)
            note = notes.get("undefined", {}).get(type_name)
        table.rows.append((shown, r["alpha"], r["observed_disagreement"], r["expected_disagreement"],
                           r["n_coders"], r["length"], units, merged, note or ""))
        table.filters.append(DisagreementFilter(f"mentions of every pair, {shown}", MENTION_KINDS, type=type_name))
    return table


def report_rows(report: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """The report as tables: name -> (columns, rows)."""
    return {name: (t.columns, t.rows) for name, t in report_tables(report).items()}
