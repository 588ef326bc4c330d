"""A reading font that covers Latin, Arabic and Devanagari with proper faces."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

# Latin first, then a real Arabic face (fontconfig would otherwise pick DejaVu's
# Arabic), then Devanagari; DejaVu last as a broad fallback.
PREFERRED_FAMILIES = (
    "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Naskh Arabic UI", "Noto Sans Arabic UI",
    "Noto Sans Devanagari", "Noto Sans Devanagari UI", "DejaVu Sans",
)


def available_families() -> list[str]:
    installed = set(QFontDatabase.families())
    return [f for f in PREFERRED_FAMILIES if f in installed]


def reading_font(point_size: float = 13.0) -> QFont:
    font = QFont()
    families = available_families()
    if families:
        font.setFamilies(families)
    font.setPointSizeF(point_size)
    return font


def missing_scripts() -> list[str]:
    """Scripts no installed font covers (shown once as a hint to the user)."""
    missing = []
    for script, name in ((QFontDatabase.WritingSystem.Arabic, "Arabic"),
                         (QFontDatabase.WritingSystem.Devanagari, "Devanagari")):
        if not QFontDatabase.families(script):
            missing.append(name)
    return missing
