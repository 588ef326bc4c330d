"""A ratings table and what every agreement statistic first does with it.

A ratings table is a mapping ``unit -> {coder: value or None}``. A coder absent from a
unit's mapping, a ``None`` and a float NaN all mean the same: that coder gave the unit no
rating ("missing"). Units and coders are any hashable values (usually strings); values
are numbers or labels (strings), depending on the level of measurement:

* ``nominal``  -- any hashable value; only equality matters;
* ``ordinal``  -- labels from an explicit ``order`` (a list, lowest first), or numbers
  (sorted numerically) when no order is given;
* ``interval`` -- finite numbers;
* ``ratio``    -- finite numbers >= 0 (the ratio metric divides by ``c + k``).

Values are compared with Python equality, so ``1`` and ``1.0`` are the same value and, at
the nominal level, ``"1"`` is another one. Where numbers are required (interval, ratio, and
ordinal without an order) a string that reads as a number (``"3"``, ``"-0.5"``, ``"1e3"``) is
taken as that number, since stored codes are often text.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import AnnotaryError

LEVELS = ("nominal", "ordinal", "interval", "ratio")

RatingsTable = Mapping[Any, Mapping[Any, Any]]
"""``unit -> {coder: value or None}``; units and coders are any hashable values (typed Any because a
Mapping's key type is invariant: a ``dict[str, dict[str, str]]`` is no ``Mapping[Hashable, ...]``)."""


def check_level(level: str) -> str:
    """The level itself, or AnnotaryError naming the allowed ones."""
    if level not in LEVELS:
        raise AnnotaryError(f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}")
    return level


def is_missing(value: Any) -> bool:
    """None and NaN are missing ratings."""
    if value is None:
        return True
    kind = type(value)
    if kind is float:
        return math.isnan(value)
    if kind is str or kind is int:
        return False
    try:
        return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value)
    except (TypeError, ValueError):
        return False


def is_number(value: Any) -> bool:
    """A real number that is not a bool (True is not the number 1 in a ratings table)."""
    kind = type(value)
    if kind is int or kind is float:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


def parse_number(text: str) -> int | float | None:
    """The number a (trimmed) string spells -- int for integers -- or None (also for nan/inf)."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) else None
    return None


def numeric_view(level: str, order: Sequence[Any] | None):  # type: ignore[no-untyped-def]
    """The conversion a level applies to values before checking them: numeric strings become
    numbers where numbers are required, everything else is left as it is."""
    if level == "nominal" or (level == "ordinal" and order is not None):
        return lambda value: value

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            number = parse_number(value)
            if number is not None:
                return number
        return value

    return convert


def sorted_keys(items: Iterable[Any]) -> list[Any]:
    """Units, coders or labels in a stable order: natural order when comparable, else by type and repr."""
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda x: (type(x).__name__, repr(x)))


def coder_label(coder: Any) -> str:
    return coder if isinstance(coder, str) else str(coder)


@dataclass(frozen=True)
class Ratings:
    """A ratings table with the missing ratings dropped.

    ``units`` holds every unit of the table (sorted), ``rated[i]`` the ``(coder, value)``
    pairs of ``units[i]`` (sorted by coder), ``coders`` every coder with at least one rating.
    """

    units: tuple[Any, ...]
    rated: tuple[tuple[tuple[Any, Any], ...], ...]
    coders: tuple[Any, ...]

    @property
    def n_units(self) -> int:
        return len(self.units)

    def counts_by_size(self) -> dict[str, int]:
        """Units with no rating, with one rating, and with two or more."""
        empty = sum(1 for r in self.rated if not r)
        single = sum(1 for r in self.rated if len(r) == 1)
        return {"no_ratings": empty, "one_rating": single, "pairable": len(self.rated) - empty - single}


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def ratings_from_table(table: RatingsTable | Ratings) -> Ratings:
    """Drop missing ratings, check the shape and sort units and coders (nothing about levels yet).

    A `Ratings` passes through unchanged, so a caller computing several statistics
    normalises the table once.
    """
    if isinstance(table, Ratings):
        return table
    if not isinstance(table, Mapping):
        raise AnnotaryError("a ratings table is a mapping unit -> {coder: value}")
    units = sorted_keys(table.keys())
    coders: set[Any] = set()
    rated: list[tuple[tuple[Any, Any], ...]] = []
    for unit in units:
        row = table[unit]
        if row is None:
            row = {}
        if not isinstance(row, Mapping):
            raise AnnotaryError(f"unit {unit!r}: expected a mapping coder -> value, got {type(row).__name__}")
        pairs = []
        for coder, value in row.items():
            if is_missing(value):
                continue
            try:
                hash(value)
            except TypeError:
                raise AnnotaryError(f"unit {unit!r}, coder {coder!r}: value {value!r} is not a single value") from None
            pairs.append((coder, value))
            coders.add(coder)
        if len(pairs) > 1:
            try:
                pairs.sort(key=_first)
            except TypeError:
                pairs.sort(key=lambda p: (type(p[0]).__name__, repr(p[0])))
        rated.append(tuple(pairs))
    return Ratings(tuple(units), tuple(rated), tuple(sorted_keys(coders)))


def category_order(values: Iterable[Any], level: str, order: Sequence[Any] | None) -> list[Any]:
    """The distinct values in the order the level's metric uses, after checking them.

    Nominal: labels sorted for display (or in ``order`` if given, which then also lists
    every allowed value). Ordinal: ``order`` if given (every value must be in it), else
    numbers sorted ascending. Interval and ratio: numbers sorted ascending; ``order`` is
    refused there. Raises AnnotaryError naming the offending value.
    """
    check_level(level)
    distinct = set(values)
    if order is not None:
        if level in ("interval", "ratio"):
            raise AnnotaryError(f"an explicit order applies to ordinal (or nominal) values, not to level {level}")
        order = list(order)
        seen: set[Any] = set()
        for label in order:
            if is_missing(label):
                raise AnnotaryError("the order lists an empty (missing) value")
            if label in seen:
                raise AnnotaryError(f"the order lists {label!r} twice")
            seen.add(label)
        unknown = [v for v in distinct if v not in seen]
        if unknown:
            shown = ", ".join(repr(v) for v in sorted_keys(unknown)[:5])
            raise AnnotaryError(f"value {shown} is not in the given order ({', '.join(map(repr, order))})")
        return [label for label in order if label in distinct]
    if level == "nominal":
        return sorted_keys(distinct)
    for value in distinct:
        if not is_number(value):
            if level == "ordinal":
                raise AnnotaryError(
                    f"ordinal value {value!r} is not a number; give the order of the labels (lowest first)"
                )
            raise AnnotaryError(f"{level} value {value!r} is not a number")
        if not math.isfinite(value):
            raise AnnotaryError(f"{level} value {value!r} is not a finite number")
        if level == "ratio" and value < 0:
            raise AnnotaryError(f"ratio value {value!r} is negative; ratio data have an absolute zero")
    return sorted(distinct)
