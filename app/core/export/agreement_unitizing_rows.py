"""The Agreement sheet's rows for Krippendorff's unitizing alpha (αu) per mention type.

Each type (and "all types" first) gets four rows in the sheet's columns (kind, name, coders,
metric, value, n_a, n_b, matched, n_units, note): ``unitizing_alpha``,
``unitizing_observed_disagreement``, ``unitizing_expected_disagreement`` and ``unitizing_length``
(characters of the compared documents). An undefined alpha is an empty value noted "n/a: why".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NOTE = ("Krippendorff's unitizing alpha (2004 definition, as DKPro Statistics computes it) over every compared "
        "coder and the characters of the compared documents read one after another")


def unitizing_rows(report: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    mentions = report["mentions"]
    notes = mentions.get("unitizing_notes") or {}
    everyone = ", ".join(report["coders"])
    entries: list[tuple[str, Mapping[str, Any], int | None, str | None, int | None]] = []
    if notes.get("overall"):
        entries.append(("all types", notes["overall"], sum(notes.get("n_units", {}).values()),
                        notes.get("overall_note"), sum(notes.get("merged_overlaps", {}).values())))
    for name, r in sorted((mentions.get("unitizing_alpha") or {}).items()):
        entries.append((name, r, notes.get("n_units", {}).get(name), notes.get("undefined", {}).get(name),
                        notes.get("merged_overlaps", {}).get(name)))
    rows: list[tuple[Any, ...]] = []
    for name, r, units, why, merged in entries:
        alpha_note = f"n/a: {why}" if r["alpha"] is None else f"{NOTE}; {r['n_coders']} coders"
        if merged:
            alpha_note += f"; {merged} overlapping mention(s) of one coder united"
        for metric, value, note in (
            ("unitizing_alpha", r["alpha"], alpha_note),
            ("unitizing_observed_disagreement", r["observed_disagreement"], "D_o"),
            ("unitizing_expected_disagreement", r["expected_disagreement"], "D_e"),
            ("unitizing_length", r["length"], "characters (code points) of the compared documents"),
        ):
            rows.append(("mentions", name, everyone, metric, value, None, None, None, units, note))
    return rows
