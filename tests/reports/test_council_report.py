"""The report a dean hands to the council: the one-page summary after the cover, the
compact action plan by domain, the appendix by domain, the peer group chosen for the
download, and the same summary figures in the JSON report.

Hand-computed scores (test rubric: D1 weight 2 = C1 w1, C2 w2 critical, C3 w1 N/A
allowed; D2 weight 1 = C4 w1, C5 w3; scale 0..3; domains aggregate; pass at 60 with
critical C2 >= 2):

* 2025: C1=2, C2=1, C3=1, C4=1, C5=1. D1 = (2/3 + 2*1/3 + 1/3)/4 = 5/12 = 41.7 %;
  D2 = (1/3 + 3*1/3)/4 = 1/3 = 33.3 %; overall = (2*5/12 + 1/3)/3 = 7/18 = 38.9 %.
* 2026: C1=3, C2=2, C3=N/A, C4=1, C5=2. D1 = (1 + 2*2/3)/3 = 7/9 = 77.8 %;
  D2 = (1/3 + 3*2/3)/4 = 7/12 = 58.3 %; overall = (2*7/9 + 7/12)/3 = 77/108 = 71.3 %.
  Changes: overall +32.4 (77/108 - 42/108 = 35/108), D1 +36.1 (13/36), D2 +25.0.
* Gains in 2026 (criterion raised to 3): C2 -> D1 = 1, overall 93/108, gain 16/108 =
  14.8; C5 -> D2 = 5/6, overall 86/108, gain 9/108 = 8.3; C4 -> D2 = 3/4, overall
  83/108, gain 6/108 = 5.6. Plan order: C2 (critical, tier 2), C5, C4.
"""

import copy
import datetime
import json
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from qa_tool.actions.models import ActionItem
from qa_tool.actions.services import action_plan_generate
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    assessment_start,
    assessment_submit,
    assessment_validate,
)
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.services import benchmark_release_publish
from reports.context import build_report_context
from reports.exporters import EXPORTERS
from tests.factories import CycleFactory, import_doc, rubric_doc

from ..benchmarks.test_peer_groups import add_peer

