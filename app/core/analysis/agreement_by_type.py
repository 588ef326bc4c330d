"""Agreement per entity type with a 95 % bootstrap interval: the numbers of `agreement_by_type`.

Method. The coders and documents are those of ``annotary agreement`` (every coder who worked,
except gold; the documents every one of them marked done). For each entity type and each pair of
coders, exact-match F1 = 2·matched / (n_a + n_b), where matched counts the mentions both coders
marked with the same start, end and type (multiset matching, as `app.core.stats.spans`); it is
undefined (left out) when either coder marked none of the type. `f1` is the mean over the
pairs where it is defined, so it equals the mean of the report's ``by_type[TYPE].exact.f1``.

The interval: documents are resampled with replacement (`N_BOOT` replicates, seed `SEED`, the
same resampled documents for every type); in each replicate the pairs' F1 are pooled over the
resampled documents and averaged as above; `ci_low` and `ci_high` are the 2.5 and 97.5
percentiles of the replicates where it is defined. `n` is the number of mentions of the type
the compared coders made in the compared documents.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from app.core.analysis.counts import Table
from app.core.errors import AnnotaryError
from app.core.project import Project
from app.core.services.agreement_data import load_agreement_data

N_BOOT = 1000
SEED = 0
_CHUNK = 100  # replicates drawn at once (bounds the memory for many documents)


def agreement_by_type(project: Project, n_boot: int = N_BOOT, seed: int = SEED) -> Table | None:
    """The Table, or None when fewer than two coders worked."""
    try:
        data = load_agreement_data(project)
    except AnnotaryError:
        return None
    docs = data.documents
    where = {d: k for k, d in enumerate(docs)}
    pairs = data.pairs()
    types = sorted({m.type for ms in data.mentions.values() for m in ms})
    title = (f"Agreement per entity type: mean pairwise exact-match F1 of {', '.join(data.coders)} with a 95 % "
             f"bootstrap interval over {len(docs)} document(s) every coder marked done ({n_boot} replicates)")
    if not docs or not types:
        return Table("agreement_by_type", title, _COLUMNS, ())
    # per type: matched, n_a, n_b as (pairs × documents) arrays
    spans: dict[tuple[str, str, int], Counter[tuple[int, int]]] = {}
    docs_of: dict[tuple[str, str], set[int]] = {}
    for coder, mentions in data.mentions.items():
        for m in mentions:
            spans.setdefault((coder, m.type, m.document_id), Counter())[(m.start, m.end)] += 1
            docs_of.setdefault((coder, m.type), set()).add(m.document_id)
    empty: Counter[tuple[int, int]] = Counter()
    per_type: dict[str, np.ndarray] = {}
    for t in types:
        arr = np.zeros((3, len(pairs), len(docs)), dtype=np.int64)
        for p, (a, b) in enumerate(pairs):
            for d in docs_of.get((a, t), set()) | docs_of.get((b, t), set()):  # only where either marked it
                sa, sb = spans.get((a, t, d), empty), spans.get((b, t, d), empty)
                arr[:, p, where[d]] = (sum((sa & sb).values()), sum(sa.values()), sum(sb.values()))
        per_type[t] = arr
    rng = np.random.default_rng(seed)
    replicates: dict[str, list[np.ndarray]] = {t: [] for t in types}
    done = 0
    while done < n_boot:
        size = min(_CHUNK, n_boot - done)
        weights = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=size)  # (size, docs)
        for t in types:
            replicates[t].append(_mean_f1(np.einsum("rd,kpd->krp", weights, per_type[t])))
        done += size
    rows: list[tuple[object, ...]] = []
    for t in types:
        arr = per_type[t]
        point = _mean_f1(arr.sum(axis=2)[:, None, :])[0]
        values = np.concatenate(replicates[t])
        values = values[~np.isnan(values)]
        defined = int(((arr[1].sum(axis=1) > 0) & (arr[2].sum(axis=1) > 0)).sum())
        low, high = (float(v) for v in np.percentile(values, [2.5, 97.5])) if values.size else (None, None)
        rows.append((t, defined, None if np.isnan(point) else round(float(point), 4),
                     None if low is None else round(low, 4), None if high is None else round(high, 4),
                     sum(1 for ms in data.mentions.values() for m in ms if m.type == t)))
    return Table("agreement_by_type", title, _COLUMNS, tuple(rows))


_COLUMNS = ("entity_type", "coder_pairs", "f1", "ci_low", "ci_high", "n")


def _mean_f1(sums: np.ndarray) -> np.ndarray:
    """sums: (3, replicates, pairs) of matched, n_a, n_b -> the mean F1 over defined pairs per
    replicate (NaN where no pair is defined)."""
    matched, n_a, n_b = sums
    ok = (n_a > 0) & (n_b > 0)
    f1 = np.where(ok, 2 * matched / np.where(ok, n_a + n_b, 1), 0.0)
    count = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, f1.sum(axis=1) / np.maximum(count, 1), np.nan)

