"""Rubric content is stored as language maps; display falls back to English."""

from collections.abc import Mapping

RUBRIC_LANGUAGES = ("en", "fr", "ar", "zh-hans")
FALLBACK_LANGUAGE = "en"


def localize(text: Mapping[str, str] | str | None, language: str | None) -> str:
    """The text in ``language`` (or its base language), else English, else ""."""
    if not text:
        return ""
    if isinstance(text, str):
        return text
    if language:
        language = language.lower()
        if language in text:
            return text[language]
        base = language.split("-")[0]
        if base in text:
            return text[base]
        # Browsers send zh-cn / zh-sg for Simplified Chinese.
        if base == "zh" and "zh-hans" in text and language not in ("zh-hant", "zh-tw", "zh-hk"):
            return text["zh-hans"]
    return text.get(FALLBACK_LANGUAGE, "")
