"""The text handed to matplotlib for a label: logical, or reshaped and reordered when it must be.

matplotlib from 3.11 lays text out with libraqm (HarfBuzz shaping, the Unicode bidi algorithm):
handed the logical string, it joins Arabic letters and draws right-to-left runs in order, and
draws Devanagari conjuncts. Handed `get_display(reshape(text))` it would reverse the Arabic.
Older releases draw code points one by one, left to right: for them Arabic must be reshaped
into presentation forms (`arabic_reshaper`) and put in visual order (`bidi.get_display`).

So the transform happens here, at drawing time only, and only when `renderer_shapes()` says the
renderer cannot shape; its output is never stored or exported (the CSVs hold the logical text).
Devanagari has no such workaround: without a shaping renderer its conjuncts stay unjoined.
"""

from __future__ import annotations

import functools
import importlib
import unicodedata


@functools.cache
def renderer_shapes() -> bool:
    """Whether this matplotlib shapes and reorders text itself (built with libraqm)."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", None))


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def display_label(text: str) -> str:
    """`text` as matplotlib must be given it to draw it right (see the module docstring)."""
    if renderer_shapes() or not has_rtl(text):
        return text
    # imported by name: python-bidi and arabic-reshaper ship no type information
    reshape = importlib.import_module("arabic_reshaper").reshape
    get_display = importlib.import_module("bidi").get_display
    return str(get_display(reshape(text)))
