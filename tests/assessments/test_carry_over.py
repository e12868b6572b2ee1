"""Starting an assessment of a crosswalk's target may carry justifications and evidence links
over from the institution's latest assessment of the source rubric; never levels."""

import pytest
from django.urls import reverse

from qa_tool.assessments.models import Assessment, AuditEvent, Response
from qa_tool.assessments.services import (
    AnswerInput,
    assessment_carry_over,
    assessment_save_answers,
    assessment_start,
)

from ..crosswalk_helpers import import_crosswalk, import_target
from ..factories import CycleFactory


@pytest.fixture
def source(assessment):
    """The home draft of the test rubric with justifications and links on C1, C2 and C4."""
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C1": AnswerInput(
                value=3,
                justification="Policy approved in 2025",
                links="https://example.org/policy\nnot a link",
            ),
            "C2": AnswerInput(value=2, justification="Budget line"),
            "C4": AnswerInput(
                value=1, justification="Some training", links="https://example.org/t"
            ),
        },
    )
    return assessment


@pytest.fixture
def target(rubric_version):
    version = import_target()
    import_crosswalk()
    return version


def start(client, officer, target, carry=True):
    client.force_login(officer)
    cycle = CycleFactory(name="2027")
    data = {"rubric_version": target.pk, "cycle": cycle.pk}
    if carry:
        data["carry_over"] = "on"
    response = client.post(reverse("assessments:start"), data)
    assert response.status_code == 302
    return Assessment.objects.get(rubric_version=target)


def answers(assessment):
    return {
        r.criterion.code: r
        for r in Response.objects.filter(assessment=assessment).select_related("criterion")
    }


def test_the_start_form_carries_justifications_and_links_but_no_level(
    client, officer, source, target
):
    new = start(client, officer, target)
    rows = answers(new)
    assert set(rows) == {"T1", "T2", "T3"}  # T4 is linked to nothing
    # T1 is linked from C1+C2 (full) and C3 (partial, nothing given): both texts, by code.
    assert rows["T1"].justification == "C1: Policy approved in 2025\n\nC2: Budget line"
    # Only valid web addresses come along.
    assert rows["T1"].evidence_links == "https://example.org/policy"
    assert rows["T2"].justification == "Some training"
    assert rows["T2"].evidence_links == "https://example.org/t"
    # T3 from C1+C5: C5 has nothing, so C1's text alone, without a code.
    assert rows["T3"].justification == "Policy approved in 2025"
    for row in rows.values():
        assert row.value is None and not row.is_na
    assert rows["T1"].carried_from["criteria"] == ["C1", "C2"]
    assert rows["T1"].carried_from["assessment"] == source.pk
    assert rows["T1"].carried_from["rubric"] == "test-rubric"


def test_the_carry_over_is_in_the_audit_trail(client, officer, source, target):
    new = start(client, officer, target)
    events = AuditEvent.objects.filter(assessment=new, source="crosswalk")
    fields = sorted((e.criterion_code, e.field) for e in events if e.field)
    assert fields == [
        ("T1", "justification"),
        ("T1", "links"),
        ("T2", "justification"),
        ("T2", "links"),
        ("T3", "justification"),
        ("T3", "links"),
    ]
    assert not events.filter(field="level").exists()
    (note,) = [e for e in events if not e.field]
    assert note.actor == officer
    assert f"carried over from Test rubric 1 (assessment {source.pk}, cycle 2026)" in note.comment
    client.force_login(officer)
    history = client.get(reverse("assessments:history", args=[new.pk])).content.decode()
    assert "crosswalk" in history and "levels were not carried over" in history


def test_the_wizard_marks_what_was_carried_over(client, officer, source, target):
    new = start(client, officer, target)
    page = client.get(reverse("assessments:fill", args=[new.pk]), follow=True).content.decode()
    assert "carried over from Target" not in page
    assert "carried over from Test rubric 1 C1, C2" in page
    assert "Policy approved in 2025" in page


def test_without_the_choice_nothing_is_carried(client, officer, source, target):
    new = start(client, officer, target, carry=False)
    assert not Response.objects.filter(assessment=new).exists()
    assert not AuditEvent.objects.filter(assessment=new, source="crosswalk").exists()


def test_typed_text_is_never_replaced(institution, officer, source, target, cycle):
    new, _ = assessment_start(institution=institution, rubric_version=target, cycle=cycle)
    assessment_save_answers(
        assessment=new, answers={"T2": AnswerInput(value=2, justification="Ours")}
    )
    outcome = assessment_carry_over(assessment=new, actor=officer)
    assert outcome.criteria == ["T1", "T3"]
    rows = answers(new)
    assert rows["T2"].justification == "Ours" and rows["T2"].value == 2
    assert rows["T2"].carried_from == {}


def test_only_the_institutions_own_assessments_are_read(
    other_institution, institution, officer, source, target, rubric_version
):
    theirs, _ = assessment_start(
        institution=other_institution, rubric_version=rubric_version, cycle=CycleFactory()
    )
    assessment_save_answers(
        assessment=theirs, answers={"C4": AnswerInput(value=3, justification="Secret")}
    )
    new, _ = assessment_start(
        institution=institution, rubric_version=target, cycle=CycleFactory(name="2028")
    )
    outcome = assessment_carry_over(assessment=new, actor=officer)
    assert outcome.source == source
    assert answers(new)["T2"].justification == "Some training"


def test_no_linked_assessment_carries_nothing(institution, officer, target, cycle):
    new, _ = assessment_start(institution=institution, rubric_version=target, cycle=cycle)
    outcome = assessment_carry_over(assessment=new, actor=officer)
    assert outcome.source is None and outcome.criteria == []
    assert not Response.objects.filter(assessment=new).exists()


def test_the_dashboard_offers_the_choice_only_when_a_crosswalk_exists(
    client, officer, rubric_version, cycle
):
    client.force_login(officer)
    label = "Pre-fill justifications and evidence links"
    assert label not in client.get(reverse("dashboard")).content.decode()
    import_target()
    import_crosswalk()
    assert label in client.get(reverse("dashboard")).content.decode()
