"""The checks every door into a project passes (GUI, import, merge, codebook file).

Plain data in, a clean value or an AnnotaryError out: spans are whole-number offsets
inside the text whose stored text is the slice; values are among their code's values,
or finite numbers in range for numeric levels; names are NFC-normalised and compared
casefolded, so names that only look different to the computer are one name.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from app.core.errors import AnnotaryError

FLAG_VALUE = "true"
NUMERIC_LEVELS = ("interval", "ratio")


def normalise_name(name: str) -> str:
    """A name as stored: NFC, so the same-looking name is the same string."""
    return unicodedata.normalize("NFC", name) if isinstance(name, str) else name


def name_key(name: str) -> str:
    """What two names are compared by for duplicates: NFC and casefolded."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NOT_IN_LABELS = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}\\u2028\\u2029]")
_NOT_IN_PROSE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]")  # newlines, tabs and bidi marks are fine


def _describe(ch: str) -> str:
    code = ord(ch)
    kind = "a control character" if code < 0x20 or 0x7F <= code <= 0x9F else (
        "a line separator" if ch in "\u2028\u2029" else "a bidirectional control character")
    return f"{kind} (U+{code:04X})"


def check_label_text(what: str, text: str) -> str:
    """A name, value or hotkey shown as one label: no control (C0, DEL, C1), bidirectional
    control or line-separator characters, which can hide or reorder what is shown."""
    bad = _NOT_IN_LABELS.search(text)
    if bad:
        raise AnnotaryError(f"{what} {_short(text)} contains {_describe(bad.group())}; names, values and hotkeys cannot")
    return text


def check_long_text(what: str, text: str) -> str:
    """A definition or note: newlines and tabs are fine, other control characters are not."""
    bad = _NOT_IN_PROSE.search(text)
    if bad:
        raise AnnotaryError(f"{what} contains {_describe(bad.group())}; of the control characters only newlines "
                            "and tabs may be in it")
    return text


def first_duplicate(names: Iterable[str]) -> tuple[str, str] | None:
    """The first name that repeats an earlier one by `name_key`, with that earlier one."""
    seen: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key in seen:
            return seen[key], name
        seen[key] = name
    return None


def _is_offset(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_span_shape(start: object, end: object, what: str = "span") -> None:
    """The checks of a span that need no text: whole numbers, not negative, not empty."""
    if not (_is_offset(start) and _is_offset(end)):
        raise AnnotaryError(f"{what} offsets must be whole numbers, not {start!r} and {end!r}")
    assert isinstance(start, int) and isinstance(end, int)
    if start < 0:
        raise AnnotaryError(f"{what} start {start} is before the start of the text")
    if end <= start:
        raise AnnotaryError(f"{what} {start}-{end} is empty (end must be greater than start)")


def check_span(text: str, start: object, end: object, what: str = "span", where: str = "the text") -> str:
    """The covered text of a valid span (0 <= start < end <= len(text)), or a clear error."""
    if not (_is_offset(start) and _is_offset(end)):
        raise AnnotaryError(f"{what} offsets must be whole numbers, not {start!r} and {end!r}")
    assert isinstance(start, int) and isinstance(end, int)
    if start < 0:
        raise AnnotaryError(f"{what} start {start} is before the start of {where}")
    if end > len(text):
        raise AnnotaryError(f"{what} end {end} is past the end of {where} ({len(text)} characters)")
    if end <= start:
        raise AnnotaryError(f"{what} {start}-{end} is empty (end must be greater than start)")
    return text[start:end]


def check_stored_span(text: str, start: object, end: object, stored: object, what: str = "span",
                      where: str = "the text") -> str:
    """Like `check_span`, and the stored covered text must equal the slice of the text."""
    covered = check_span(text, start, end, what, where)
    if stored != covered:
        raise AnnotaryError(f"{what} text {_short(stored)} is not the text at {start}-{end} of {where} "
                            f"({_short(covered)})")
    return covered


def check_choice(name: str, values: list[str], value: object) -> str:
    """A value of a code or attribute with a list of values (compared after NFC)."""
    if not isinstance(value, str):
        raise AnnotaryError(f"{name} takes one of its values ({', '.join(values)}), not {value!r}")
    value = normalise_name(value)
    if value not in [normalise_name(v) for v in values]:
        raise AnnotaryError(f"{value!r} is not a value of {name} ({', '.join(values)})")
    return value


def check_flag(name: str, value: object) -> str:
    """A yes/no attribute is either set (stored as FLAG_VALUE) or absent."""
    if value not in (FLAG_VALUE, True):
        raise AnnotaryError(f"{name} is a yes/no flag; set it or clear it")
    return FLAG_VALUE


def check_number(name: str, level: str, value: object) -> str:
    """A value of an interval or ratio code: a finite number, and for ratio zero or more."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnnotaryError(f"{name} ({level}) takes a number, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise AnnotaryError(f"{name} ({level}) takes a number, not {value!r}") from None
    if not math.isfinite(number):
        raise AnnotaryError(f"{name} ({level}) takes a finite number, not {value!r}")
    if level == "ratio" and number < 0:
        raise AnnotaryError(f"{name} (ratio) takes a number of zero or more, not {value!r}")
    return str(value).strip()


def check_code_value(name: str, level: str, values: list[str], value: object) -> str:
    """A document code's value as stored, or a clear error."""
    if values:
        return check_choice(name, values, value)
    if level in NUMERIC_LEVELS:
        return check_number(name, level, value)
    if not isinstance(value, str):
        raise AnnotaryError(f"{name} takes text, not {value!r}")
    return value


def check_attribute_value(name: str, values: list[str], value: object) -> str:
    """An attribute's value as stored (a flag when it has no values), or a clear error."""
    return check_choice(name, values, value) if values else check_flag(name, value)


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
