"""Stored text: normalisation, fingerprint, script-based language and direction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

RTL = "rtl"
LTR = "ltr"


def normalize_newlines(text: str) -> str:
    """Drop a leading BOM and turn `\\r\\n` and lone `\\r` into `\\n`; nothing else changes."""
    text = text.removeprefix("\ufeff")
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
    ["the", "and", "of", "to", "in", "a", "is", "that", "for", "it", "on", "was", "with", "as", "by", "at", "from", "are", "be", "this", "an", "have", "has"]
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


# Letters of right-to-left scripts (Hebrew, Arabic and its supplements and presentation
# forms), without their combining marks and digits; and letters of left-to-right scripts.
_RTL_LETTER = re.compile(
    "[\u05d0-\u05ea\u05f0-\u05f2\u0620-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef"
    "\u06fa-\u06ff\u0710-\u072f\u074d-\u07a5\u08a0-\u08c9\ufb1d-\ufb4f\ufb50-\ufdfb\ufe70-\ufefc]"
)
_LTR_LETTER = re.compile(
    "[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f"
    "\u0530-\u058f\u0900-\u0dff\u0e00-\u0eff\u10a0-\u10ff\u1e00-\u1fff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)


def _count(pattern: re.Pattern[str], text: str) -> int:
    """How many characters of `text` the one-character pattern matches (no match objects made)."""
    return len(text) - len(pattern.sub("", text))


def paragraph_direction(paragraph: str) -> str:
    """Direction of one paragraph by its majority of letters (right-to-left scripts vs others).

    Unlike the Unicode first-strong rule, an Arabic paragraph that starts with
    "OpenAI" or a number is right-to-left; a tie falls back to the first letter's script.
    Counting is done by regular expressions: this runs on every paragraph of a document
    each time the reader shows it.
    """
    rtl = _count(_RTL_LETTER, paragraph)
    if not rtl:
        return LTR
    ltr = _count(_LTR_LETTER, paragraph)
    if rtl == ltr:
        first_rtl = _RTL_LETTER.search(paragraph)
        first_ltr = _LTR_LETTER.search(paragraph)
        return RTL if first_ltr is None or (first_rtl is not None and first_rtl.start() < first_ltr.start()) else LTR
    return RTL if rtl > ltr else LTR


def is_rtl_text(text: str) -> bool:
    return paragraph_direction(text) == RTL
