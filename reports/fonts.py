"""The font families of a report, by language: one list for the PDF's text and its charts.

Only the language's own families are named (and a Latin fallback): WeasyPrint then
loads and embeds only those faces, and the CJK ones, by far the largest, only for
Chinese. Text in another script (an Arabic name in an English report) is still drawn:
fontconfig falls back to an installed face that has the glyphs.
"""

from __future__ import annotations

# First choice first. Naming "Noto Sans CJK SC" first matters: for Chinese, fontconfig
# would otherwise pick the Japanese face, whose glyphs differ.
FONTS: dict[str, tuple[str, ...]] = {
    "ar": ("Noto Naskh Arabic", "Noto Sans Arabic"),
    "zh-hans": ("Noto Sans CJK SC",),
    "fr": ("Noto Sans",),
    "en": ("Noto Sans",),
}
FALLBACK_FONTS: tuple[str, ...] = ("Noto Sans", "DejaVu Sans")


def wanted_families(language: str) -> tuple[str, ...]:
    return FONTS.get(language, FONTS["en"])


def report_families(language: str) -> tuple[str, ...]:
    """The language's families, then the Latin fallbacks."""
    wanted = wanted_families(language)
    return (*wanted, *(f for f in FALLBACK_FONTS if f not in wanted))
