"""The Excel files a dean or reviewer hands on: laid out to be read and printed, checked
in the file (openpyxl) and as LibreOffice Calc prints and re-saves them."""

from __future__ import annotations

import io
import time

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from qa_tool.assessments.models import Response, Status
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.services import benchmark_release_publish
from reports.context import build_report_context
from reports.exporters import EXPORTERS
from reports.workbook import export_workbook, import_workbook
from reports.workbook.layout import normalized

from ..benchmarks.test_peer_groups import add_peer
from ..factories import CycleFactory, import_doc, rubric_doc
from ..spreadsheets import convert, printed_text

# A criterion as long as real ones get, ending in words a cut row would lose.
LONG_CRITERION = (
    "The institution has an approved policy for online and blended teaching that names who "
    "decides on the mode of delivery of each programme, how staff are trained and supported, "
    "how students without reliable connectivity are given equivalent access to learning "
    "materials and assessment, and how the policy is reviewed at least every three years "
    "against evidence from course evaluations and learning analytics, ending with zebracrossing."
)
LONG_JUSTIFICATION = (
    "Senate approved the policy in March; the faculties of science and of arts run the "
    "training, and the library lends laptops and data bundles to students who need them. "
    * 3
    + "The last words are quokkaharbour."
)


def _report(assessment, language="en"):
    with translation.override(language):
        context = build_report_context(
            assessment=assessment,
            audience=Audience.institution(assessment.institution_id),
            language=language,
        )
        return EXPORTERS["xlsx"].render(context)[2]


@pytest.fixture
def long_version(db):
    doc = rubric_doc(slug="long-rubric")
    doc["domains"][0]["criteria"][0]["text"] = {"en": LONG_CRITERION, "ar": LONG_CRITERION}
    doc["domains"][0]["criteria"][0]["guidance"] = {"en": "Look for the approval minutes."}
    doc["domains"].append(
        {
            "code": "D3",
            "title": {"en": "Domain three", "ar": "المجال الثالث"},
            "weight": 1,
            "criteria": [{"code": "C6", "text": "Criterion six"}],
        }
    )
    return import_doc(doc)


@pytest.fixture
def long_report(institution, long_version, cycle, officer):
    """A submitted assessment of the long rubric, with eleven released peers (quartiles are
    shown to institution users from ten up); the peers have no D3 score."""
    assessment, _created = assessment_start(
        institution=institution, rubric_version=long_version, cycle=cycle
    )
    answers = {f"C{i}": AnswerInput(value=v) for i, v in enumerate((3, 2, 1, 1, 2, 3), start=1)}
    answers["C1"] = AnswerInput(value=3, justification=LONG_JUSTIFICATION)
    assessment_save_answers(assessment=assessment, answers=answers)
    from qa_tool.assessments.services import assessment_submit

    assessment_submit(assessment=assessment)
    for score in range(30, 85, 5):
        add_peer(long_version, cycle, overall=score, d1=score - 10, d2=score + 5)
    benchmark_release_publish(rubric_version_id=long_version.pk, cycle_id=cycle.pk, actor=None)
    return assessment


# --- the Excel report -------------------------------------------------------------------------


