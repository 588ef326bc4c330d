"""Reading a ratings table into the arrays Krippendorff's alpha works on: each pairable value's
unit and category, and the units grouped by their pattern of category counts.

A plain ``dict`` of ``dict`` rows with str/int/float values is read in one pass and encoded
with numpy; any other table goes through `ratings_from_table` (sorted, checked), so error
messages and the form a category is shown in are the same either way.
"""

from __future__ import annotations

import math
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from app.core.errors import AnnotaryError
from app.core.stats.table import category_order, numeric_view

_PLAIN_VALUE_TYPES = frozenset({str, int, float, type(None)})
PLAIN_DICTS = frozenset({dict, OrderedDict, defaultdict})
"""Table and row types of the one-pass route (their ``values()`` are what ``[key]`` gives)."""


def gather_plain(table: Any) -> tuple[list[Any], np.ndarray] | None:
    """Every value of a plain ``dict`` of ``dict`` rows (missing ones included), in the mapping's
    own order, and each unit's number of entries; None when the table is anything else."""
    if type(table) not in PLAIN_DICTS:
        return None
    rows = list(table.values())
    if not set(map(type, rows)) <= PLAIN_DICTS:  # None rows, other mappings, errors: general path
        return None
    sizes = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    return list(chain.from_iterable(map(dict.values, rows))), sizes


@dataclass(frozen=True)
class Encoded:
    n_units: int
    n_units_no_ratings: int
    n_units_one_rating: int
    n_units_pairable: int
    categories: tuple[Any, ...]
    entry_unit: np.ndarray
    """For every value of a pairable unit: the unit's number among the pairable units."""
    entry_cat: np.ndarray
    """... and the value's index in ``categories``."""


def _zero_sign(value: Any) -> float:
    return math.copysign(1.0, value) if type(value) is float and value == 0 else 0.0


def _written_differently(values: list[Any], kinds: set[type], distinct: dict[Any, Any], convert: Any) -> bool:
    """Do equal values (after the level's conversion) come in different forms (1 and 1.0, 0.0 and
    -0.0, "2" and "2.0" read as numbers)? Then which form a category shows depends on which comes
    first in the sorted table, and only the general path knows that."""
    real = kinds - {type(None)}
    if len(real) == 1 and (int in real or (str in real and convert is None)):
        return False  # equal ints, or equal strings, are the same
    if float in real and 0 in distinct and len({_zero_sign(v) for v in values if type(v) is float and v == 0}) > 1:
        return True
    # every distinct (type, value); `distinct` alone has merged 1 and 1.0
    forms = set(zip(map(type, values), values)) if len(real) > 1 else {(type(v), v) for v in distinct}
    seen: dict[Any, tuple[type, float]] = {}
    for _, value in forms:
        if value is None or value != value:  # noqa: PLR0124 - missing: None or NaN
            continue
        converted = value if convert is None else convert(value)
        form = (type(converted), _zero_sign(converted))
        if seen.setdefault(converted, form) != form:
            return True
    return False


def encode(
    values: list[Any], sizes: np.ndarray, level: str, order: Sequence[Hashable] | None, *, in_sorted_order: bool
) -> Encoded | None:
    """Category codes of every value, checked against the level, and the units' sizes.

    ``values`` are the units' values one unit after another (``sizes[i]`` entries for unit
    ``i``). With ``in_sorted_order`` they come from `ratings_from_table` (sorted, missing
    ones dropped, all hashable) and the result is the general one. Otherwise they come from a
    plain dict in its own order, missing ones included: the result is the same whenever it
    does not depend on that order, and None (take the general path) when it might: a value
    of another type than str/int/float, an unhashable or invalid value (the general path
    raises the error, naming the first offending unit or value), or equal values written
    differently.
    """
    convert = numeric_view(level, order)
    converting = not (level == "nominal" or (level == "ordinal" and order is not None))
    if not in_sorted_order:
        kinds = set(map(type, values))
        if not kinds <= _PLAIN_VALUE_TYPES:
            return None
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # an unhashable value: the general path names it
        if in_sorted_order:
            raise
        return None
    if not in_sorted_order and _written_differently(values, kinds, distinct, convert if converting else None):
        return None
    # each distinct value -> its converted value's class (first-seen order), or -1 when missing
    classes: dict[Any, int] = {}
    class_of = np.empty(len(distinct), dtype=np.intp)
    for i, value in enumerate(distinct):
        if not in_sorted_order and (value is None or value != value):  # noqa: PLR0124 - None or NaN (plain types here)
            class_of[i] = -1
        else:
            class_of[i] = classes.setdefault(convert(value), len(classes))
    try:
        # Every value is checked against the level (also those of non-pairable units).
        # (a list, as the values once were: set() of a dict would size its table differently)
        every = category_order(list(classes), level, order)
    except AnnotaryError:
        if in_sorted_order:
            raise
        return None  # the general path raises the same error, naming the same value
    position = {c: i for i, c in enumerate(every)}
    class_position = np.fromiter((position[c] for c in classes), dtype=np.intp, count=len(classes))
    code = dict(zip(distinct, range(len(distinct))))
    entry_class = class_of[np.fromiter(map(code.__getitem__, values), dtype=np.intp, count=len(values))]
    n_units = len(sizes)
    entry_unit = np.repeat(np.arange(n_units, dtype=np.intp), sizes)
    if not in_sorted_order:  # drop the missing values
        rated = entry_class >= 0
        entry_class, entry_unit = entry_class[rated], entry_unit[rated]
        sizes = np.bincount(entry_unit, minlength=n_units)
    pairable = sizes >= 2
    n_pairable = int(np.count_nonzero(pairable))
    keep = pairable[entry_unit]
    entry_pos = class_position[entry_class[keep]]
    # categories: the values of pairable units, in the metric's order
    present = np.zeros(len(every), dtype=bool)
    present[entry_pos] = True
    renumber = np.cumsum(present) - 1
    unit_number = np.cumsum(pairable) - 1
    return Encoded(
        n_units=n_units,
        n_units_no_ratings=int(np.count_nonzero(sizes == 0)),
        n_units_one_rating=int(np.count_nonzero(sizes == 1)),
        n_units_pairable=n_pairable,
        categories=tuple(c for c, p in zip(every, present.tolist()) if p),
        entry_unit=unit_number[entry_unit[keep]],
        entry_cat=renumber[entry_pos].astype(np.intp, copy=False),
    )


