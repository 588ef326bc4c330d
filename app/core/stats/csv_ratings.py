"""Read a ratings CSV into a ratings table (``unit -> {coder: value or None}``).

Two layouts, told apart by the header (the first non-blank line):

* **long** -- the header is exactly ``unit,coder,value`` (case and surrounding spaces
  ignored); one rating per line. An empty value cell is a missing rating. A (unit, coder)
  pair given twice is an error naming both lines.
* **wide** -- any other header starting with ``unit``: ``unit,<coder1>,<coder2>,...``; one
  unit per line, one column per coder; an empty cell is a missing rating. A unit given
  twice, an empty or repeated coder name, or a line with more cells than the header has
  columns (other than empty trailing ones) or fewer is an error naming the line.

Cells are trimmed. Only an empty cell is missing (``NA`` or ``.`` are values). A value is a
number if it reads as one (``3``, ``-2``, ``0.5``, ``1e3``; integers stay ``int``), else a
label. Labels are allowed at the nominal level, and at the ordinal level when ``order``
lists them (lowest first). With an ``order`` (nominal or ordinal), every value must be one
of its entries, matched by text (``str(entry)``) or, for numbers, by value; the table then
holds the entries themselves. Interval and ratio values must be numbers (ratio ones >= 0);
ordinal values without an order must be numbers. Any breach raises
`RatingsFileError` (an `AnnotaryError`) naming the file and line.

The file's bytes are decoded as every Annotary import is (BOMs, UTF-8, then detection);
CRLF, LF and CR line ends, blank lines and a UTF-8 BOM are all fine. Units and coders are
kept as the strings written in the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any

from app.core.bounded_read import read_regular_file
from app.core.decoding import decode_bytes
from app.core.errors import AnnotaryError
from app.core.stats.table import check_level, is_number, parse_number

LONG_HEADER = ("unit", "coder", "value")


class RatingsFileError(AnnotaryError):
    """A ratings CSV cannot be read as asked; the message names file and line."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


def read_ratings_csv(
    path: str | Path,
    level: str = "nominal",
    order: Sequence[Hashable] | None = None,
    encoding: str | None = None,
) -> dict[str, dict[str, Any]]:
    """The ratings table in the CSV file at ``path`` (see the module docstring)."""
    source = str(path)
    try:
        data = read_regular_file(path)  # regular files only, within the size limit
    except AnnotaryError as exc:
        raise RatingsFileError(source, None, f"cannot read the file ({exc.message})") from None
    try:
        text = decode_bytes(data, encoding).text
    except AnnotaryError as exc:
        raise RatingsFileError(source, None, exc.message) from None
    return parse_ratings_csv(text, level, order, source=source)


def parse_ratings_csv(
    text: str, level: str = "nominal", order: Sequence[Hashable] | None = None, *, source: str = "ratings CSV"
) -> dict[str, dict[str, Any]]:
    """The ratings table in CSV ``text`` (see the module docstring)."""
    try:
        check_level(level)
    except AnnotaryError as exc:
        raise RatingsFileError(source, None, exc.message) from None
    if level in ("interval", "ratio") and order is not None:
        raise RatingsFileError(source, None, f"an order of values applies to ordinal (or nominal) data, not {level}")
    parse = _ValueParser(level, order, source)
    text = text.removeprefix("\ufeff")
    rows = _rows(text, source)
    first = next(rows, None)
    if first is None:
        raise RatingsFileError(source, None, "no header line (expected unit,coder,value or unit,<coder>,...)")
    header_line, header = first[0], [cell.strip() for cell in first[1]]
    while len(header) > 1 and header[-1] == "":
        header.pop()  # trailing separators
    if not header or header[0].lower() != "unit":
        hint = ""
        if header and any(sep in header[0] for sep in (";", "\t")):
            hint = " (the file looks separated by semicolons or tabs; save it comma-separated)"
        raise RatingsFileError(source, header_line, f"the header must start with 'unit'{hint}")
    if tuple(h.lower() for h in header) == LONG_HEADER:
        return _read_long(rows, parse, source)
    return _read_wide(header_line, header, rows, parse, source)


