"""Level effort in the action plan (page, Excel, JSON, PDF) and the rubric's ``plan_target``."""

from __future__ import annotations

import io
from fractions import Fraction

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from qa_tool.actions.models import ActionStatus
from qa_tool.actions.priorities import propose_actions, target_level, total_effort
from qa_tool.actions.selectors import action_plan, plan_effort
from qa_tool.actions.services import action_plan_generate, action_update
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start
from qa_tool.benchmarks.audience import Audience
from reports.context import build_report_context
from reports.exporters import EXPORTERS
from reports.json_report import report_json
from rubrics.document import RubricFileError

from ..factories import import_doc, rubric_doc, text


def effort_doc(**overrides):
    """The test rubric with estimates of the work to improve from each level below the top:
    level 0 "half a day" (4 h), level 1 "under 30 minutes" (0.5 h), level 2 "a term" (no
    hours); C4 has a descriptor per level."""
    doc = rubric_doc(slug="effort-rubric", **overrides)
    doc["scale"][0].update(effort=text("half a day"), effort_hours=4)
    doc["scale"][1].update(effort=text("under 30 minutes"), effort_hours=0.5)
    doc["scale"][2].update(effort="a term")
    doc["domains"][1]["criteria"][0]["descriptors"] = {v: f"C4 at {v}" for v in range(4)}
    return doc


def start(institution, cycle, doc):
    """C1=3, C2=2 (critical), C3=N/A, C4=1, C5=0."""
    assessment, _ = assessment_start(
        institution=institution, rubric_version=import_doc(doc), cycle=cycle
    )
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C1": AnswerInput(value=3),
            "C2": AnswerInput(value=2),
            "C3": AnswerInput(na=True),
            "C4": AnswerInput(value=1),
            "C5": AnswerInput(value=0),
        },
    )
    return assessment


@pytest.fixture
def planned(institution, cycle, officer):
    assessment = start(institution, cycle, effort_doc())
    action_plan_generate(assessment=assessment, actor=officer)
    return assessment


@pytest.fixture
def planned_top(institution, cycle, officer):
    assessment = start(institution, cycle, effort_doc(plan_target="top", version="2"))
    action_plan_generate(assessment=assessment, actor=officer)
    return assessment


def targets(assessment) -> dict[str, tuple[int, int]]:
    return {
        item.criterion.code: (int(item.current_value), int(item.target_value))
        for item in action_plan(assessment)
    }


# --- plan_target ---------------------------------------------------------------------------------


def test_target_level_next_and_top():
    scale = (Fraction(0), Fraction(1), Fraction(2), Fraction(3))
    assert [target_level(scale, Fraction(v), "next") for v in (0, 1, 2)] == [1, 2, 3]
    assert [target_level(scale, Fraction(v), "top") for v in (0, 1, 2)] == [3, 3, 3]


def test_next_aims_each_action_one_level_up(planned):
    assert planned.rubric_version.plan_target == "next"
    assert targets(planned) == {"C2": (2, 3), "C5": (0, 1), "C4": (1, 2)}


def test_top_aims_every_action_at_the_top_level(planned_top):
    assert planned_top.rubric_version.plan_target == "top"
    assert targets(planned_top) == {"C2": (2, 3), "C5": (0, 3), "C4": (1, 3)}


def test_top_keeps_the_ranking_and_the_current_levels_recommendation(planned_top):
    version = planned_top.rubric_version
    proposals = propose_actions(
        version.spec,
        {"C1": 3, "C2": 1, "C4": 1, "C5": 0},
        recommendations={c.code: c.recommendations for c in version.criteria.all()},
        plan_target="top",
    )
    assert [(p.code, p.target_value) for p in proposals] == [("C2", 3), ("C5", 3), ("C4", 3)]
    # C2 at level 1: the rubric's recommendation for level 1 (a top one cannot exist).
    assert proposals[0].recommendation == {"en": "Grow C2"}


