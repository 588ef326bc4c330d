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
undefined, with the reason in ``unitizing_notes["undefined"][TYPE]``; ``unitizing_notes["n_units"][TYPE]``
counts the units after uniting, ``unitizing_notes["overall"]`` is αu over all types (the same five
keys; D_o and D_e the means over the types), ``overall_note`` why it is undefined, if it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select

from app.core.models import Document
from app.core.project import Project
from app.core.services.agreement_data import AgreementData
from app.core.stats.unitizing import Ints, union_arrays, unitizing_alpha_arrays

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
    starts: dict[str, dict[int, list[int]]] = {}
    ends: dict[str, dict[int, list[int]]] = {}
    for coder, mentions in enumerate(data.mentions[c] for c in data.coders):
        for m in mentions:
            at = offset.get(m.document_id)
            if at is not None and m.end > m.start:
                starts.setdefault(m.type, {}).setdefault(coder, []).append(at + m.start)
                ends.setdefault(m.type, {}).setdefault(coder, []).append(at + m.end)
    types = sorted(starts)
    parts: list[tuple[Ints, Ints, Ints, Ints]] = []
    merged: dict[str, int] = {}
    for k, type_name in enumerate(types):
        merged[type_name] = 0
        for coder, own in starts[type_name].items():
            us, ue, absorbed = union_arrays(np.array(own, dtype=np.int64),
                                            np.array(ends[type_name][coder], dtype=np.int64))
            merged[type_name] += absorbed
            parts.append((np.full(len(us), coder, dtype=np.int64), us, ue, np.full(len(us), k, dtype=np.int64)))
    notes: dict[str, Any] = {"definition": DEFINITION, "continuum": CONTINUUM, "n_units": {},
                             "merged_overlaps": merged, "undefined": {}, "overall": None, "overall_note": None}
    if length == 0:
        notes["overall_note"] = "no characters compared"
        return {"unitizing_alpha": {}, "unitizing_notes": notes}
    coder_of, start, end, category = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, np.int64)
                                      for i in range(4))
    result = unitizing_alpha_arrays(coder_of, start, end, category, types, len(data.coders), length)
    table: dict[str, dict[str, Any]] = {}
    for type_name in types:
        r = result.per_category[type_name]
        table[type_name] = r.as_dict()
        notes["n_units"][type_name] = r.n_units
        if r.note is not None:
            notes["undefined"][type_name] = r.note
    if result.overall is not None:
        notes["overall"] = result.overall.as_dict()
        notes["overall_note"] = result.overall.note
    return {"unitizing_alpha": table, "unitizing_notes": notes}