def _rows(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank row."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    while True:
        start = last + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RatingsFileError(source, reader.line_num or start, f"not valid CSV ({exc})") from None
        last = reader.line_num
        if all(not cell.strip() for cell in row):
            continue
        yield start, row


def _fit(row: list[str], width: int, line: int, source: str) -> list[str]:
    cells = [cell.strip() for cell in row]
    if len(cells) > width and not any(cells[width:]):
        cells = cells[:width]
    if len(cells) != width:
        raise RatingsFileError(source, line, f"{len(cells)} cells, but the header has {width} columns")
    return cells


def _read_wide(
    header_line: int, header: list[str], rows: Iterator[tuple[int, list[str]]], parse: _ValueParser, source: str
) -> dict[str, dict[str, Any]]:
    coders = header[1:]
    if not coders:
        raise RatingsFileError(source, header_line, "the header names no coder (expected unit,<coder1>,<coder2>,...)")
    seen: set[str] = set()
    for name in coders:
        if not name:
            raise RatingsFileError(source, header_line, "a coder column has an empty name")
        if name in seen:
            raise RatingsFileError(source, header_line, f"coder {name!r} has two columns")
        seen.add(name)
    table: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        cells = _fit(row, len(header), line, source)
        unit = cells[0]
        if not unit:
            raise RatingsFileError(source, line, "the unit cell is empty")
        if unit in table:
            raise RatingsFileError(source, line, f"unit {unit!r} is given twice (also on line {first_line[unit]})")
        first_line[unit] = line
        table[unit] = {coder: parse(cell, line) for coder, cell in zip(coders, cells[1:])}
    return table


def _read_long(
    rows: Iterator[tuple[int, list[str]]], parse: _ValueParser, source: str
) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for line, row in rows:
        unit, coder, cell = _fit(row, 3, line, source)
        if not unit:
            raise RatingsFileError(source, line, "the unit cell is empty")
        if not coder:
            raise RatingsFileError(source, line, "the coder cell is empty")
        key = (unit, coder)
        if key in first_line:
            raise RatingsFileError(
                source, line, f"coder {coder!r} rates unit {unit!r} twice (also on line {first_line[key]})"
            )
        first_line[key] = line
        table.setdefault(unit, {})[coder] = parse(cell, line)
    return table


class _ValueParser:
    """Cell text -> value (or None), checked against the level and the order."""

    def __init__(self, level: str, order: Sequence[Hashable] | None, source: str) -> None:
        self.level = level
        self.source = source
        self.by_text: dict[str, Any] | None = None
        self.numbers: list[Any] = []
        self.shown = ""
        if order is not None:
            self.by_text = {}
            for entry in order:
                text = str(entry).strip()
                if not text:
                    raise RatingsFileError(source, None, "the order lists an empty value")
                if text in self.by_text:
                    raise RatingsFileError(source, None, f"the order lists {text!r} twice")
                self.by_text[text] = entry
                if is_number(entry):
                    self.numbers.append(entry)
            self.shown = ", ".join(self.by_text)

    def __call__(self, cell: str, line: int) -> Any:
        if cell == "":
            return None
        number = parse_number(cell)
        if self.by_text is not None:
            if cell in self.by_text:
                return self.by_text[cell]
            if number is not None:
                for entry in self.numbers:
                    if entry == number:
                        return entry
            raise RatingsFileError(self.source, line, f"value {cell!r} is not in the given order ({self.shown})")
        if number is None:
            if self.level == "nominal":
                return cell
            extra = " or give the order of the labels" if self.level == "ordinal" else ""
            raise RatingsFileError(
                self.source,
                line,
                f"value {cell!r} is not a number; {self.level} values must be numbers "
                f"(labels are allowed at the nominal level{extra})",
            )
        if self.level == "ratio" and number < 0:
            raise RatingsFileError(self.source, line, f"ratio value {cell!r} is negative")
        return number