SUMMARY_HEADINGS = (
    "Council summary",
    "Top three actions",
    "Actions by status",
    "Since the last cycle",
    "Last cycle's actions",
)


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    """The PDF's text, one string per page (pdftotext ends each page with a form feed)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def table_rows(text: str) -> dict[str, str]:
    """Table rows of pdftotext's layout by their first word, a wrapped cell's further lines
    (indented past the first column) joined to their row."""
    rows: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) <= 2:
            key = line.split()[0]
            rows[key] = " ".join(line.split())
        elif key is not None:
            rows[key] += " " + " ".join(line.split())
    return rows


def render(assessment, fmt, *, audience=None, language="en", group=None):
    audience = audience or Audience.institution(assessment.institution_id)
    with translation.override(language):
        context = build_report_context(
            assessment=assessment, audience=audience, language=language, group=group
        )
    return EXPORTERS[fmt].render(context)[2]


def answer(assessment, values):
    assessment_save_answers(
        assessment=assessment,
        answers={
            code: AnswerInput(na=True) if value == "na" else AnswerInput(value=value)
            for code, value in values.items()
        },
    )


@pytest.fixture
def last_cycle(institution, rubric_version, officer):
    """2025: submitted, with a plan of five actions, two of them done."""
    previous, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=CycleFactory(name="2025")
    )
    answer(previous, {"C1": 2, "C2": 1, "C3": 1, "C4": 1, "C5": 1})
    assessment_submit(assessment=previous)
    action_plan_generate(assessment=previous, actor=officer)
    statuses = {"C1": "done", "C2": "done", "C3": "dropped", "C4": "in_progress"}
    for code, status in statuses.items():
        ActionItem.objects.filter(assessment=previous, criterion__code=code).update(status=status)
    ActionItem.objects.filter(assessment=previous, criterion__code="C4").update(
        owner="Library team", text="Train the library staff"
    )
    return previous


@pytest.fixture
def this_cycle(assessment, officer, last_cycle):
    """2026 (the ``assessment`` fixture, C5=2 added), submitted, its plan of three."""
    answer(assessment, {"C5": 2})
    assessment_submit(assessment=assessment)
    action_plan_generate(assessment=assessment, actor=officer)
    ActionItem.objects.filter(assessment=assessment, criterion__code="C2").update(
        owner="Dean of studies", due_date=datetime.date(2026, 6, 30), status="in_progress"
    )
    ActionItem.objects.filter(assessment=assessment, criterion__code="C4").update(
        due_date=datetime.date(2026, 9, 1)
    )
    return assessment


# --- 1. the council summary -------------------------------------------------------------------


def test_council_summary_is_the_second_page_and_fits_on_it(this_cycle, reviewer, tmp_path):
    assessment_validate(assessment=this_cycle, actor=reviewer)
    reviewer.first_name, reviewer.last_name = "Rita", "Reviewer"
    reviewer.save()
    pages = pdf_pages(render(this_cycle, "pdf"), tmp_path)
    summary = pages[1]
    for heading in SUMMARY_HEADINGS:
        assert heading in summary, heading
        assert all(heading not in page for page in (pages[0], pages[2])), heading
    assert "71.3 %" in summary and "Middle" in summary and "Passed" in summary
    assert "Validated by Rita Reviewer on" in summary
    # The top three in plan order, with owner, due date, status and gain.
    lines = [line for line in summary.splitlines() if line.strip().startswith(("C2", "C5", "C4"))]
    top = [line.split()[0] for line in lines[:3]]
    assert top == ["C2", "C5", "C4"]
    c2, c5, c4 = lines[:3]
    assert "Dean of studies" in c2 and "06/30/2026" in c2 and "In progress" in c2
    assert "+14.8 %" in c2
    assert "— no owner" in c5 and "— no due date" in c5 and "+8.3 %" in c5
    assert "— no owner" in c4 and "09/01/2026" in c4 and "+5.6 %" in c4
    assert "Planned: 2 · In progress: 1 · Done: 0 · Dropped: 0" in summary
    assert "Open actions without an owner: 2; without a due date: 1." in summary
    # Since the last cycle: overall and each domain, last cycle, this cycle, change.
    rows = {line.split()[0]: line.split() for line in summary.splitlines() if line.strip()}
    assert rows["Overall"][-6:] == ["38.9", "%", "71.3", "%", "+32.4", "%"]
    assert rows["D1"][-6:] == ["41.7", "%", "77.8", "%", "+36.1", "%"]
    assert rows["D2"][-6:] == ["33.3", "%", "58.3", "%", "+25.0", "%"]
    assert "Last cycle (2025)" in summary and "This cycle (2026)" in summary
    # Last cycle's plan: five actions, two done; the three others listed.
    assert "5 actions in cycle 2025:" in summary
    assert "Planned: 1 · In progress: 1 · Done: 2 · Dropped: 1" in summary
    assert "C4 Train the library staff — In progress · Library team" in summary
    assert "C3" in summary.split("Not done:")[1] and "C5" in summary.split("Not done:")[1]
    assert "C1 " not in summary.split("Not done:")[1]
    # The plan: one line per action under its domain; the critical one says so.
    plan = "\n".join(pages[2:])
    plan = plan[plan.index("By domain") : plan.index("Appendix: every criterion")]
    found = table_rows(plan)
    assert found["C2"].startswith("C2 Refine C2 Dean of") and "studies" in found["C2"]
    assert "06/30/2026 In progress #1 Critical" in found["C2"]
    assert found["C5"] == "C5 Criterion five — no owner — no due date Planned #2"
    assert found["C4"].startswith("C4 Criterion four — no owner 09/01/2026 Planned #3")
    assert plan.index("D1 Domain one") < plan.index("C2 ") < plan.index("D2 Domain two")
    # The trend chart: 2025 was submitted, never validated; each point labelled.
    chart_page = next(page for page in pages if "Overall score across cycles" in page)
    assert "not validated" in chart_page and "38.9" in chart_page


def test_council_summary_of_a_first_cycle_without_plan(assessment, tmp_path):
    answer(assessment, {"C5": 2})
    assessment_submit(assessment=assessment)
    summary = pdf_pages(render(assessment, "pdf"), tmp_path)[1]
    for heading in SUMMARY_HEADINGS:
        assert heading in summary, heading
    assert "Not validated yet (status: Submitted)" in summary
    assert "No action plan has been drawn up yet" in summary
    assert "No assessment of this rubric in an earlier cycle." in summary
    # The proposed priorities with their gains stand in for the plan's top three.
    assert "+14.8 %" in summary and "+8.3 %" in summary and "+5.6 %" in summary


def test_last_cycle_never_submitted_has_no_scores_to_compare(
    assessment, institution, rubric_version, tmp_path
):
    draft, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=CycleFactory(name="2025")
    )
    answer(draft, {"C1": 1})
    summary = pdf_pages(render(assessment, "pdf"), tmp_path)[1]
    assert "The assessment of cycle 2025 was never submitted" in summary
    assert "No action plan was drawn up in cycle 2025." in summary


def test_json_report_carries_the_council_summary(this_cycle, reviewer):
    assessment_validate(assessment=this_cycle, actor=reviewer)
    body = json.loads(render(this_cycle, "json"))
    summary = body["council_summary"]
    assert summary["score"] == 71.3 and summary["band"] == "Middle" and summary["passed"]
    assert summary["validated_by"] == reviewer.username and summary["validated_at"]
    assert [
        (a["criterion"], a["owner"], a["due_date"], a["status"], a["gain"])
        for a in summary["top_actions"]
    ] == [
        ("C2", "Dean of studies", "2026-06-30", "in_progress", 14.8),
        ("C5", None, None, "planned", 8.3),
        ("C4", None, "2026-09-01", "planned", 5.6),
    ]
    assert summary["actions_by_status"] == {
        "planned": 2,
        "in_progress": 1,
        "done": 0,
        "dropped": 0,
    }
    assert summary["actions_without_owner"] == 2 and summary["actions_without_due_date"] == 1
    assert summary["previous_cycle"] == "2025"
    assert summary["overall_change"] == {
        "domain": None,
        "last_cycle": 38.9,
        "this_cycle": 71.3,
        "change": 32.4,
        "redefined": False,
    }
    assert [
        (d["domain"], d["last_cycle"], d["this_cycle"], d["change"])
        for d in summary["domain_changes"]
    ] == [("D1", 41.7, 77.8, 36.1), ("D2", 33.3, 58.3, 25.0)]
    previous = summary["previous_actions"]
    assert previous["cycle"] == "2025" and previous["total"] == 5
    assert previous["by_status"] == {"planned": 1, "in_progress": 1, "done": 2, "dropped": 1}
    assert sorted((a["criterion"], a["status"], a["owner"]) for a in previous["not_done"]) == [
        ("C3", "dropped", None),
        ("C4", "in_progress", "Library team"),
        ("C5", "planned", None),
    ]


def test_done_actions_leave_the_top_three(this_cycle):
    ActionItem.objects.filter(assessment=this_cycle, criterion__code="C2").update(status="done")
    summary = json.loads(render(this_cycle, "json"))["council_summary"]
    assert [a["criterion"] for a in summary["top_actions"]] == ["C5", "C4"]
    assert summary["actions_by_status"]["done"] == 1


# --- 2. the compact action plan ---------------------------------------------------------------


def big_doc(domains=4):
    """``domains`` domains of eight criteria, with long recommendations."""
    doc = rubric_doc(slug="council-rubric")
    doc["domains"] = [
        {
            "code": f"D{d}",
            "title": f"Domain number {d}",
            "criteria": [
                {
                    "code": f"D{d}C{c}",
                    "text": f"Criterion {c} of domain {d}, about online teaching",
                    "recommendations": {
                        level: f"Agree with the faculty on a written practice for item {c} "
                        f"of domain {d} and review it each term"
                        for level in (0, 1, 2)
                    },
                }
                for c in range(1, 9)
            ],
        }
        for d in range(1, domains + 1)
    ]
    doc.pop("pass")
    return copy.deepcopy(doc)


def test_a_plan_of_28_actions_takes_at_most_three_pages(institution, officer, cycle, tmp_path):
    version = import_doc(big_doc())
    big, _ = assessment_start(institution=institution, rubric_version=version, cycle=cycle)
    values = {f"D{d}C{c}": (3 if c == 8 else c % 3) for d in range(1, 5) for c in range(1, 9)}
    answer(big, values)
    assessment_submit(assessment=big)
    action_plan_generate(assessment=big, actor=officer)
    assert ActionItem.objects.filter(assessment=big).count() == 28
    ActionItem.objects.filter(assessment=big, criterion__code__endswith="C1").update(
        owner="Quality office", due_date=datetime.date(2027, 1, 15)
    )
    pages = pdf_pages(render(big, "pdf"), tmp_path)
    start = next(i for i, p in enumerate(pages) if "Action plan" in p and "By domain" in p)
    end = next(i for i, p in enumerate(pages) if "Appendix: every criterion" in p)
    assert end - start <= 3, f"the plan runs over {end - start} pages"
    plan = "\n".join(pages[start : end + 1])
    plan = plan[plan.index("By domain") : plan.index("Appendix: every criterion")]
    # Grouped by domain, in rubric order; every action present once.
    headings = [plan.index(f"D{d} Domain number {d}") for d in range(1, 5)]
    assert headings == sorted(headings)
    for code in values:
        if values[code] < 3:
            assert plan.count(f"{code} ") >= 1, code
    # Missing owners and due dates are marked in words; the four owned ones are not.
    assert plan.count("— no owner") == 24 and plan.count("— no due date") == 24
    assert plan.count("Quality office") == 4


def test_the_summary_of_a_large_plan_still_fits_on_one_page(institution, officer, cycle, tmp_path):
    """Eight domains, a last cycle whose 64 actions are all still open, long owners."""
    version = import_doc(big_doc(domains=8))
    codes = [f"D{d}C{c}" for d in range(1, 9) for c in range(1, 9)]
    previous, _ = assessment_start(
        institution=institution, rubric_version=version, cycle=CycleFactory(name="2025")
    )
    answer(previous, {code: 0 if code.endswith(("C7", "C8")) else 1 for code in codes})
    assessment_submit(assessment=previous)
    action_plan_generate(assessment=previous, actor=officer)
    current, _ = assessment_start(institution=institution, rubric_version=version, cycle=cycle)
    answer(current, {code: 2 for code in codes})
    assessment_submit(assessment=current)
    action_plan_generate(assessment=current, actor=officer)
    ActionItem.objects.filter(assessment=current).update(
        owner="Deputy vice-chancellor for teaching, learning and the student experience"
    )
    pages = pdf_pages(render(current, "pdf"), tmp_path)
    for heading in SUMMARY_HEADINGS:
        assert heading in pages[1], heading
    assert "64 actions in cycle 2025:" in pages[1]
    assert "and 58 more" in pages[1]  # six of the 64 open ones listed
    assert "Planned: 64 · In progress: 0 · Done: 0 · Dropped: 0" in pages[1]
    assert "D8 Domain number 8" in pages[1]
    assert "Executive summary" not in pages[1]


# --- 3. the appendix --------------------------------------------------------------------------


def test_appendix_groups_criteria_by_domain_with_levels_side_by_side(
    this_cycle, reviewer, tmp_path
):
    assessment_save_review(
        assessment=this_cycle,
        reviews={"C4": ReviewInput(value=2, comment="Evidence shows more")},
        actor=reviewer,
    )
    pages = pdf_pages(render(this_cycle, "pdf"), tmp_path)
    first = next(i for i, p in enumerate(pages) if "Appendix: every criterion" in p)
    appendix = "\n".join(pages[first:])
    appendix = appendix[appendix.index("Appendix: every criterion") :]
    d1, d2 = appendix.index("D1 Domain one"), appendix.index("D2 Domain two")
    assert d1 < appendix.index("C1 Criterion one") < d2 < appendix.index("C4 Criterion four")
    c4_line = next(line for line in appendix.splitlines() if "C4 Criterion four" in line)
    # Self-assessed, reviewer's level and comment on the criterion's line ...
    assert c4_line.index("Level 1") < c4_line.index("Level 2") < c4_line.index("Evidence shows")
    # ... and the justification below it.
    after_c1 = appendix[appendix.index("C1 Criterion one") :].splitlines()
    assert "Justification: Strong <b>policy</b>" in " ".join(after_c1[1:4])


# --- 4. the peer group is a choice ------------------------------------------------------------


@pytest.fixture
def peers(this_cycle, rubric_version, cycle):
    # Five peers in Kenya (the home country), five in Uganda, all in East Africa.
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    for score in (30, 35, 45, 50, 65):
        add_peer(rubric_version, cycle, overall=score, country="UG")
    benchmark_release_publish(rubric_version_id=rubric_version.pk, cycle_id=cycle.pk, actor=None)


def test_results_page_offers_the_groups_the_viewer_may_see(client, dean, this_cycle, peers):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[this_cycle.pk])).content.decode()
    form = page[page.index('id="report-download"') :]
    form = form[: form.index("</form>")]
    assert 'method="get"' in form and 'name="group"' in form
    assert '<option value="all" selected>All institutions</option>' in form
    assert '<option value="country">Same country</option>' in form
    # "Most similar" is withheld from the dean (8 of the 10 peers: the 2 others could be
    # worked out from "all"): not offered.
    assert 'value="similar"' not in form
    for fmt in ("pdf", "xlsx", "json"):
        assert f'formaction="{reverse("reports:report", args=[this_cycle.pk, fmt])}"' in form


def test_download_with_a_chosen_group(client, dean, this_cycle, peers):
    client.force_login(dean)
    url = reverse("reports:report", args=[this_cycle.pk, "json"])
    body = client.get(url, {"group": "country"}).json()
    assert body["benchmark"]["selected"] == "country"
    # Without a choice: all institutions.
    assert client.get(url).json()["benchmark"]["selected"] == "all"
    # The five Kenyan peers (40, 55, 60, 70, 90): n 5, mean 63.0; all ten: mean 54.0.
    groups = {g["group"]: g for g in body["benchmark"]["groups"]}
    assert groups["country"]["overall"]["n"] == 5 and groups["country"]["overall"]["mean"] == 63.0
    assert groups["all"]["overall"]["mean"] == 54.0


def test_a_group_not_allowed_is_refused_with_a_form_error(client, dean, this_cycle, peers):
    client.force_login(dean)
    for fmt in ("pdf", "xlsx", "json"):
        url = reverse("reports:report", args=[this_cycle.pk, fmt])
        for group in ("similar", "nonsense", "x" * 5000):
            response = client.get(url, {"group": group})
            assert response.status_code == 400
            assert response["Content-Type"].startswith("text/html")
            text = response.content.decode()
            form = text[text.index('id="report-download"') :]
            assert "This peer group is not available to you. Choose one of: all (All" in form
            assert "x" * 100 not in form[: form.index("</form>")]  # the refusal echoes nothing


def test_a_long_pdf_with_a_refused_group_is_not_queued(client, dean, this_cycle, peers, settings):
    from reports.models import ExportJob

    settings.QA_INLINE_PDF_MAX_CRITERIA = 1  # every PDF goes to the background worker
    client.force_login(dean)
    url = reverse("reports:report", args=[this_cycle.pk, "pdf"])
    response = client.get(url, {"group": "similar"})
    assert response.status_code == 400 and not ExportJob.objects.exists()
    assert "This peer group is not available to you" in response.content.decode()
    assert client.get(url, {"group": "country"}).status_code == 302
    assert ExportJob.objects.count() == 1


def test_no_group_can_be_chosen_before_give_to_get(client, dean, assessment):
    # A draft: its institution sees no peer figures yet, so no group may be chosen.
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert 'name="group"' not in page
    response = client.get(reverse("reports:report", args=[assessment.pk, "pdf"]), {"group": "all"})
    assert response.status_code == 400
    assert "no peer figures can be shown in this report" in response.content.decode()
    assert client.get(reverse("reports:report", args=[assessment.pk, "pdf"])).status_code == 200


def test_outsider_still_gets_404_with_a_group(client, outsider, this_cycle, peers):
    client.force_login(outsider)
    for fmt in ("pdf", "json"):
        url = reverse("reports:report", args=[this_cycle.pk, fmt])
        assert client.get(url, {"group": "all"}).status_code == 404
        assert client.get(url, {"group": "nonsense"}).status_code == 404
    assert client.get(reverse("assessments:score", args=[this_cycle.pk])).status_code == 404


def test_export_report_command_takes_a_group(this_cycle, peers, tmp_path):
    path = tmp_path / "r.json"
    args = [str(this_cycle.pk), "--format", "json", "-o", str(path), "--as-institution"]
    call_command("export_report", *args, "--group", "country", stdout=StringIO())
    assert json.loads(path.read_bytes())["benchmark"]["selected"] == "country"
    with pytest.raises(CommandError, match="peer group is not available"):
        call_command("export_report", *args, "--group", "similar", stdout=StringIO())
    with pytest.raises(CommandError, match=r"Choose one of: all \(All institutions\), region"):
        call_command("export_report", *args, "--group", "nope", stdout=StringIO())
