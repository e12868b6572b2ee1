"""Action plans: generation, editing, comments, access, the previous cycle, query counts."""

import copy
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_tool.actions.models import ActionItem, ActionStatus
from qa_tool.actions.selectors import action_plan, previous_actions_by_code
from qa_tool.actions.services import (
    ActionPlanError,
    action_comment,
    action_plan_generate,
    action_update,
)
from qa_tool.assessments.models import AuditEvent
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_save_answers,
    assessment_save_review,
    assessment_start,
    assessment_submit,
    assessment_validate,
)

from ..factories import CycleFactory, import_doc, rubric_doc


def items_by_code(assessment):
    return {item.criterion.code: item for item in action_plan(assessment)}


def edit(item, **changes):
    data = {
        "text": item.text,
        "owner": item.owner,
        "due_date": item.due_date,
        "status": item.status,
        "target_value": item.target_value,
    }
    data.update(changes)
    return data


def post_data(item, **changes):
    prefix = f"item{item.pk}"
    data = edit(item, **changes)
    return {f"{prefix}-{key}": "" if value is None else str(value) for key, value in data.items()}


@pytest.fixture
def plan(assessment, officer):
    action_plan_generate(assessment=assessment, actor=officer)
    return items_by_code(assessment)


# --- generation -------------------------------------------------------------------------------


def test_generation_follows_the_priority_formula(assessment, officer):
    assert action_plan_generate(assessment=assessment, actor=officer) == 2
    c2, c4 = action_plan(assessment)
    # See test_priorities: C2 (critical, at 2) tier 2, gain 400/27; C4 tier 3, gain 200/9.
    assert (c2.criterion.code, c2.rank, c2.tier, c2.gain) == ("C2", 1, 2, Decimal("14.8148"))
    assert (c2.current_value, c2.target_value) == (2, 3)
    assert (c4.criterion.code, c4.rank, c4.tier, c4.gain) == ("C4", 2, 3, Decimal("22.2222"))
    assert (c4.current_value, c4.target_value) == (1, 2)
    assert c2.text == "" and c2.status == ActionStatus.PLANNED and c2.updated_by == officer


def test_generation_is_idempotent(assessment, officer):
    action_plan_generate(assessment=assessment, actor=officer)
    before = list(ActionItem.objects.values().order_by("pk"))
    assert action_plan_generate(assessment=assessment, actor=officer) == 0
    after = list(ActionItem.objects.values().order_by("pk"))
    for row in (*before, *after):
        row.pop("updated_at")
    assert after == before


def test_generation_never_overwrites_edits_and_refreshes_ranks(assessment, officer, plan):
    action_update(
        item=plan["C4"],
        actor=officer,
        **edit(plan["C4"], text="Buy a platform", owner="IT", status="in_progress", target_value=3),
    )
    # C4 improves to 2, C5 is answered at 0 (a new gap), C2 reaches the top.
    assessment_save_answers(
        assessment=assessment,
        answers={
            "C2": AnswerInput(value=3),
            "C4": AnswerInput(value=2),
            "C5": AnswerInput(value=0),
        },
    )
    assert action_plan_generate(assessment=assessment, actor=officer) == 1
    items = items_by_code(assessment)
    c4, c5, c2 = items["C4"], items["C5"], items["C2"]
    assert (c4.text, c4.owner, c4.status, c4.target_value) == (
        "Buy a platform",
        "IT",
        "in_progress",
        3,
    )
    assert c4.current_value == 2
    assert c4.tier == 3 and c5.tier == 3
    # C5 (weight 3, at 0) gains more than C4 (weight 1, at 2); C2 needs no action any more:
    # kept, after the proposals, with no gain.
    assert [i.criterion.code for i in action_plan(assessment)] == ["C5", "C4", "C2"]
    assert [i.rank for i in action_plan(assessment)] == [1, 2, 3]
    assert (c2.current_value, c2.gain) == (3, 0)