def test_the_target_levels_descriptor_follows_the_target(planned, planned_top, officer):
    def c4_line(assessment):
        context = build_report_context(
            assessment=assessment, audience=Audience.institution(assessment.institution_id)
        )
        return next(line for line in context.plan if line.code == "C4")

    assert c4_line(planned).target_descriptor == "C4 at 2"
    assert c4_line(planned_top).target_descriptor == "C4 at 3"


def test_the_plan_page_says_what_actions_aim_at(client, officer, planned, planned_top):
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[planned.pk])).content.decode()
    assert "aimed at the next level up" in page and "C4 at 2" in page
    page = client.get(reverse("actions:plan", args=[planned_top.pk])).content.decode()
    assert "aimed at the top level" in page and "C4 at 3" in page


def test_the_report_priorities_follow_the_target(planned_top):
    context = build_report_context(
        assessment=planned_top, audience=Audience.institution(planned_top.institution_id)
    )
    assert [(p.code, p.target_label) for p in context.priorities] == [
        ("C2", "Level 3"),
        ("C5", "Level 3"),
        ("C4", "Level 3"),
    ]


# --- effort ----------------------------------------------------------------------------------


def test_total_effort_counts_what_has_an_estimate():
    total = total_effort([Fraction(1, 2), None, Fraction(4)])
    assert (total.hours, total.estimated, total.actions) == (Fraction(9, 2), 2, 3)
    assert total_effort([]).hours == 0


def test_each_action_has_its_current_levels_effort_and_open_actions_are_totalled(planned, officer):
    version = planned.rubric_version
    # C2 at 2 "a term" (no hours), C5 at 0 (4 h), C4 at 1 (0.5 h): 4.5 h, 2 of 3 estimated.
    total = plan_effort(version, action_plan(planned))
    assert (total.hours, total.estimated, total.actions) == (Fraction(9, 2), 2, 3)
    c4 = next(i for i in action_plan(planned) if i.criterion.code == "C4")
    action_update(
        item=c4,
        actor=officer,
        text="",
        owner="",
        due_date=None,
        status=ActionStatus.DONE,
        target_value=2,
    )
    total = plan_effort(version, action_plan(planned))
    assert (total.hours, total.estimated, total.actions) == (4, 1, 2)


def test_the_effort_does_not_depend_on_the_target(planned, planned_top, officer):
    c5 = next(i for i in action_plan(planned) if i.criterion.code == "C5")
    action_update(
        item=c5,
        actor=officer,
        text="",
        owner="",
        due_date=None,
        status=ActionStatus.PLANNED,
        target_value=2,
    )
    # C5 now aims at level 2 but still stands at 0: the work from there is still 4 h.
    total = plan_effort(planned.rubric_version, action_plan(planned))
    assert (total.hours, total.estimated, total.actions) == (Fraction(9, 2), 2, 3)
    # Aimed at the top (as SUNY OSCQR's "sufficiently present"), the same estimates.
    total = plan_effort(planned_top.rubric_version, action_plan(planned_top))
    assert (total.hours, total.estimated, total.actions) == (Fraction(9, 2), 2, 3)


def test_plan_page_shows_each_effort_and_the_total(client, officer, planned):
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[planned.pk])).content.decode()
    assert '<th scope="col">Effort</th>' in page
    assert (
        "Estimated work of the open actions: 4.5 h (2 of 3 actions have an estimate in hours)."
        in (page)
    )
    rows = {
        code: page[page.index(f'<bdi class="code">{code}</bdi>') :][:2500]
        for code in ("C2", "C4", "C5")
    }
    assert "under 30 minutes" in rows["C4"] and "0.5 h" in rows["C4"]
    assert "half a day" in rows["C5"] and "4 h" in rows["C5"]
    assert "a term" in rows["C2"]


def test_plan_page_in_french_shows_the_french_effort(client, officer, planned):
    client.force_login(officer)
    client.cookies["django_language"] = "fr"
    officer.language = "fr"
    officer.save(update_fields=["language"])
    page = client.get(reverse("actions:plan", args=[planned.pk])).content.decode()
    assert "half a day (fr)" in page


def test_a_rubric_without_estimates_shows_no_effort(client, officer, assessment):
    action_plan_generate(assessment=assessment, actor=officer)
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert "Estimated work" not in page and '<th scope="col">Effort</th>' not in page