def test_report_sheets_wrap_size_rows_and_print_one_page_wide(long_report):
    wb = openpyxl.load_workbook(io.BytesIO(_report(long_report)))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_margins.left == 0.5, ws.title
    for name in ("Scores", "Action plan", "Benchmark"):
        assert wb[name].print_title_rows == "$1:$1", name
    scores = wb["Scores"]
    headers = [c.value for c in scores[1]]
    rows = {row[1].value: row for row in scores.iter_rows(min_row=2)}
    criterion = rows["C1"][headers.index("Criterion")]
    assert criterion.value == LONG_CRITERION and criterion.alignment.wrap_text
    # 470 characters in a column 60 wide: eight lines or more, never the default 15 points.
    assert scores.row_dimensions[criterion.row].height >= 8 * 15
    assert scores.row_dimensions[rows["C6"][0].row].height is None  # short rows stay as they are
    score = rows["C1"][headers.index("Score")]
    assert (score.value, score.number_format) == (1.0, "0.0%")
    # Every header fits: its column is at least as wide as its longest word.
    for cell in scores[1]:
        width = scores.column_dimensions[cell.column_letter].width
        assert width >= max(len(w) for w in cell.value.split()) + 2, cell.value
    summary = wb["Summary"]
    facts = {r[0].value: r[1] for r in summary.iter_rows(min_row=2, max_col=2) if r[0].value}
    assert facts["Overall score"].number_format == "0.0%"
    assert facts["Completion"].value == 1.0 and facts["Completion"].number_format == "0.0%"
    bench = wb["Benchmark"]
    medians = [r[3] for r in bench.iter_rows(min_row=3) if isinstance(r[3].value, float)]
    assert medians and all(c.number_format == "0.0%" and c.value <= 1 for c in medians)


def test_report_range_chart_band_and_markers_in_rubric_order(long_report):
    wb = openpyxl.load_workbook(io.BytesIO(_report(long_report)))
    summary = wb["Summary"]
    radar, bars = summary._charts  # three domains: the radar too
    assert len(radar.series) == 1  # D3 has no peer median: a median outline would read 0 there
    assert bars.grouping == "stacked" and bars.type == "col"
    base, band = bars.series
    assert base.graphicalProperties.noFill  # the invisible bar up to the 25th percentile
    assert band.tx.v == "Peers, 25th–75th percentile"
    (marks,) = bars._charts[1:]
    assert [s.tx.v for s in marks.series] == ["Home University", "Peer median"]
    assert marks.series[0].graphicalProperties.line.noFill  # markers, no line
    assert bars.x_axis.tickLblSkip == 1
    assert bars.x_axis.scaling.orientation == "minMax"
    # The chart's categories are the domains, in rubric order, with their figures.
    start = next(r[0].row for r in summary.iter_rows() if r[0].value == "Domain")
    labels = [summary.cell(row=start + i, column=1).value for i in (1, 2, 3)]
    assert labels == ["D1 Domain one", "D2 Domain two", "D3 Domain three"]
    d1 = [summary.cell(row=start + 1, column=c).value for c in range(2, 7)]
    # D1 of the peers: 20, 25, … 70 -> median 45, quartiles 32.5 and 57.5 (band 25).
    assert d1[1:] == [0.45, 0.325, 0.575, 0.25]
    d3 = [summary.cell(row=start + 3, column=c).value for c in range(3, 7)]
    assert d3 == [None, None, None, None]  # no peer figures for D3: no band


def test_report_in_arabic_mirrors_the_chart(long_report):
    wb = openpyxl.load_workbook(io.BytesIO(_report(long_report, "ar")))
    summary = wb.worksheets[0]
    assert summary.sheet_view.rightToLeft
    bars = summary._charts[-1]
    assert len(bars.series) == 2 and len(bars._charts[1].series) == 2
    for chart in bars._charts:
        assert chart.x_axis.scaling.orientation == "maxMin"
        # Crossing at the first category, now the rightmost: "max" would put it on the left.
        assert chart.y_axis.crosses in (None, "autoZero")


def test_withheld_quartiles_leave_no_band(institution, rubric_version, cycle, officer):
    """Two peers: institution users see no quartiles, so the chart has no band at all."""
    assessment, _created = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=cycle
    )
    for score in (40, 90):
        add_peer(rubric_version, cycle, overall=score)
    benchmark_release_publish(rubric_version_id=rubric_version.pk, cycle_id=cycle.pk, actor=None)
    wb = openpyxl.load_workbook(io.BytesIO(_report(assessment)))
    (bars,) = wb["Summary"]._charts
    assert len(bars.series) == 1 and bars.series[0].tx.v == "Home University"
    cells = {c.value for row in wb["Summary"].iter_rows() for c in row}
    assert not {0.4, 0.9} & cells


