"""What the rubric workbook's writer and reader agree on: sheet names, columns and the keys
of the settings sheet.

Sheet and column names are the file format, the same in every language (like the keys
of a YAML rubric); the Instructions sheet explains them in the author's language. A
text in several languages takes one column per language, ``<key>_<language>``. The
rubric-level choices and their defaults come from the schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubrics.checks import rubric_schema
from rubrics.i18n import RUBRIC_LANGUAGES

INSTRUCTIONS = "Instructions"
SETTINGS = "Rubric settings"
SCALE = "Scale"
BANDS = "Bands"
DOMAINS = "Domains"
CRITERIA = "Criteria"
DESCRIPTORS = "Descriptors"
RECOMMENDATIONS = "Recommendations"

HEADER_ROW = 1
FIRST_ROW = 2
# Rows read per sheet: far more than any framework (the shipped ones have under 200
# descriptors); a sheet with more is refused rather than read on.
ROWS_MAX = 5000

TEXT, NUMBER, BOOLEAN, CODE = "text", "number", "boolean", "code"


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in the document, ``language`` for one language of a text."""

    key: str
    kind: str
    language: str = ""
    required: bool = False  # the header must be present (its cells may still be checked)
    width: int = 14

    @property
    def header(self) -> str:
        return f"{self.key}_{self.language}" if self.language else self.key


def _texts(key: str, *, required: bool = False, width: int = 40) -> tuple[Column, ...]:
    """A text's columns, English first; only English may be required."""
    return tuple(
        Column(key, TEXT, language, required=required and language == "en", width=width)
        for language in RUBRIC_LANGUAGES
    )


SHEET_COLUMNS: dict[str, tuple[Column, ...]] = {
    SCALE: (
        Column("value", NUMBER, required=True, width=8),
        *_texts("label", required=True, width=20),
        *_texts("description"),
        *_texts("effort", width=20),
        Column("effort_hours", NUMBER),
    ),
    BANDS: (
        Column("min", NUMBER, width=8),
        Column("min_points", NUMBER),
        *_texts("label", required=True, width=20),
        *_texts("description"),
        Column("requires_pass", BOOLEAN),
    ),
    DOMAINS: (
        Column("code", CODE, required=True, width=10),
        *_texts("title", required=True, width=30),
        *_texts("description"),
        Column("weight", NUMBER, width=8),
        Column("min_score", NUMBER),
        Column("min_points", NUMBER),
    ),
    CRITERIA: (
        Column("domain", CODE, required=True, width=10),
        Column("code", CODE, required=True, width=10),
        *_texts("text", required=True),
        *_texts("guidance"),
        Column("weight", NUMBER, width=8),
        Column("critical", BOOLEAN, width=10),
        Column("allow_na", BOOLEAN, width=10),
        Column("evidence_required", BOOLEAN),
    ),
    DESCRIPTORS: (
        Column("criterion", CODE, required=True, width=10),
        Column("level", NUMBER, required=True, width=8),
        *_texts("text", required=True),
    ),
}
SHEET_COLUMNS[RECOMMENDATIONS] = SHEET_COLUMNS[DESCRIPTORS]

# Sheets a workbook must have; the others may be left out (no bands, no descriptors…).
REQUIRED_SHEETS = (SETTINGS, SCALE, DOMAINS, CRITERIA)
# The writer's order, after the instructions.
SHEETS = (SETTINGS, SCALE, BANDS, DOMAINS, CRITERIA, DESCRIPTORS, RECOMMENDATIONS)

# The settings sheet: one key and its value a row; a third column holds notes for authors.
SETTINGS_HEADER = ("key", "value", "notes")
# The rubric-level choices, their options and defaults, as the schema states them.
CHOICE_KEYS = ("level", "aggregate", "consensus", "normalise", "overall", "plan_target")
CHOICES = {key: tuple(rubric_schema()["properties"][key]["enum"]) for key in CHOICE_KEYS}
DEFAULTS = {key: rubric_schema()["properties"][key]["default"] for key in CHOICE_KEYS}
# The pass rule, folded into the settings: setting key -> key of ``pass``.
PASS_KEYS = {
    "pass_min_score": "min_score",
    "pass_min_points": "min_points",
    "pass_critical_min_value": "critical_min_value",
}


@dataclass(frozen=True)
class Setting:
    name: str  # the key in the sheet
    kind: str
    key: str  # the key in the document ("title", "pass"…)
    language: str = ""
    sub: str = ""  # the key inside ``pass``


SETTINGS_ROWS: tuple[Setting, ...] = (
    Setting("slug", CODE, "slug"),
    Setting("version", CODE, "version"),
    *(Setting(f"title_{lang}", TEXT, "title", lang) for lang in RUBRIC_LANGUAGES),
    *(Setting(f"description_{lang}", TEXT, "description", lang) for lang in RUBRIC_LANGUAGES),
    *(Setting(key, CODE, key) for key in CHOICES),
    *(Setting(name, NUMBER, "pass", sub=sub) for name, sub in PASS_KEYS.items()),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS_ROWS}
