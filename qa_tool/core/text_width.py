"""Text widths without measuring: one unit per narrow character, two per wide (CJK) one,
none for marks and format characters.

Pure Python (no Django). The charts fit labels with it (they never see a font), and the
spreadsheet writers size rows of wrapped text with it (no program grows them on opening).
"""

from __future__ import annotations

import unicodedata


def char_units(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def units(text: str) -> int:
    """Estimated width in narrow characters: wide (CJK) characters count two."""
    return sum(char_units(char) for char in text)