def test_generation_uses_the_headline_levels(assessment, officer, reviewer):
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=3)})
    assessment_submit(assessment=assessment)
    assessment_save_review(
        assessment=assessment, reviews={"C4": ReviewInput(value=Decimal(2))}, actor=reviewer
    )
    # A reviewer's level is a proposal until the assessment is validated.
    action_plan_generate(assessment=assessment, actor=officer)
    assert items_by_code(assessment)["C4"].current_value == 1
    assessment_validate(assessment=assessment, actor=reviewer)
    action_plan_generate(assessment=assessment, actor=officer)
    assert items_by_code(assessment)["C4"].current_value == 2


# --- editing and comments ---------------------------------------------------------------------


def test_target_at_or_below_the_current_level_is_refused(officer, plan):
    c2 = plan["C2"]
    for target in (2, 1, 7, "x"):
        with pytest.raises(ActionPlanError) as error:
            action_update(item=c2, actor=officer, **edit(c2, text="New", target_value=target))
        assert error.value.problems[0].startswith("C2: the target level must")
    with pytest.raises(ActionPlanError, match="above the current level"):
        action_update(item=c2, actor=officer, **edit(c2, text="New", target_value=2))
    c2.refresh_from_db()
    assert (c2.text, c2.target_value) == ("", 3)


def test_officer_edits_an_action_on_the_page(client, officer, assessment, plan):
    c4 = plan["C4"]
    client.force_login(officer)
    response = client.post(
        reverse("actions:item_update", args=[c4.pk]),
        post_data(
            c4,
            text="Train the staff",
            owner="Dean of studies",
            due_date="2026-12-31",
            status="done",
            target_value="3",
        ),
    )
    assert (
        response["Location"] == reverse("actions:plan", args=[assessment.pk]) + f"#action-{c4.pk}"
    )
    c4.refresh_from_db()
    assert (c4.text, c4.owner, c4.due_date, c4.status, c4.target_value) == (
        "Train the staff",
        "Dean of studies",
        datetime.date(2026, 12, 31),
        "done",
        3,
    )
    assert c4.updated_by == officer
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert "Train the staff" in page and "Dean of studies" in page and "Done" in page