def test_report_printed_by_libreoffice_shows_whole_texts_headers_and_percent_signs(long_report):
    text = printed_text(_report(long_report))
    for header in ("Criterion", "Justification", "Reviewer's comment", "Self-assessed level"):
        assert header in text, header
    assert "zebracrossing" in text and "quokkaharbour" in text  # the last words, not cut
    assert "100.0%" in text and "Peer 25th percentile" in text


# --- the comparison export --------------------------------------------------------------------


@pytest.fixture
def compared(submitted_home, rubric_version, cycle):
    previous = CycleFactory(name="2025")
    old = add_peer(rubric_version, previous, overall=50, code="PEER-A", name="Peer A")
    add_peer(rubric_version, cycle, overall=62.5, code="PEER-A", name="Peer A")
    add_peer(
        rubric_version,
        cycle,
        overall=85,
        d1=95,
        d2=20,
        code="PEER-B",
        name="Peer B",
        country="EG",
        region="north-africa",
        status=Status.VALIDATED,
    )
    return old


@pytest.fixture
def submitted_home(assessment):
    from qa_tool.assessments.services import assessment_submit

    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=2)})
    assessment_submit(assessment=assessment)
    return assessment


def _export(client, reviewer, language="en", **query):
    client.force_login(reviewer)
    with translation.override(language):
        response = client.get(reverse("reports:compare_xlsx"), query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def test_comparison_export_says_what_it_shows(client, reviewer, compared):
    response = _export(client, reviewer)
    assert response["Content-Disposition"] == (
        'attachment; filename="comparison_test-rubric_v1_cycle-2026.xlsx"'
    )
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    block = {r[0]: r[1] for r in rows[1:12] if r[0]}
    assert block["Cycle"] == "2026" and block["Country"] == "All" and block["Institutions"] == "3"
    header = next(i for i, r in enumerate(rows, start=1) if r[0] == "Code")
    names = rows[header - 1]
    assert names[:7] == [
        "Code",
        "Institution",
        "Country",
        "Region",
        "Status",
        "Overall",
        "Change since 2025 (percentage points)",
    ]
    assert names[7:9] == ["D1 Domain one", "D2 Domain two"]
    by_code = {r[0]: r for r in rows[header:] if r[0]}
    assert by_code["PEER-B"][2:5] == ["Egypt", "North Africa", "Validated"]
    assert by_code["PEER-A"][4] == "Submitted"
    assert by_code["PEER-A"][5] == 0.625 and by_code["PEER-A"][6] == 0.125
    assert by_code["HOME"][6] is None  # not assessed in 2025
    cells = {c.coordinate: c for row in ws.iter_rows(min_row=header + 1) for c in row}
    first, last = header + 1, header + 3
    assert cells[f"F{first}"].number_format == "0.0%"
    assert ws.auto_filter.ref == f"A{header}:I{last}"
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.orientation == "landscape"
    ranges = sorted(str(r.sqref) for r in ws.conditional_formatting)
    assert ranges == [f"F{first}:F{last}", f"H{first}:I{last}"]
    rules = next(iter(ws.conditional_formatting)).rules
    # The page's heat classes: six colours, from below 30 % to 80 % and above.
    assert len(rules) == 6
    assert rules[0].formula == [f"AND(ISNUMBER(F{first}),F{first}<0.3)"]
    assert rules[-1].formula == [f"AND(ISNUMBER(F{first}),F{first}>=0.8)"]
    assert rules[-1].dxf.fill.fgColor.rgb.endswith("BFE3C3")


def test_comparison_export_records_the_filters_and_translates_names(client, reviewer, compared):
    response = _export(client, reviewer, "fr", country="EG")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["Pays", "Égypte"] in [r[:2] for r in rows[:12]]
    peer_b = next(r for r in rows if r[0] == "PEER-B")
    assert peer_b[2] == "Égypte" and peer_b[4] == "Validée"
    assert not any(r[0] in ("PEER-A", "HOME") for r in rows)


def test_comparison_export_printed_by_libreoffice(client, reviewer, compared):
    text = printed_text(_export(client, reviewer).content)
    for expected in ("Change since 2025", "D1 Domain one", "Peer B", "Egypt", "Validated"):
        assert expected in text, expected
    assert "62.5%" in text and "+12.5%" in text


def test_comparison_export_stays_streamed_for_hundreds_of_rows(client, reviewer, compared):
    from qa_tool.benchmarks.peers import Peer, comparison_extras
    from reports.xlsx import ComparisonSheet, render_comparison_xlsx

    peers = [
        Peer(i, i, i, f"P{i}", f"University {i}", "KE", "east-africa", "public", "medium", "", 50)
        for i in range(400)
    ]
    sheet = ComparisonSheet(
        title="t",
        filters=[("Cycle", "2026")],
        domains=[("D1", "Domain one")],
        peers=peers,
        country_names={},
        region_names={},
        extras=comparison_extras(rubric_version=compared.rubric_version, cycle=compared.cycle),
        status_names={},
    )
    started = time.perf_counter()
    data = render_comparison_xlsx(sheet)
    assert time.perf_counter() - started < 5
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.auto_filter.ref == "A4:H404"  # title, one filter, an empty row, the header


# --- the offline workbook ---------------------------------------------------------------------


def _sheet(wb, key):
    facts = {r[0]: r[1] for r in wb["Identity"].iter_rows(max_col=2, values_only=True)}
    return wb[facts[f"sheet_{key}"]]


def _answers(assessment):
    return {
        r.criterion.code: (r.value, r.is_na, r.justification, r.evidence_links, r.revision)
        for r in Response.objects.filter(assessment=assessment).select_related("criterion")
    }


@pytest.fixture
def long_draft(institution, long_version, cycle):
    assessment, _created = assessment_start(
        institution=institution, rubric_version=long_version, cycle=cycle
    )
    assessment_save_answers(
        assessment=assessment,
        answers={"C1": AnswerInput(value=3, justification=LONG_JUSTIFICATION)},
    )
    return assessment


def test_workbook_instructions_rows_and_print_setup(long_draft):
    wb = openpyxl.load_workbook(io.BytesIO(export_workbook(assessment=long_draft, language="en")))
    assert wb.sheetnames[0] == "Instructions" and wb.active.title == "Instructions"
    instructions = "\n".join(c.value or "" for c in wb["Instructions"]["A"])
    assert "Answers" in instructions and "Level 0, Level 1, Level 2, Level 3" in instructions
    answers = _sheet(wb, "answers")
    assert answers["C2"].value == LONG_CRITERION and answers["C2"].alignment.wrap_text
    # Guidance and four level descriptors (5 paragraphs) and a long criterion: tall rows.
    assert answers.row_dimensions[2].height >= 8 * 15
    assert answers.print_title_rows == "$1:$1" and answers.page_setup.fitToWidth == 1


def test_workbook_sheet_names_follow_the_language_and_reading_finds_them(long_draft, officer):
    wb = openpyxl.load_workbook(io.BytesIO(export_workbook(assessment=long_draft, language="fr")))
    assert "Niveaux" in wb.sheetnames and "Levels" not in wb.sheetnames
    _sheet(wb, "answers")["E3"] = "Level 1 (fr)"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert import_workbook(data=buffer.getvalue(), user=officer) == 1


def test_level_labels_match_without_arabic_vowel_marks_tatweel_or_case():
    assert normalized("متقدّم") == normalized("متقدم") == normalized("متـقـدم")
    assert normalized("ＬＥＶＥＬ  2") == normalized("level 2")  # full-width, spaces, case
    assert normalized("متقدم") != normalized("مبتدئ")


def test_arabic_level_typed_without_its_shadda_is_accepted(institution, cycle, officer):
    doc = rubric_doc(slug="arabic-levels")
    doc["scale"][3]["label"] = {"en": "Advanced", "ar": "متقدّم"}
    version = import_doc(doc)
    assessment, _created = assessment_start(
        institution=institution, rubric_version=version, cycle=cycle
    )
    wb = openpyxl.load_workbook(io.BytesIO(export_workbook(assessment=assessment, language="ar")))
    _sheet(wb, "answers")["E2"] = "متقـدم"  # no shadda, one tatweel
    buffer = io.BytesIO()
    wb.save(buffer)
    assert import_workbook(data=buffer.getvalue(), user=officer) == 1
    assert Response.objects.get(assessment=assessment, criterion__code="C1").value == 3


def test_import_problems_are_in_the_workbooks_language(assessment, officer):
    wb = openpyxl.load_workbook(io.BytesIO(export_workbook(assessment=assessment, language="fr")))
    _sheet(wb, "answers")["E6"] = "Excellent"
    buffer = io.BytesIO()
    wb.save(buffer)
    from reports.workbook import WorkbookError

    with translation.override("en"), pytest.raises(WorkbookError) as caught:
        import_workbook(data=buffer.getvalue(), user=officer)
    with translation.override("fr"):
        from django.utils.translation import gettext

        expected = gettext('"%(value)s" is not a level of this rubric.') % {"value": "Excellent"}
    assert expected != '"Excellent" is not a level of this rubric.'
    assert str(caught.value.problems[0]).endswith(expected)


def test_workbook_printed_and_resaved_by_libreoffice_imports_back(long_draft, officer):
    data = export_workbook(assessment=long_draft, language="en")
    text = printed_text(data)
    assert "zebracrossing" in text and "quokkaharbour" in text  # criterion and answer whole
    assert "C1 at 3" in text and "Look for the approval minutes." in text
    assert "How to fill it in" in text

    before = _answers(long_draft)
    resaved = convert(data, to="xlsx")
    assert import_workbook(data=resaved, user=officer) == 0  # nothing changed
    assert _answers(long_draft) == before

    wb = openpyxl.load_workbook(io.BytesIO(data))
    _sheet(wb, "answers")["E3"] = "Level 2"
    _sheet(wb, "answers")["F3"] = "Two faculties of three."
    buffer = io.BytesIO()
    wb.save(buffer)
    assert import_workbook(data=convert(buffer.getvalue(), to="xlsx"), user=officer) == 1
    c2 = Response.objects.get(assessment=long_draft, criterion__code="C2")
    assert (c2.value, c2.justification) == (2, "Two faculties of three.")
    assert _answers(long_draft)["C1"] == before["C1"]


# --- every workbook -----------------------------------------------------------------------------


def test_rubric_workbooks_share_the_layout(long_version):
    from rubrics.spreadsheet import rubric_workbook

    data = rubric_workbook(long_version.content, language="ar")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    guide = wb.worksheets[0]
    assert guide.sheet_view.rightToLeft
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    criteria = next(ws for ws in wb.worksheets[1:] if LONG_CRITERION in _texts(ws))
    assert criteria.print_title_rows == "$1:$1"
    row = next(c.row for r in criteria.iter_rows() for c in r if c.value == LONG_CRITERION)
    assert criteria.row_dimensions[row].height >= 4 * 15
    assert "zebracrossing" in printed_text(data)


def _texts(ws) -> set:
    return {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_comparison_export_queries_do_not_grow_with_institutions(
    client, reviewer, compared, rubric_version, cycle
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    url = reverse("reports:compare_xlsx")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for score in range(20, 80, 5):
        add_peer(rubric_version, cycle, overall=score)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sum(1 for row in ws.iter_rows(values_only=True) if row[4] == "Submitted") == 14
    assert len(many) == len(few)
