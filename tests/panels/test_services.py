"""Panel services: seats, independent ratings, submission, the lead's confirmation."""

from decimal import Decimal
from fractions import Fraction

import pytest

from qa_tool.assessments.models import AuditEvent, Response
from qa_tool.assessments.selectors import responses_by_code
from qa_tool.assessments.services import AnswerInput, AssessmentError, assessment_submit
from qa_tool.institutions.models import Role
from qa_tool.panels.models import FinalLevel, Rater
from qa_tool.panels.selectors import panel_figures, panel_progress, perspective_scores
from qa_tool.panels.services import (
    FinalInput,
    panel_confirm,
    panel_create,
    rater_add,
    rater_submit,
    rating_save,
)

from ..factories import UserFactory


def rate(rater, **levels):
    answers = {
        code: AnswerInput(na=True) if v == "na" else AnswerInput(value=Decimal(v))
        for code, v in levels.items()
    }
    rating_save(rater=rater, answers=answers, actor=rater.user)


def seats(panel):
    return list(panel.raters.order_by("pk"))


def test_one_panel_per_assessment(panel, officer):
    with pytest.raises(AssessmentError):
        panel_create(assessment=panel.assessment, kind="self", lead=officer)


def test_self_panel_takes_only_the_institutions_people(panel, officer, outsider, reviewer):
    for user in (outsider, reviewer):
        with pytest.raises(AssessmentError) as caught:
            rater_add(panel=panel, actor=officer, user=user)
        assert caught.value.problems[0].where == "user"
    with pytest.raises(AssessmentError):
        rater_add(panel=panel, actor=officer, user=seats(panel)[0].user)


def test_external_panel_never_seats_the_assessed_institution(
    assessment, reviewer, officer, outsider
):
    with pytest.raises(AssessmentError):  # a draft: nothing to review yet
        panel_create(assessment=assessment, kind="external", lead=reviewer)
    assessment_submit_all(assessment, officer)
    panel = panel_create(assessment=assessment, kind="external", lead=reviewer)
    rater_add(panel=panel, actor=reviewer, user=reviewer)
    rater_add(panel=panel, actor=reviewer, user=outsider)  # a peer from another institution
    with pytest.raises(AssessmentError):
        rater_add(panel=panel, actor=reviewer, user=officer)


def test_progress_counts_without_levels(panel):
    first, second, _third = seats(panel)
    rate(first, C1=3, C2=2)
    rate(second, C3="na")
    assert [(p.rater.pk, p.answered, p.total) for p in panel_progress(panel)] == [
        (first.pk, 2, 5),
        (second.pk, 1, 5),
        (_third.pk, 0, 5),
    ]


def test_only_submitted_raters_count(panel):
    first, second, _third = seats(panel)
    rate(first, C1=3)
    rate(second, C1=1)
    rater_submit(rater=first, actor=first.user)
    figures = panel_figures(panel)
    assert [r.pk for r in figures.raters] == [first.pk]
    row = next(r for r in figures.rows if r.code == "C1")
    assert row.figures.consensus == 3


def test_submitted_ratings_are_frozen(panel):
    first = seats(panel)[0]
    rate(first, C1=3)
    rater_submit(rater=first, actor=first.user)
    with pytest.raises(AssessmentError):
        rate(first, C1=2)


def test_submit_needs_one_rating(panel):
    with pytest.raises(AssessmentError):
        rater_submit(rater=seats(panel)[0])


def test_ratings_checked_against_the_rubric(panel):
    first = seats(panel)[0]
    with pytest.raises(AssessmentError):
        rate(first, C1=7)
    with pytest.raises(AssessmentError):
        rate(first, C2="na")  # critical: no N/A


def _three_submitted(panel):
    first, second, third = seats(panel)
    rate(first, C1=3, C2=2, C3="na", C4=0, C5=1)
    rate(second, C1=1, C2=2, C3="na", C4=2)
    rate(third, C1=3, C2=3, C3=2, C4=1)
    for rater in (first, second, third):
        rater_submit(rater=rater, actor=rater.user)
    return first, second, third


def test_disagreement_figures_sorted_most_disagreement_first(panel):
    _three_submitted(panel)
    figures = panel_figures(panel)
    by_code = {r.code: r.figures for r in figures.rows}
    assert by_code["C1"].consensus == 3 and by_code["C1"].agreement == Fraction(2, 3)
    # C4 is 0, 2, 1: each once, a three-way tie goes to the lowest level.
    assert by_code["C4"].consensus == 0 and by_code["C4"].spread == 2
    assert by_code["C5"].raters == 1 and by_code["C5"].agreement == 1
    assert figures.rows[0].code == "C4"  # a third agree, widest spread
    assert [r.code for r in figures.rows][-1] == "C5"