def test_each_row_form_is_drawn_with_its_values_labels_and_levels(
    client, officer, assessment, plan
):
    """The edit forms are drawn by the Jinja2 form renderer: the same markup a person
    relies on (labelled fields, the saved values, only the levels above the current one),
    in every language, with typed text keeping its own direction."""
    c2 = plan["C2"]
    action_update(
        item=c2, actor=officer, **edit(c2, owner="Dean <b>of</b> studies", status="in_progress")
    )
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    prefix = f"item{c2.pk}"
    assert f'<label for="id_{prefix}-owner">Owner:</label>' in page
    assert (
        f'<input type="text" name="{prefix}-owner" value="Dean &lt;b&gt;of&lt;/b&gt; studies" '
        f'dir="auto" maxlength="200" id="id_{prefix}-owner">'
    ) in page
    assert '<option value="in_progress" selected>In progress</option>' in page
    target = page.split(f'name="{prefix}-target_value"', 1)[1].split("</select>", 1)[0]
    # C2 stands at level 2 with target 3: only the level above it is offered.
    assert '<option value="3" selected>Level 3</option>' in target
    assert '<option value="2"' not in target and '<option value="1"' not in target
    arabic = client.get(
        reverse("actions:plan", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert f'name="{prefix}-text"' in arabic and 'dir="auto"' in arabic


def test_a_refused_edit_on_the_page_says_why_and_saves_nothing(client, officer, assessment, plan):
    c2 = plan["C2"]
    client.force_login(officer)
    response = client.post(
        reverse("actions:item_update", args=[c2.pk]),
        post_data(c2, text="Lower the bar", target_value="1"),
        follow=True,
    )
    page = response.content.decode()
    assert "the target level must be above the current level" in page
    c2.refresh_from_db()
    assert (c2.text, c2.target_value) == ("", 3)


def test_the_page_shows_the_recommendation_until_the_officer_writes_the_action(
    client, officer, assessment, plan
):
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert "Refine C2" in page
    assert "Critical" in page and "Improvement" in page
    assert "Add actions for new gaps" in page and "Save the action" in page
    assert "Save the comment" not in page


def test_reviewer_comments_and_it_is_audited(client, reviewer, assessment, plan):
    c2 = plan["C2"]
    client.force_login(reviewer)
    response = client.post(
        reverse("actions:item_comment", args=[c2.pk]), {f"item{c2.pk}-comment": "Add a date."}
    )
    assert response.status_code == 302
    c2.refresh_from_db()
    assert c2.reviewer_comment == "Add a date."
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW, field="action:comment")
    assert (event.criterion_code, event.old, event.new, event.actor) == (
        "C2",
        "",
        "Add a date.",
        reviewer,
    )
    assert action_comment(item=c2, actor=reviewer, comment="Add a date.") is False
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert "Add a date." in page and "Save the comment" in page and "Save the action" not in page
    # Reviewers comment; they do not edit or generate.
    assert (
        client.post(reverse("actions:item_update", args=[c2.pk]), post_data(c2)).status_code == 403
    )
    assert client.post(reverse("actions:generate", args=[assessment.pk])).status_code == 403


def test_officer_cannot_comment(client, officer, plan):
    client.force_login(officer)
    url = reverse("actions:item_comment", args=[plan["C2"].pk])
    assert client.post(url, {f"item{plan['C2'].pk}-comment": "Me"}).status_code == 403


def test_leader_reads_only(client, dean, assessment, plan):
    client.force_login(dean)
    page = client.get(reverse("actions:plan", args=[assessment.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Refine C2" in content
    assert '<form method="post" action="/actions/' not in content
    c2 = plan["C2"]
    assert client.post(reverse("actions:generate", args=[assessment.pk])).status_code == 403
    assert (
        client.post(
            reverse("actions:item_update", args=[c2.pk]), post_data(c2, text="x")
        ).status_code
        == 403
    )
    assert client.post(reverse("actions:item_comment", args=[c2.pk]), {}).status_code == 403
    c2.refresh_from_db()
    assert c2.text == ""


def test_outsider_gets_404_everywhere(client, outsider, assessment, plan):
    client.force_login(outsider)
    item = plan["C2"]
    urls = [
        reverse("actions:plan", args=[assessment.pk]),
        reverse("actions:generate", args=[assessment.pk]),
        reverse("actions:item_update", args=[item.pk]),
        reverse("actions:item_comment", args=[item.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, post_data(item, text="hacked")).status_code == 404, url
    item.refresh_from_db()
    assert item.text == ""
    assert ActionItem.objects.count() == 2


def test_anonymous_is_sent_to_log_in(client, assessment):
    response = client.get(reverse("actions:plan", args=[assessment.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_officer_creates_the_plan_from_the_page(client, officer, assessment):
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert "Create the action plan" in page
    response = client.post(reverse("actions:generate", args=[assessment.pk]), follow=True)
    assert "2 actions were added to the plan." in response.content.decode()
    assert ActionItem.objects.filter(assessment=assessment).count() == 2
    response = client.post(reverse("actions:generate", args=[assessment.pk]), follow=True)
    assert "No new actions" in response.content.decode()
    # A GET on a POST-only address goes back to the plan.
    response = client.get(reverse("actions:item_update", args=[ActionItem.objects.first().pk]))
    assert response.status_code == 302


# --- the previous cycle -----------------------------------------------------------------------


def _assessment_in(institution, version, cycle_name, answers):
    assessment, _ = assessment_start(
        institution=institution, rubric_version=version, cycle=CycleFactory(name=cycle_name)
    )
    assessment_save_answers(
        assessment=assessment,
        answers={code: AnswerInput(value=v) for code, v in answers.items()},
    )
    return assessment


def test_the_next_cycle_shows_the_previous_plan(
    client, officer, institution, other_institution, rubric_version
):
    version_2 = import_doc(rubric_doc(version="2"))
    older = _assessment_in(institution, rubric_version, "2024", {"C2": 0, "C4": 0})
    previous = _assessment_in(institution, rubric_version, "2025", {"C1": 1, "C2": 1, "C4": 1})
    later = _assessment_in(institution, rubric_version, "2027", {"C2": 0})
    elsewhere = _assessment_in(other_institution, rubric_version, "2025", {"C2": 0})
    current = _assessment_in(institution, version_2, "2026", {"C1": 3, "C2": 2, "C4": 2})
    for a in (older, previous, later, elsewhere, current):
        action_plan_generate(assessment=a, actor=officer)
    old_c2 = items_by_code(older)["C2"]
    action_update(item=old_c2, actor=officer, **edit(old_c2, text="Too old"))
    prev = items_by_code(previous)
    action_update(
        item=prev["C2"], actor=officer, **edit(prev["C2"], text="Revise the policy", status="done")
    )
    action_update(
        item=prev["C1"],
        actor=officer,
        **edit(prev["C1"], text="Write a strategy", status="dropped"),
    )

    found = previous_actions_by_code(current)
    assert set(found) == {"C1", "C2", "C4"}
    assert all(item.assessment_id == previous.pk for item in found.values())
    assert found["C2"].status == "done"
    assert previous_actions_by_code(older) == {}

    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[current.pk])).content.decode()
    assert "Previous cycle" in page and "<bdi>2025</bdi>" in page
    row_c2 = page[page.index('<bdi class="code">C2</bdi>') :]
    row_c2 = row_c2[: row_c2.index("</tr>")]
    assert "Revise the policy" in row_c2 and "Done" in row_c2
    # C1 reached the top this cycle: its previous action is listed apart, with its status.
    assert "Write a strategy" in page and "Dropped" in page
    assert "Too old" not in page


def test_a_first_cycle_has_no_previous_column(client, officer, assessment, plan):
    client.force_login(officer)
    page = client.get(reverse("actions:plan", args=[assessment.pk])).content.decode()
    assert "Previous cycle" not in page


# --- query count ------------------------------------------------------------------------------


def big_doc():
    doc = rubric_doc(slug="big-rubric")
    doc["domains"][1]["criteria"] += [
        {"code": f"X{i}", "text": f"Extra {i}", "recommendations": {0: f"Start X{i}"}}
        for i in range(15)
    ]
    return copy.deepcopy(doc)


def test_plan_page_queries_do_not_grow_with_the_plan(
    client, officer, reviewer, institution, rubric_version
):
    version = import_doc(big_doc())
    small = _assessment_in(institution, version, "2025", {"C4": 0})
    large_answers = {c.code: 0 for c in version.criteria.all()}
    large = _assessment_in(institution, version, "2024", large_answers)
    # A previous cycle for both, so the previous-cycle column is drawn too.
    earlier = _assessment_in(institution, version, "2023", large_answers)
    for a in (small, large, earlier):
        action_plan_generate(assessment=a, actor=officer)
    assert ActionItem.objects.filter(assessment=small).count() == 1
    assert ActionItem.objects.filter(assessment=large).count() == 20
    for user in (officer, reviewer):
        client.force_login(user)
        counts = []
        for a in (small, large):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("actions:plan", args=[a.pk]))
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], counts


def test_plan_changes_are_in_the_audit_trail(client, officer, dean, assessment):
    from qa_tool.actions.models import ActionItem
    from qa_tool.actions.services import action_plan_generate, action_update
    from qa_tool.assessments.models import AuditEvent

    action_plan_generate(assessment=assessment, actor=officer)
    created = AuditEvent.objects.filter(action="plan", field="action:created")
    assert sorted(created.values_list("criterion_code", flat=True)) == ["C2", "C4"]
    item = ActionItem.objects.get(criterion__code="C4")
    action_update(
        item=item,
        actor=officer,
        text="Pilot peer review",
        owner="Quality office",
        due_date=None,
        status="in_progress",
        target_value=2,
    )
    changed = AuditEvent.objects.filter(action="plan", criterion_code="C4").exclude(
        field="action:created"
    )
    assert {(e.field, e.old, e.new) for e in changed} == {
        ("action:text", "", "Pilot peer review"),
        ("action:owner", "", "Quality office"),
        ("action:status", "planned", "in_progress"),
    }
    client.force_login(dean)
    page = client.get(reverse("assessments:history", args=[assessment.pk])).content.decode()
    assert "action plan changed" in page and "Pilot peer review" in page
