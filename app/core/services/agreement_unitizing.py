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

from operator import attrgetter
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
    docs = np.array(data.documents, dtype=np.int64)  # in id order
    sizes = np.array([chars[d] for d in data.documents], dtype=np.int64)
    length = int(sizes.sum())
    notes: dict[str, Any] = {"definition": DEFINITION, "continuum": CONTINUUM, "n_units": {},
                             "merged_overlaps": {}, "undefined": {}, "overall": None, "overall_note": None}
    if length == 0:
        notes["overall_note"] = "no characters compared"
        return {"unitizing_alpha": {}, "unitizing_notes": notes}
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    n_coders = len(data.coders)
    codes: dict[str, int] = {}
    columns: list[tuple[Ints, Ints, Ints, Ints]] = []  # coder, start, end, type code: on the continuum
    for coder, name in enumerate(data.coders):
        own = data.mentions[name]
        n = len(own)
        doc, start, end = (np.fromiter(map(attrgetter(f), own), dtype=np.int64, count=n)
                           for f in ("document_id", "start", "end"))
        for t in sorted(set(map(attrgetter("type"), own)) - codes.keys()):
            codes[t] = len(codes)
        kind = np.fromiter(map(codes.__getitem__, map(attrgetter("type"), own)), dtype=np.int64, count=n)
        at = np.minimum(np.searchsorted(docs, doc), len(docs) - 1)
        keep = (docs[at] == doc) & (end > start)
        shift = offsets[at[keep]]
        columns.append((np.full(int(keep.sum()), coder, dtype=np.int64), start[keep] + shift, end[keep] + shift,
                        kind[keep]))
    coder_of, start, end, kind = (np.concatenate([c[i] for c in columns]) for i in range(4))
    used = set(np.unique(kind).tolist())
    types = sorted(t for t, code in codes.items() if code in used)  # used by a coder in a compared document
    rank = np.zeros(len(codes), dtype=np.int64)
    for k, t in enumerate(types):
        rank[codes[t]] = k
    kind = rank[kind]
    # a coder's overlapping mentions of one type united: each (type, coder) group moved to its own
    # stretch of one long line (length + 1 apart, so groups never touch), all united in one pass
    step = length + 1
    group = kind * n_coders + coder_of
    united_start, united_end, _ = union_arrays(start + group * step, end + group * step)
    united_group = united_start // step
    united_kind = united_group // n_coders
    before = np.bincount(kind, minlength=len(types))
    after = np.bincount(united_kind, minlength=len(types))
    notes["merged_overlaps"] = {t: int(before[k] - after[k]) for k, t in enumerate(types)}
    result = unitizing_alpha_arrays(united_group % n_coders, united_start - united_group * step,
                                    united_end - united_group * step, united_kind, types, n_coders, length)
    table: dict[str, dict[str, Any]] = {}
    for type_name in types:
        one = result.per_category[type_name]
        table[type_name] = one.as_dict()
        notes["n_units"][type_name] = one.n_units
        if one.note is not None:
            notes["undefined"][type_name] = one.note
    if result.overall is not None:
        notes["overall"] = result.overall.as_dict()
        notes["overall_note"] = result.overall.note
    return {"unitizing_alpha": table, "unitizing_notes": notes}
