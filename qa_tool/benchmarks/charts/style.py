"""The look shared by every chart: colours, font, sizes."""

from __future__ import annotations

# Colour-blind-safe: blue and orange differ in hue and lightness; the extras are from
# the Okabe-Ito palette.
INSTITUTION = "#1f5fa8"
PEERS = "#e08a00"
IQR_BAND = "#c9ced6"
PALETTE = (INSTITUTION, PEERS, "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
TEXT = "#1f2933"
MUTED = "#5b6573"
GRID = "#d5d9e0"
AXIS = "#8a94a3"

# Noto Sans has no Arabic or Chinese glyphs; naming the script families keeps the
# fallback the same in browsers and in WeasyPrint's fontconfig.
FONT_FAMILY = '"Noto Sans", "Noto Naskh Arabic", "Noto Sans CJK SC", "DejaVu Sans", sans-serif'
FONT_SIZE = 11
SMALL_FONT_SIZE = 10

NO_SCORE = "\u2014"  # em dash
DEFAULT_MAX_LABEL_CHARS = 28
PAD = 8
GRID_LEVELS = (0, 25, 50, 75, 100)
