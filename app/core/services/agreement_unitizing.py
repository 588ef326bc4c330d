"""Krippendorff's unitizing alpha (αu) per mention type, for the agreement report.

Scope (one choice among those the literature allows, see `app.core.stats.unitizing`):

* **One continuum per mention type**: the compared documents one after another, in id order,
  each taking its length in code points (Annotary's offsets), so ``length`` is their total.
  A gap at the end of one document and the start of the next is one gap (DKPro on one long
  study; INCEpTION instead computes one study per document).
* **Every compared coder counts** in ``n_coders``, also one who marked nothing of that type
  (their continuum is all gap).
* **Types**: every entity type a compared coder used in a compared document.
* **A coder's overlapping mentions of one type are united** into one unit (the 2004 definition
  needs disjoint units per coder and category); how many mentions were absorbed is reported in
  ``unitizing_notes["merged_overlaps"]``. Adjacent mentions stay separate units. Mentions of
  different types may overlap. Annotary stores no empty mentions.

``unitizing_alpha[TYPE]`` has exactly the five keys of the issue; alpha is None (n/a) when
undefined, with the reason in ``unitizing_notes["undefined"][TYPE]``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.models import Document
from app.core.project import Project
from app.core.services.agreement_data import AgreementData
from app.core.stats.unitizing import union_spans, unitizing_alpha

DEFINITION = ("Krippendorff's unitizing alpha, 2004 definition (Content Analysis 2nd ed.; Quality & Quantity "
              "38:787-800) as DKPro Statistics computes it; per type, over character positions")
CONTINUUM = ("the compared documents one after another (by id); length = their total length in characters "
             "(code points); every compared coder counts, also one who marked nothing of the type; a coder's "
             "overlapping mentions of one type are united")


def unitizing_section(project: Project, data: AgreementData) -> dict[str, Any]:
    """``{"unitizing_alpha": {type: five keys}, "unitizing_notes": {...}}`` for ``report["mentions"]``."""
    with project.read() as s:
        chars = dict(s.execute(select(Document.id, Document.chars)).all())
    offset: dict[int, int] = {}
    length = 0
    for doc_id in data.documents:  # in id order
        offset[doc_id] = length
        length += chars[doc_id]
    spans: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for coder, mentions in enumerate(data.mentions[c] for c in data.coders):
        for m in mentions:
            if m.document_id in offset and m.end > m.start:
                at = offset[m.document_id]
                spans.setdefault(m.type, {}).setdefault(coder, []).append((at + m.start, at + m.end))
    units: list[tuple[int, int, int, str]] = []
    merged: dict[str, int] = {}
    for type_name in sorted(spans):
        merged[type_name] = 0
        for coder, own in spans[type_name].items():
            united, absorbed = union_spans(own)
            merged[type_name] += absorbed
            units += [(coder, start, end, type_name) for start, end in united]
    notes: dict[str, Any] = {"definition": DEFINITION, "continuum": CONTINUUM, "n_units": {},
                             "merged_overlaps": merged, "undefined": {}, "overall": None, "overall_note": None}
    if length == 0:
        notes["overall_note"] = "no characters compared"
        return {"unitizing_alpha": {}, "unitizing_notes": notes}
    result = unitizing_alpha(units, len(data.coders), length)
    table: dict[str, dict[str, Any]] = {}
    for type_name in sorted(spans):
        r = result.per_category[type_name]
        table[type_name] = r.as_dict()
        notes["n_units"][type_name] = r.n_units
        if r.note is not None:
            notes["undefined"][type_name] = r.note
    if result.overall is not None:
        notes["overall"] = result.overall.as_dict()
        notes["overall_note"] = result.overall.note
    return {"unitizing_alpha": table, "unitizing_notes": notes}
