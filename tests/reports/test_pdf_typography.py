"""The PDF report's typography in four languages: pages drawn to PNG for a person to look
at, and the facts a reader would check (numbers in the locale, French no-break spaces,
the Simplified Chinese face, Arabic isolation and the mirrored cover, Chinese columns).

The PNGs of every page land in test-output/pdf-pages/<language>/ (git-ignored; see the
README's "Reports" section)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from qa_tool.actions.models import ActionItem
from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_submit
from qa_tool.benchmarks.audience import Audience
from qa_tool.core.typography import NBSP, NNBSP, in_text
from reports.context import build_report_context
from reports.pdf import render_pdf, report_html
from rubrics.templatetags.qa_format import LRI, PDI, RLI, isolate

PAGES = Path(__file__).resolve().parents[2] / "test-output" / "pdf-pages"
OWNERS = ["Head of e-learning", "Quality committee.", "لجنة الجودة (QA-2026)."]


@pytest.fixture
def typeset_assessment(assessment, officer):
    """Submitted, with French punctuation typed by the officer and plan owners in Latin and
    Arabic script. Scores: D1 7/9 = 77.8 %, D2 7/12 = 58.3 %, overall 71.3 %."""
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C2": AnswerInput(value=2, justification="Politique : voir « annexe » ; à revoir ?"),
            "C5": AnswerInput(value=2),
        },
    )
    assessment_submit(assessment=assessment)
    action_plan_generate(assessment=assessment, actor=officer)
    items = list(assessment.actions.order_by("rank"))
    assert len(items) >= len(OWNERS)
    for item, owner in zip(items, OWNERS, strict=False):
        ActionItem.objects.filter(pk=item.pk).update(owner=owner)
    return assessment


def context_for(assessment, language):
    with translation.override(language):
        return build_report_context(
            assessment=assessment,
            audience=Audience.institution(assessment.institution_id),
            language=language,
        )


def html_for(assessment, language) -> str:
    context = context_for(assessment, language)
    with translation.override(language):
        return report_html(context)


def poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def words(pdf: Path, *pages: str) -> list[tuple[str, float, float, float]]:
    """Each word pdftotext finds: its text, left and right edges and top (in points)."""
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        poppler("pdftotext", "-bbox", *pages, str(pdf), "-"),
    )
    return [(text, float(x0), float(x1), float(y0)) for x0, y0, x1, text in found]


def text_nodes(html: str) -> str:
    parts: list[str] = []
    in_text(html, lambda text: parts.append(text) or text)
    return "".join(parts)


@pytest.mark.parametrize("language", ["en", "fr", "ar", "zh-hans"])
def test_every_page_is_drawn_to_png_for_a_person_to_look_at(typeset_assessment, language):
    with translation.override(language):
        pdf = render_pdf(context_for(typeset_assessment, language))
    folder = PAGES / language
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "report.pdf").write_bytes(pdf)
    poppler("pdftoppm", "-png", "-r", "60", str(folder / "report.pdf"), str(folder / "page"))
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(folder / "report.pdf")))[1])
    pngs = sorted(folder.glob("page-*.png"))
    assert pages >= 4
    assert len(pngs) == pages
    assert all(png.stat().st_size > 2000 for png in pngs)  # drawn, not blank
    text = poppler("pdftotext", "-layout", str(folder / "report.pdf"), "-")
    assert text.count("\f") == pages


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("fr", "77,8", "77.8"),
        ("ar", "77,8", "77.8"),
        ("en", "77.8", "77,8"),
        ("zh-hans", "77.8", "77,8"),
    ],
)
def test_chart_numbers_are_written_as_the_tables_write_them(
    typeset_assessment, language, shown, not_shown, tmp_path
):
    html = html_for(typeset_assessment, language)
    charts = "".join(re.findall(r"<svg.*?</svg>", html, re.DOTALL))
    assert f">{shown}</text>" in charts and f">58{shown[2]}3</text>" in charts
    assert f">{not_shown}</text>" not in charts
    with translation.override(language):
        pdf = render_pdf(context_for(typeset_assessment, language))
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = poppler("pdftotext", "-layout", str(path), "-")
    assert shown in text and not_shown not in text  # charts and tables alike


def test_french_gets_its_no_break_spaces(typeset_assessment, tmp_path):
    html = html_for(typeset_assessment, "fr")
    text = text_nodes(html)
    assert f"Politique{NBSP}: voir «{NBSP}annexe{NBSP}»{NNBSP}; à revoir{NNBSP}?" in text
    assert not re.search(r" [:;!?»]|« ", text)  # no breakable space left before a mark
    # translated text too ("Reviewer's comment:" and the like end with " :" in French)
    assert re.search(rf"\w{NBSP}:", text.replace("Politique", ""))
    assert "<style>" in html and " :" in html.split("</style>")[0]  # CSS left alone
    # in the PDF the space before ";" is the narrow one: narrower than a word space
    path = tmp_path / "fr.pdf"
    with translation.override("fr"):
        path.write_bytes(render_pdf(context_for(typeset_assessment, "fr")))
    found = words(path)
    i = next(i for i, w in enumerate(found) if w[0] == "»")
    gap_narrow = found[i + 1][1] - found[i][2]
    assert found[i + 1][0] == ";"
    j = next(j for j, w in enumerate(found) if w[0] == "Politique")
    gap_colon = found[j + 1][1] - found[j][2]
    assert found[j + 1][0] == ":"
    assert 0 < gap_narrow < gap_colon * 0.8
    # and not in English
    assert NBSP + ":" not in text_nodes(html_for(typeset_assessment, "en")).replace("Politique", "")


def test_chinese_uses_the_simplified_chinese_face_and_keeps_columns_readable(
    typeset_assessment, tmp_path
):
    html = html_for(typeset_assessment, "zh-hans")
    families = re.findall(r'<svg[^>]* font-family="([^"]*)"', html)
    assert families and all(f.startswith("Noto Sans CJK SC,") for f in families)
    assert "Noto Naskh Arabic" not in html  # only the faces Chinese needs are named
    path = tmp_path / "zh.pdf"
    with translation.override("zh-hans"):
        path.write_bytes(render_pdf(context_for(typeset_assessment, "zh-hans")))
    fonts = poppler("pdffonts", str(path))
    assert "Noto-Sans-CJK-SC" in fonts and "CJK-JP" not in fonts
    # the action plan's header cells each stay on one line, not one character a line
    with translation.override("zh-hans"):
        headers = [gettext(h) for h in ("Owner", "Due date", "Status", "Priority", "Weight")]
    found = [w[0] for w in words(path)]
    for header in headers:
        assert header in found, header  # one word: on one line


def test_arabic_isolates_latin_text_and_mirrors_the_cover(typeset_assessment, tmp_path):
    html = html_for(typeset_assessment, "ar")
    assert f'<bdi dir="ltr">{LRI}Head of e-learning{PDI}</bdi>' in html
    assert f'<bdi dir="ltr">{LRI}Quality committee.{PDI}</bdi>' in html
    assert f'<bdi dir="rtl">{RLI}لجنة الجودة (QA-2026).{PDI}</bdi>' in html
    assert f"<h1>{isolate('Home University')}</h1>" in html
    path = tmp_path / "ar.pdf"
    with translation.override("ar"):
        path.write_bytes(render_pdf(context_for(typeset_assessment, "ar")))
        cycle_label = gettext("Cycle")
    found = words(path, "-f", "1", "-l", "1")
    # pdftotext gives Arabic words in drawing order
    label = [w for w in found if cycle_label in (w[0], w[0][::-1])]
    value = [w for w in found if w[0] == "2026"]
    assert label and value
    assert label[0][1] > value[0][2]  # the label to the right of its value
    # the owner's full stop stays at the end of its words, not at the other side
    text = poppler("pdftotext", "-layout", str(path), "-")
    assert "Quality committee." in text and ".Quality" not in text
    assert "Head of e-" in text and "-Head" not in text


def test_isolate_escapes_and_takes_the_texts_direction():
    assert isolate("<b>Head</b>") == f'<bdi dir="ltr">{LRI}&lt;b&gt;Head&lt;/b&gt;{PDI}</bdi>'
    assert isolate("لجنة") == f'<bdi dir="rtl">{RLI}لجنة{PDI}</bdi>'
    assert isolate("") == "" and isolate(None) == ""
    # in mixed Arabic and Latin text a hyphenated word is not broken at its hyphen
    assert "e-\u2060learning" in isolate("رئيس قسم e-learning")
    assert "e-learning" in isolate("Head of e-learning")  # one direction: left as typed
    with translation.override("ar"):
        assert isolate("2026").startswith('<bdi dir="rtl">')  # no letter: the page's