def test_confirm_consensus_becomes_the_answers(panel, officer):
    _three_submitted(panel)
    panel_confirm(
        panel=panel,
        finals={code: FinalInput() for code in ("C1", "C2", "C3", "C4", "C5")},
        actor=officer,
    )
    rows = responses_by_code(panel.assessment)
    assert rows["C1"].value == 3 and rows["C2"].value == 2 and rows["C3"].is_na
    assert rows["C4"].value == 0 and rows["C5"].value == 1
    # The justification already given is kept.
    assert rows["C1"].justification == "Strong <b>policy</b>"
    assert not any(f.overridden for f in FinalLevel.objects.filter(panel=panel))
    assert AuditEvent.objects.filter(assessment=panel.assessment, source="panel").exists()


def test_override_needs_a_justification(panel, officer):
    _three_submitted(panel)
    with pytest.raises(AssessmentError) as caught:
        panel_confirm(
            panel=panel,
            finals={"C1": FinalInput(value=Decimal(2), use_consensus=False)},
            actor=officer,
        )
    assert caught.value.problems[0].where == "C1"
    assert Response.objects.get(assessment=panel.assessment, criterion__code="C1").value == 3


def test_override_with_justification(panel, officer):
    _three_submitted(panel)
    panel_confirm(
        panel=panel,
        finals={
            "C1": FinalInput(
                value=Decimal(2), use_consensus=False, justification="Only two faculties."
            ),
            # The same level as the consensus is no override: no justification needed.
            "C2": FinalInput(value=Decimal(2), use_consensus=False),
        },
        actor=officer,
    )
    row = Response.objects.get(assessment=panel.assessment, criterion__code="C1")
    assert row.value == 2 and row.justification == "Only two faculties."
    final = FinalLevel.objects.get(panel=panel, criterion__code="C1")
    assert final.overridden and final.consensus_value == 3
    event = AuditEvent.objects.get(assessment=panel.assessment, field="panel:override")
    assert (event.old, event.new, event.comment) == (3, 2, "Only two faculties.")


def test_external_panel_confirms_the_reviewers_levels(assessment, officer, reviewer, outsider):
    assessment_submit_all(assessment, officer)
    panel = panel_create(assessment=assessment, kind="external", lead=reviewer)
    one = rater_add(panel=panel, actor=reviewer, user=reviewer)
    two = rater_add(panel=panel, actor=reviewer, user=outsider)
    for rater, level in ((one, 1), (two, 1)):
        rating_save(rater=rater, answers={"C1": AnswerInput(value=Decimal(level))})
        rater_submit(rater=rater)
    panel_confirm(panel=panel, finals={"C1": FinalInput()}, actor=reviewer)
    row = Response.objects.get(assessment=assessment, criterion__code="C1")
    assert row.value == 3 and row.reviewed_value == 1


def assessment_submit_all(assessment, officer):
    from qa_tool.assessments.services import assessment_save_answers

    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=Decimal(2))})
    assessment_submit(assessment=assessment, actor=officer)


def test_perspective_needs_three_raters(panel, officer, institution):
    first, second, third = seats(panel)
    Rater.objects.filter(pk__in=[first.pk, second.pk]).update(perspective="students")
    Rater.objects.filter(pk=third.pk).update(perspective="teaching")
    _three_submitted(panel)
    assert perspective_scores(panel.assessment) == []  # 2 students, 1 teacher: none shown
    fourth = rater_add(
        panel=panel,
        actor=officer,
        user=UserFactory(username="rater4", role=Role.LEADER, institution=institution),
        perspective="students",
    )
    rate(fourth, C1=0, C2=0, C4=0, C5=0)
    rater_submit(rater=fourth)
    (students,) = perspective_scores(panel.assessment)
    assert students.perspective == "students" and students.raters == 3
    # Students' consensus (majority, ties low): C1 3,1,0 -> 0; C2 2,2,0 -> 2; C3 N/A,N/A -> N/A;
    # C4 0,2,0 -> 0; C5 1,0 -> 0. D1 = (0*1 + 2/3*2)/3 = 4/9; D2 = 0.
    d1, d2 = students.result.domains
    assert d1.score * 9 == 400 and d2.score == 0


def test_rating_justifications_meet_the_typed_text_limits(panel):
    first = seats(panel)[0]
    with pytest.raises(AssessmentError) as caught:
        rating_save(
            rater=first, answers={"C1": AnswerInput(value=Decimal(1), justification="a\x00b")}
        )
    assert caught.value.problems[0].where == "C1"
    with pytest.raises(AssessmentError):
        rating_save(rater=first, answers={"C1": AnswerInput(value=Decimal("1e999999999"))})
    assert not first.ratings.exists()
