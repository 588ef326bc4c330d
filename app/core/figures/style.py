"""Fonts and colours of the figures: Noto families for Latin, Arabic and Devanagari, chosen
per glyph by matplotlib's font fallback (the families `.ci/run` installs with fonts-noto-core)."""

from __future__ import annotations

import functools

WANTED = ("Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans Devanagari", "DejaVu Sans")
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
"""Paul Tol's bright scheme: distinguishable with colour-blindness and in greyscale print."""
LANGUAGES = {"en": "English", "ar": "Arabic", "hi": "Hindi"}


@functools.cache
def font_family() -> tuple[str, ...]:
    """The wanted families that are installed, in order (matplotlib falls back glyph by glyph)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(name for name in WANTED if name in installed) or ("DejaVu Sans",)


def apply_rc() -> None:
    """Set matplotlib's settings for the figures: call inside `matplotlib.rc_context()`, which
    restores everything after."""
    from matplotlib import rcParams

    rcParams["font.family"] = list(font_family())
    rcParams["font.size"] = 10
    rcParams["text.parse_math"] = False  # a mention's "$5 billion" is text, not mathematics
    rcParams["svg.hashsalt"] = "annotary"  # the same SVG for the same data
    rcParams["axes.spines.top"] = False
    rcParams["axes.spines.right"] = False


def language_name(code: object) -> str:
    return LANGUAGES.get(str(code), str(code))
