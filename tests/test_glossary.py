"""locale/GLOSSARY.md is obeyed: the catalogues and the shipped rubrics speak with one voice.

For every glossary entry and language: no rejected variant appears in that language's
catalogue msgstr texts nor in its shipped rubric texts, and where the English source uses the
term, the chosen term appears in the same place (catalogue, or rubric texts).

Matching is by whole word, so a rejected word inside a longer legitimate word is no hit:
French and English use word boundaries; Arabic ignores diacritics and tatweel and lets a
word carry the attached prefixes و ف ب ك ل and the article (including لل); Chinese has no
word boundaries, so its rejected variants are chosen to be unambiguous and matched as they
stand.
"""

import ast
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "locale" / "GLOSSARY.md"
LIBRARY = ROOT / "rubrics" / "library"
CATALOGUES = {"fr": "fr", "ar": "ar", "zh-hans": "zh_Hans"}
LANGUAGES = ("en", *CATALOGUES)

ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
ARABIC_LETTER = "\u0621-\u064a"
BACKTICKED = re.compile(r"`([^`]+)`")


def normalise(text: str, language: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u00a0", " ")
    if language == "ar":
        return ARABIC_MARKS.sub("", text)
    return text.lower()


def pattern(term: str, language: str) -> re.Pattern[str]:
    term = normalise(term, language)
    if language == "zh-hans":
        return re.compile(re.escape(term))
    if language == "ar":
        body = re.escape(term)
        if term.startswith("ال"):
            # ل + ال is written لل: للطلاب is ل + الطلاب.
            body = f"(?:{body}|لل{re.escape(term[2:])})"
        else:
            body = f"(?:ال|لل)?{body}"
        return re.compile(f"(?<![{ARABIC_LETTER}])(?:[وف]?[بكل]?){body}(?![{ARABIC_LETTER}])")
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")


def test_matching_is_by_whole_word():
    assert pattern("orientation", "fr").search(normalise("Orientation du cours", "fr"))
    assert not pattern("orientation", "fr").search("les orientations de l'établissement")
    assert not pattern("complétude", "fr").search("incomplétude")
    assert pattern("طلاب", "ar").search(normalise("دعمُ الطلاب", "ar"))
    assert pattern("طلاب", "ar").search("متاحة للطلاب والأساتذة")
    assert pattern("الطلاب", "ar").search("وللطلاب")
    assert not pattern("طلاب", "ar").search("الطلابية")
    assert not pattern("حرجة", "ar").search("محرجة")
    assert pattern("مخرجات التعلم", "ar").search(normalise("مخرجاتُ التعلّم", "ar"))
    assert pattern("分值", "zh-hans").search("“值”列不能是分值")


@cache
def glossary() -> list[dict]:
    """Entries: {"term", "sources": English forms, "use"/"avoid": {language: [forms]}}."""
    entries: list[dict] = []
    terms = False
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            terms = line == "# Terms"
        elif terms and line.startswith("## "):
            entries.append(
                {
                    "term": line[3:].strip(),
                    "sources": [],
                    "where": ["catalogue", "rubrics"],
                    "use": {},
                    "avoid": {},
                }
            )
        elif entries and line.startswith("English source:"):
            entries[-1]["sources"] = BACKTICKED.findall(line)
        elif entries and line.startswith("Checked in:"):
            entries[-1]["where"] = [w.strip() for w in line.split(":", 1)[1].split(",")]
        elif entries and line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) >= 3 and cells[0] in LANGUAGES:
                entries[-1]["use"][cells[0]] = BACKTICKED.findall(cells[1])
                entries[-1]["avoid"][cells[0]] = BACKTICKED.findall(cells[2])
    return entries


def po_texts(path: Path) -> tuple[list[str], list[str]]:
    """(msgids, msgstrs) of a catalogue, plural forms included, the header left out."""
    ids: list[str] = []
    strs: list[str] = []
    target: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            target = ids
            ids.append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith("msgstr"):
            target = strs
            strs.append(ast.literal_eval(line.split(" ", 1)[1]))
        elif line.startswith('"') and target is not None:
            target[-1] += ast.literal_eval(line)
        else:
            target = None
    return [i for i in ids if i], [s for s in strs if s and not s.startswith("Project-Id")]


def rubric_texts(node, language: str):
    if isinstance(node, dict):
        if "en" in node and set(node) <= set(LANGUAGES):
            if node.get(language):
                yield node[language]
            return
        for value in node.values():
            yield from rubric_texts(value, language)
    elif isinstance(node, list):
        for value in node:
            yield from rubric_texts(value, language)


@cache
def corpora() -> dict[tuple[str, str], str]:
    """{(where, language): all texts, normalised}; where is "catalogue" or "rubrics"."""
    texts: dict[tuple[str, str], str] = {}
    english: list[str] = []
    for language, folder in CATALOGUES.items():
        ids, strs = po_texts(ROOT / "locale" / folder / "LC_MESSAGES" / "django.po")
        english = ids
        texts["catalogue", language] = normalise("\n".join(strs), language)
    texts["catalogue", "en"] = normalise("\n".join(english), "en")
    docs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(LIBRARY.glob("*.yaml"))]
    for language in LANGUAGES:
        joined = "\n".join(t for doc in docs for t in rubric_texts(doc, language))
        texts["rubrics", language] = normalise(joined, language)
    return texts


def test_glossary_parses_into_entries_for_every_language():
    entries = glossary()
    assert len(entries) >= 20
    for entry in entries:
        assert entry["sources"], entry["term"]
        assert set(entry["use"]) == set(LANGUAGES), entry["term"]
        assert all(entry["use"][lang] for lang in LANGUAGES), entry["term"]
    terms = {e["term"] for e in entries}
    assert {"assessment", "student assessment", "completion", "validated", "critical"} <= terms


def cases() -> list:
    return [
        pytest.param(entry, language, id=f"{entry['term']}-{language}")
        for entry in glossary()
        for language in CATALOGUES
    ]


@pytest.mark.parametrize(("entry", "language"), cases())
def test_rejected_variants_are_absent(entry, language):
    found = []
    for where in ("catalogue", "rubrics"):
        text = corpora()[where, language]
        for variant in entry["avoid"].get(language, []):
            match = pattern(variant, language).search(text)
            if match:
                start = max(0, match.start() - 40)
                found.append(f"{where}: {variant!r} in …{text[start : match.end() + 40]}…")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("entry", "language"), cases())
def test_chosen_term_is_used_where_the_source_uses_the_term(entry, language):
    for where in entry["where"]:
        source = corpora()[where, "en"]
        if not any(pattern(s, "en").search(source) for s in entry["sources"]):
            continue
        text = corpora()[where, language]
        assert any(pattern(u, language).search(text) for u in entry["use"][language]), (
            f"{where}: the English uses {entry['sources']}, the {language} text none of "
            f"{entry['use'][language]}"
        )


def test_a_rejected_variant_is_caught(tmp_path):
    """The check can fail: Arabic نسبة الإنجاز in a msgstr is found."""
    po = tmp_path / "django.po"
    po.write_text('msgid "Completion"\nmsgstr "نسبة الإنجاز"\n', encoding="utf-8")
    _ids, strs = po_texts(po)
    (entry,) = [e for e in glossary() if e["term"] == "completion"]
    text = normalise("\n".join(strs), "ar")
    assert any(pattern(v, "ar").search(text) for v in entry["avoid"]["ar"])