def patterns(
    entry_unit: np.ndarray, entry_cat: np.ndarray, n_units: int, n_values: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct units' value multisets (*patterns*) and how many units show each.

    Units are given by their entries (``entry_unit`` ascending, from 0 to ``n_units - 1``).
    Returns a (patterns x widest) array, each row a pattern's category codes ascending and
    padded with -1, the rows in the order of Python's tuple comparison of those codes (so
    shorter before longer with the same start), and the count of units of each.
    """
    if n_units == 0:
        return np.zeros((0, 0), dtype=np.intp), np.zeros(0, dtype=np.intp)
    sizes = np.bincount(entry_unit, minlength=n_units)
    width = int(sizes.max())
    starts = np.zeros(n_units, dtype=np.intp)
    starts[1:] = np.cumsum(sizes[:-1])
    keyed = _patterns_by_key(entry_unit, entry_cat, n_units, n_values, width)
    if keyed is not None:
        return keyed
    if n_units * width > max(4 * len(entry_cat), 1 << 20):  # a few very wide units: no padding
        cats = entry_cat.tolist()
        counted: dict[tuple[int, ...], int] = {}
        for lo, size in zip(starts.tolist(), sizes.tolist()):
            key = tuple(sorted(cats[lo : lo + size]))
            counted[key] = counted.get(key, 0) + 1
        keys = sorted(counted)
        width = max(map(len, keys))
        rows = np.full((len(keys), width), -1, dtype=np.intp)
        for i, key in enumerate(keys):
            rows[i, : len(key)] = key
        return rows, np.array([counted[k] for k in keys], dtype=np.intp)
    padded = np.full((n_units, width), n_values, dtype=np.intp)  # padding sorts last ...
    padded[entry_unit, np.arange(len(entry_cat)) - starts[entry_unit]] = entry_cat
    padded.sort(axis=1)
    padded[padded == n_values] = -1  # ... and then compares lowest, as a tuple's end does
    ranked = padded[np.lexsort(padded.T[::-1])]  # lexicographic, first column first
    new = np.ones(n_units, dtype=bool)
    new[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    starts_of_rows = np.flatnonzero(new)
    counts = np.diff(np.append(starts_of_rows, n_units))
    return ranked[starts_of_rows], counts


def _patterns_by_key(
    entry_unit: np.ndarray, entry_cat: np.ndarray, n_units: int, n_values: int, width: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """`patterns` when each unit's multiset fits one integer: its count of each value as a digit in
    base ``width + 1`` (few values, narrow units: the usual coded table). Counted with one
    ``np.unique`` of a number per unit instead of sorting padded rows; the same rows in the same
    order. None when the key would not fit in 62 bits, or the patterns' rows would be large."""
    base = width + 1
    bits = n_values * math.log2(base)
    if bits > 62:
        return None
    power = base ** np.arange(n_values, dtype=np.int64)
    if bits <= 52:  # the sums are exact in floating point
        keys = np.bincount(entry_unit, weights=power[entry_cat], minlength=n_units).astype(np.int64)
    else:
        keys = np.zeros(n_units, dtype=np.int64)
        np.add.at(keys, entry_unit, power[entry_cat])
    distinct, counts = np.unique(keys, return_counts=True)
    if len(distinct) * width * n_values > max(4 * len(entry_cat), 1 << 16):
        return None
    digits = (distinct[:, None] // power[None, :]) % base  # patterns x values: count of each value
    ends = np.cumsum(digits, axis=1)  # a pattern's row holds value c at positions ends[c-1] .. ends[c] - 1
    position = np.arange(width)
    rows = np.count_nonzero(ends[:, None, :] <= position[None, :, None], axis=2)
    rows[position[None, :] >= ends[:, -1:]] = -1  # past the unit's values: -1, as a tuple's end compares
    order = np.lexsort(rows.T[::-1])  # lexicographic, first column first
    return rows[order].astype(np.intp, copy=False), counts[order].astype(np.intp, copy=False)
