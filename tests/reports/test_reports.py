"""Reports: PDF in four languages, Excel, JSON, the comparison export; contents and permissions."""

import io
import json
import logging
import shutil
import subprocess
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_submit
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.services import benchmark_release_publish
from reports import pdf as pdf_module
from reports.context import build_report_context
from reports.exporters import EXPORTERS
from reports.pdf import StaticOnlyFetcher

from ..benchmarks.test_peer_groups import add_peer

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils is not installed (make test installs it)"
)


@pytest.fixture
def submitted(assessment, officer):
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C4": AnswerInput(value=1, justification='=HYPERLINK("http://evil.example")'),
            "C5": AnswerInput(value=2, justification="<img src='http://evil.example/x.png'> plain"),
        },
    )
    assessment_submit(assessment=assessment)
    action_plan_generate(assessment=assessment, actor=officer)
    return assessment


@pytest.fixture
def peers(submitted, rubric_version, cycle):
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    # Institution users read published releases only.
    benchmark_release_publish(rubric_version_id=rubric_version.pk, cycle_id=cycle.pk, actor=None)


def render(assessment, fmt, language="en", audience=None):
    audience = audience or Audience.institution(assessment.institution_id)
    with translation.override(language):
        context = build_report_context(assessment=assessment, audience=audience, language=language)
    filename, content_type, content = EXPORTERS[fmt].render(context)
    assert filename.endswith(f"-{language}.{fmt}") and content_type == EXPORTERS[fmt].content_type
    return content


def pdf_text(content: bytes, tmp_path, name="r.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def page_count(text: str) -> int:
    return text.count("\f")


@needs_poppler
def test_english_pdf_has_every_section(submitted, peers, tmp_path):
    text = pdf_text(render(submitted, "pdf"), tmp_path)
    for expected in (
        "Quality improvement report",
        "Home University",
        "Executive summary",
        "71.3 %",  # overall: C1=3, C2=2, C3 N/A, C4=1, C5=2
        "Strengths",
        "Priorities",
        "Domain scores",
        "Peer benchmark",
        "Action plan",
        "Refine C2",  # the rubric's recommendation for C2 at level 2
        "Appendix",
        "Strong <b>policy</b>",  # user text shown as text
        "=HYPERLINK",
    ):
        assert expected in text, expected
    pages = page_count(text)
    assert pages >= 4
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Names and single scores of other institutions are never shown" in text
    assert "Test University" not in text  # peers stay anonymous for the dean's report
    # Five peers (40, 55, 60, 70, 90): n and mean only; no maximum, median or quartiles.
    assert "63.0 %" in text and "Minimum and" in text
    for single in ("90.0 %", "55.0 %", "70.0 %"):
        assert single not in text, single


@needs_poppler
@pytest.mark.parametrize(
    ("language", "expected", "font"),
    [
        ("fr", "Domain one (fr)", "Noto-Sans"),
        ("ar", "Domain one (ar)", "Noto-Naskh-Arabic"),
        ("zh-hans", "Domain one (zh)", "Noto-Sans-CJK-SC"),
    ],
)
def test_pdf_in_each_language_uses_its_fonts(submitted, tmp_path, language, expected, font):
    content = render(submitted, "pdf", language)
    text = pdf_text(content, tmp_path)
    assert expected in text
    assert font in pdf_fonts(content, tmp_path)


@needs_poppler
def test_arabic_pdf_is_right_to_left(submitted):
    from django.template.loader import render_to_string

    with translation.override("ar"):
        context = build_report_context(
            assessment=submitted, audience=Audience.centre(), language="ar"
        )
        html = render_to_string(
            "reports/report_pdf.html",
            {
                "report": context,
                "charts": {},
                "rtl": True,
                "html_lang": "ar",
                "fonts": "",
                "page_footer": '""',
            },
        )
    assert '<html lang="ar" dir="rtl">' in html


def test_missing_font_logs_a_warning_and_still_renders(submitted, monkeypatch, caplog):
    monkeypatch.setattr(pdf_module, "installed_families", lambda: frozenset())
    with caplog.at_level(logging.WARNING, logger="reports.pdf"):
        content = render(submitted, "pdf", "zh-hans")
    assert content.startswith(b"%PDF")
    assert "Noto Sans CJK SC" in caplog.text and "is installed" in caplog.text


def test_fetcher_serves_only_static_files_and_data_urls():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch("qa-static:/qa_tool/site.css")
    assert b"logical properties" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in (
        "http://example.org/x.png",
        "https://example.org/",
        "file:///etc/passwd",
        "qa-static:/../../settings.py",
        "ftp://x/y",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_excel_report_contents_and_formula_defence(submitted, peers):
    workbook = openpyxl.load_workbook(io.BytesIO(render(submitted, "xlsx")))
    assert workbook.sheetnames == ["Summary", "Scores", "Action plan", "Benchmark"]
    summary = workbook["Summary"]
    values = {
        row[0].value: row[1].value
        for row in summary.iter_rows(min_row=2, max_col=2)
        if row[0].value
    }
    assert (
        values["Overall score"] == 0.713
        and values["Band"] == "Middle"
        and values["Institution"] == "Home University"
    )
    assert len(summary._charts) == 1  # two domains: no radar (as in the PDF), the peer range
    scores = workbook["Scores"]
    assert scores.freeze_panes == "A2" and scores.auto_filter.ref.startswith("A1:")
    rows = {row[1].value: row for row in scores.iter_rows(min_row=2)}
    assert rows["C1"][5].value == 1.0 and rows["C1"][5].number_format == "0.0%"
    risky = rows["C4"][8]
    assert (
        risky.value == '=HYPERLINK("http://evil.example")'
        and risky.data_type == "s"
        and risky.quotePrefix
    )
    plan = workbook["Action plan"]
    assert [c.value for c in plan[1]][:3] == ["Priority", "Tier", "Code"]
    assert plan.max_row >= 3
    bench = workbook["Benchmark"]
    assert any(row[1].value == 5 for row in bench.iter_rows(min_row=2))


def test_excel_report_in_arabic_is_right_to_left(submitted):
    workbook = openpyxl.load_workbook(io.BytesIO(render(submitted, "xlsx", "ar")))
    assert workbook.worksheets[0].sheet_view.rightToLeft


def test_json_report(client, dean, submitted, peers):
    client.force_login(dean)
    response = client.get(reverse("reports:report", args=[submitted.pk, "json"]))
    body = response.json()
    assert body["overall"]["score"] == 71.3 and body["institution"] == "HOME"
    assert body["criteria"][2] == {
        "code": "C3",
        "value": None,
        "na": True,
        "score": None,
        "self_value": "na",
        "reviewed_value": None,
        "reviewer_comment": "",
    }
    groups = {g["group"]: g for g in body["benchmark"]["groups"]}
    assert groups["all"]["shown"] and groups["all"]["overall"]["n"] == 5
    assert "institutions" not in groups["all"]  # anonymous for the dean
    assert body["action_plan"][0]["rank"] == 1


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "json"])
def test_downloads_are_scoped(client, outsider, dean, reviewer, submitted, fmt):
    url = reverse("reports:report", args=[submitted.pk, fmt])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    for persona in (dean, reviewer):
        client.force_login(persona)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == EXPORTERS[fmt].content_type


