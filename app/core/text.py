"""Stored text: normalisation, fingerprint, script-based language and direction."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

RTL = "rtl"
LTR = "ltr"


def normalize_newlines(text: str) -> str:
    """Drop a leading BOM and turn `\\r\\n` and lone `\\r` into `\\n`; nothing else changes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def first_line_title(text: str, limit: int = 200) -> str:
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def _script_of(ch: str) -> str | None:
    cp = ord(ch)
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF \
            or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "arabic"
    if 0x0900 <= cp <= 0x097F or 0xA8E0 <= cp <= 0xA8FF:
        return "devanagari"
    if 0x0590 <= cp <= 0x05FF:
        return "hebrew"
    if ch.isalpha() and (cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF):
        return "latin"
    if ch.isalpha():
        return "other"
    return None


@dataclass(frozen=True)
class ScriptProfile:
    counts: dict[str, int]

    @property
    def letters(self) -> int:
        return sum(self.counts.values())

    def share(self, script: str) -> float:
        return self.counts.get(script, 0) / self.letters if self.letters else 0.0


PROFILE_SAMPLE = 200_000
"""Language and direction are judged on the first 200,000 characters (ample for an article)."""


def script_profile(text: str) -> ScriptProfile:
    counts: dict[str, int] = {}
    for ch in text[:PROFILE_SAMPLE]:
        script = _script_of(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return ScriptProfile(counts)


def detect_language(text: str) -> str:
    """ISO 639-1 code from the dominant script: ar, hi, he, en, or `und` when unsure.

    Latin script is taken as English only when common English words are frequent:
    a French or German article must not be labelled `en`.
    """
    profile = script_profile(text)
    if profile.letters < 3:
        return "und"
    for script, lang in (("arabic", "ar"), ("devanagari", "hi"), ("hebrew", "he")):
        if profile.share(script) >= 0.3:
            return lang
    if profile.share("latin") >= 0.6 and _looks_english(text):
        return "en"
    return "und"


_ENGLISH_WORDS = frozenset(
    "the and of to in a is that for it on was with as by at from are be this an have has".split()
)


def _looks_english(text: str) -> bool:
    words = [w.strip(".,;:!?\"'()[]“”‘’").lower() for w in text[:20000].split()]
    words = [w for w in words if w]
    if not words:
        return False
    hits = sum(1 for w in words if w in _ENGLISH_WORDS)
    return hits / len(words) >= 0.08


def base_direction(text: str) -> str:
    """The document's base direction: RTL when right-to-left letters dominate."""
    profile = script_profile(text)
    rtl = profile.counts.get("arabic", 0) + profile.counts.get("hebrew", 0)
    return RTL if profile.letters and rtl / profile.letters >= 0.3 else LTR


_RTL_RANGES = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
_LETTER = re.compile(r"[^\W\d_]")
_RTL_LETTER = re.compile(f"(?=[{_RTL_RANGES}])[^\\W\\d_]")


def paragraph_direction(paragraph: str) -> str:
    """Direction of one paragraph by its majority of letters (right-to-left scripts vs others).

    Unlike the Unicode first-strong rule, an Arabic paragraph that starts with
    "OpenAI" or a number is right-to-left; a tie falls back to the first letter's script.
    Counting is done by regular expressions: this runs on every paragraph of a document
    each time the reader shows it.
    """
    rtl = len(_RTL_LETTER.findall(paragraph))
    if not rtl:
        return LTR
    ltr = len(_LETTER.findall(paragraph)) - rtl
    if rtl == ltr:
        first = _LETTER.search(paragraph)
        return RTL if first is not None and _RTL_LETTER.match(paragraph, first.start()) else LTR
    return RTL if rtl > ltr else LTR


def is_rtl_text(text: str) -> bool:
    return paragraph_direction(text) == RTL