def test_the_rubric_page_shows_the_estimates_and_the_target(client, officer, planned, planned_top):
    client.force_login(officer)
    page = client.get(reverse("rubrics:version", args=["effort-rubric", "1"])).content.decode()
    scale = page[
        page.index("Effort to improve from it") : page.index("</table>", page.index("Effort"))
    ]
    assert "under 30 minutes" in scale and "0.5 h" in scale and "half a day" in scale
    assert "a term" in scale and "Each action of an action plan aims at the next level up." in page
    page = client.get(reverse("rubrics:version", args=["effort-rubric", "2"])).content.decode()
    assert "Each action of an action plan aims at the top level." in page


def test_outsider_cannot_read_the_plan(client, outsider, planned):
    client.force_login(outsider)
    assert client.get(reverse("actions:plan", args=[planned.pk])).status_code == 404


def render(assessment, fmt, language="en"):
    with translation.override(language):
        context = build_report_context(
            assessment=assessment,
            audience=Audience.institution(assessment.institution_id),
            language=language,
        )
        return EXPORTERS[fmt].render(context)[2], context


def test_excel_report_has_the_effort_columns_and_the_total(planned):
    content, _context = render(planned, "xlsx")
    plan = openpyxl.load_workbook(io.BytesIO(content))["Action plan"]
    assert [c.value for c in plan[1]][11:] == ["Effort", "Effort (hours)"]
    rows = {
        row[2]: (row[11], row[12]) for row in plan.iter_rows(min_row=2, max_row=4, values_only=True)
    }
    assert rows == {
        "C2": ("a term", None),
        "C5": ("half a day", 4),
        "C4": ("under 30 minutes", 0.5),
    }
    assert [c.value for c in plan[6]][:4] == [
        "Estimated work of the open actions (hours)",
        None,
        None,
        4.5,
    ]
    assert [c.value for c in plan[7]][:4] == [
        "Open actions with an estimate in hours",
        None,
        None,
        "2 of 3",
    ]


def test_excel_report_without_estimates_has_no_effort_columns(assessment, officer):
    action_plan_generate(assessment=assessment, actor=officer)
    content, _context = render(assessment, "xlsx")
    plan = openpyxl.load_workbook(io.BytesIO(content))["Action plan"]
    assert plan.max_column == 11 and plan.max_row == 3


def test_json_report_has_each_effort_and_the_total(planned):
    _content, context = render(planned, "json")
    body = report_json(context)
    assert [(a["criterion"], a["effort"], a["effort_hours"]) for a in body["action_plan"]] == [
        ("C2", "a term", None),
        ("C5", "half a day", 4),
        ("C4", "under 30 minutes", 0.5),
    ]
    assert body["action_plan_effort"] == {"hours": 4.5, "estimated_actions": 2, "open_actions": 3}


def test_json_report_of_a_rubric_without_estimates(assessment, officer):
    action_plan_generate(assessment=assessment, actor=officer)
    _content, context = render(assessment, "json")
    body = report_json(context)
    assert body["action_plan_effort"] is None
    assert {a["effort_hours"] for a in body["action_plan"]} == {None}


def test_pdf_report_shows_the_effort_and_the_total(planned, tmp_path):
    import subprocess

    content, _context = render(planned, "pdf")
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    shown = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "half a day" in shown and "under 30 minutes" in shown
    assert (
        "Estimated work of the open actions: 4.5 h (2 of 3 actions have an estimate in hours)."
        in (shown)
    )


def test_an_estimate_on_the_top_level_is_refused():
    doc = effort_doc(version="top-effort")
    doc["scale"][3].update(effort="nothing to do", effort_hours=0)
    with pytest.raises(RubricFileError) as refused:
        import_doc(doc)
    problems = [str(p) for p in refused.value.problems]
    assert any("scale[3].effort: the top level needs no effort estimate" in p for p in problems)
    assert any(
        "scale[3].effort_hours: the top level needs no effort estimate" in p for p in problems
    )