def test_unknown_format_is_404(client, dean, submitted):
    client.force_login(dean)
    assert client.get(reverse("reports:report", args=[submitted.pk, "docx"])).status_code == 404


def test_results_page_offers_the_downloads(client, dean, submitted):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[submitted.pk])).content.decode()
    for fmt in ("pdf", "xlsx", "json"):
        assert reverse("reports:report", args=[submitted.pk, fmt]) in page


def test_comparison_export(client, reviewer, officer, submitted, peers):
    client.force_login(officer)
    assert client.get(reverse("reports:compare_xlsx")).status_code == 403
    client.force_login(reviewer)
    response = client.get(reverse("reports:compare_xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Code")
    assert rows[header][:6] == ("Code", "Institution", "Country", "Region", "Status", "Overall")
    names = [r[1] for r in rows[header + 1 : header + 7]]
    assert "Home University" in names
    assert any(r[1] == "Median" for r in rows)
    assert len(sheet._charts) == 1


@needs_poppler
@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "json"])
def test_export_report_command(submitted, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    call_command(
        "export_report",
        str(submitted.pk),
        "--format",
        fmt,
        "--lang",
        "fr",
        "-o",
        str(path),
        stdout=StringIO(),
    )
    data = path.read_bytes()
    if fmt == "pdf":
        assert "Domain one (fr)" in pdf_text(data, tmp_path)
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]["A2"].value
    else:
        assert json.loads(data)["cycle"] == "2026"


def test_json_report_is_a_download(client, dean, submitted):
    client.force_login(dean)
    response = client.get(reverse("reports:report", args=[submitted.pk, "json"]))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="home-test-rubric-2026-en.json"'


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "json"])
def test_exporters_return_one_shape_in_the_contexts_language(submitted, dean, fmt):
    with translation.override("fr"):
        context = build_report_context(
            assessment=submitted, audience=Audience.of(dean), language="fr"
        )
    with translation.override("en"):  # the thread's language is not the report's
        filename, content_type, content = EXPORTERS[fmt].render(context)
    assert filename == f"home-test-rubric-2026-fr.{fmt}"
    assert content_type == EXPORTERS[fmt].content_type and isinstance(content, bytes)
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames[0] == "Synthèse"
    elif fmt == "json":
        assert json.loads(content.decode("utf-8"))["cycle"] == "2026"
