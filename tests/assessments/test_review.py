"""Starting, reviewing, returning, validating; the history page; scoping of each view."""

import datetime

import pytest
from django.urls import reverse

from qa_tool.assessments.models import Assessment, AuditEvent, Response, Status
from qa_tool.assessments.services import (
    AnswerInput,
    AssessmentError,
    assessment_return,
    assessment_save_answers,
    assessment_start,
    assessment_submit,
    assessment_validate,
)

from ..factories import CycleFactory, InstitutionFactory, UserFactory


@pytest.fixture
def submitted(assessment):
    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=2)})
    assessment_submit(assessment=assessment)
    return assessment


def review_post(**extra):
    data = {f"C{i}-level": "" for i in range(1, 6)}
    data.update({f"C{i}-comment": "" for i in range(1, 6)})
    data["overall_comment"] = ""
    data.update(extra)
    return data


# --- starting ---------------------------------------------------------------------------------


def test_officer_starts_an_assessment_once(client, officer, rubric_version, cycle):
    client.force_login(officer)
    data = {"rubric_version": rubric_version.pk, "cycle": cycle.pk}
    response = client.post(reverse("assessments:start"), data)
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("assessments:fill", args=[assessment.pk])
    assert assessment.institution == officer.institution and assessment.created_by == officer
    response = client.post(reverse("assessments:start"), data, follow=True)
    assert Assessment.objects.count() == 1
    assert "already has this assessment" in response.content.decode()


def test_retired_versions_and_closed_cycles_cannot_be_started(
    client, officer, rubric_version, cycle
):
    client.force_login(officer)
    closed = CycleFactory(name="2020")
    closed.is_open = False
    closed.save()
    client.post(
        reverse("assessments:start"), {"rubric_version": rubric_version.pk, "cycle": closed.pk}
    )
    rubric_version.retired = True
    rubric_version.save()
    client.post(
        reverse("assessments:start"), {"rubric_version": rubric_version.pk, "cycle": cycle.pk}
    )
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("persona", ["dean", "reviewer"])
def test_only_officers_start(client, request, persona, rubric_version, cycle):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("assessments:start"), {"rubric_version": rubric_version.pk, "cycle": cycle.pk}
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_officer_dashboard_offers_the_start_form(client, officer, rubric_version, cycle):
    client.force_login(officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("assessments:start") in page and "Test rubric" in page


# --- the reviewer -----------------------------------------------------------------------------


def test_queue_lists_submitted_across_institutions_and_filters(
    client, reviewer, submitted, rubric_version, cycle
):
    away = InstitutionFactory(code="FAR", name="Far University", country="CN", region="east-asia")
    other, _ = assessment_start(institution=away, rubric_version=rubric_version, cycle=cycle)
    for code in ("C1", "C2", "C3", "C4", "C5"):
        assessment_save_answers(assessment=other, answers={code: AnswerInput(value=1)})
    assessment_submit(assessment=other)
    client.force_login(reviewer)
    page = client.get(reverse("assessments:review_queue")).content.decode()
    assert "Home University" in page and "Far University" in page
    page = client.get(reverse("assessments:review_queue"), {"region": "east-asia"}).content.decode()
    assert "Far University" in page and "Home University" not in page
    page = client.get(reverse("assessments:review_queue"), {"country": "KE"}).content.decode()
    assert "Home University" in page and "Far University" not in page
    page = client.get(reverse("assessments:review_queue"), {"status": "draft"}).content.decode()
    assert "Home University" not in page


def test_queue_offers_each_cycle_and_country_once_and_shows_the_headline(
    client, reviewer, submitted, rubric_version, cycle
):
    later = CycleFactory(name="2031")
    for index in range(3):
        institution = InstitutionFactory(country="KE" if index else "CN")
        for each in (cycle, later):
            a, _ = assessment_start(
                institution=institution, rubric_version=rubric_version, cycle=each
            )
            answers = {code: AnswerInput(value=2) for code in ("C1", "C2", "C3", "C4", "C5")}
            assessment_save_answers(assessment=a, answers=answers)
            assessment_submit(assessment=a)
    client.force_login(reviewer)
    page = client.get(reverse("assessments:review_queue")).content.decode()
    choices = page.split('name="cycle"', 1)[1].split("</select>", 1)[0]
    assert choices.count('value="2031"') == 1 and choices.count(f'value="{cycle.name}"') == 1
    assert choices.index('value="2031"') < choices.index(f'value="{cycle.name}"')
    countries = page.split('name="country"', 1)[1].split("</select>", 1)[0]
    assert countries.count('value="KE"') == 1 and countries.count('value="CN"') == 1
    # Every criterion at 2 of 3: the headline is 66.7 %, on each of the six rows.
    assert page.count("66.7 %") == 6


def test_queue_query_count_is_fixed(
    client, reviewer, rubric_version, cycle, django_assert_num_queries
):
    client.force_login(reviewer)

    def add(n):
        for _ in range(n):
            a, _ = assessment_start(
                institution=InstitutionFactory(), rubric_version=rubric_version, cycle=cycle
            )
            Assessment.objects.filter(pk=a.pk).update(status=Status.SUBMITTED)

    add(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first view parses the rubric (one query for its document); later ones share it.
    client.get(reverse("assessments:review_queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("assessments:review_queue"))
    add(15)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("assessments:review_queue"))
    assert len(many) == len(few)


def test_review_page_shows_answers_beside_the_reviewer_fields(client, reviewer, submitted):
    client.force_login(reviewer)
    page = client.get(reverse("assessments:review", args=[submitted.pk])).content.decode()
    assert "Strong &lt;b&gt;policy&lt;/b&gt;" in page
    assert 'name="C2-level"' in page and 'name="C2-comment"' in page
    assert "Validate (final)" in page


def test_return_needs_a_comment_then_officer_sees_comments_and_resubmits(
    client, reviewer, officer, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    officer.email = "officer@example.org"
    officer.save()
    client.force_login(reviewer)
    url = reverse("assessments:review", args=[submitted.pk])
    response = client.post(
        url,
        review_post(
            **{"C2-level": "1", "C2-comment": "No evidence of the policy."}, **{"return": "1"}
        ),
        follow=True,
    )
    assert "Say what the institution should change." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            review_post(
                **{
                    "C2-level": "1",
                    "C2-comment": "No evidence of the policy.",
                    "overall_comment": "Please add evidence for C2.",
                    "return": "1",
                }
            ),
        )
    submitted.refresh_from_db()
    assert (
        submitted.status == Status.RETURNED
        and submitted.review_comment == "Please add evidence for C2."
    )
    assert [m.to for m in mailoutbox] == [["officer@example.org"]]
    assert "Please add evidence for C2." in mailoutbox[0].body

    client.force_login(officer)
    page = client.get(reverse("assessments:fill_step", args=[submitted.pk, "D1"])).content.decode()
    assert "Please add evidence for C2." in page and "No evidence of the policy." in page
    assessment_save_answers(
        assessment=submitted,
        answers={"C2": AnswerInput(value=3, justification="Policy attached")},
        actor=officer,
    )
    response = client.post(
        reverse("assessments:fill_step", args=[submitted.pk, "review"]), {"submit": "1"}
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_return_without_comment_is_a_field_error_next_to_the_comment(client, reviewer, submitted):
    client.force_login(reviewer)
    url = reverse("assessments:review", args=[submitted.pk])
    response = client.post(url, review_post(**{"C2-level": "1", "return": "1"}))
    assert response.status_code == 200
    assert response.context["form"].errors["overall_comment"] == [
        "Say what the institution should change."
    ]
    page = response.content.decode()
    # At the top, linking to the field, and next to the field, which points at it.
    assert '<a href="#id_overall_comment">Say what the institution should change.</a>' in page
    assert '<ul class="errorlist" id="id_overall_comment_error">' in page
    textarea = page[page.index('<textarea name="overall_comment"') :].split(">", 1)[0]
    assert 'aria-describedby="id_overall_comment_helptext id_overall_comment_error"' in textarea
    assert 'aria-invalid="true"' in textarea
    assert page.index('<label for="id_overall_comment"') < page.index(
        '<textarea name="overall_comment"'
    )
    # Nothing was saved: the reviewer's levels wait for a return with a comment.
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert Response.objects.get(assessment=submitted, criterion__code="C2").reviewed_value is None


def test_validating_after_a_return_carries_only_the_new_comment(
    client, reviewer, officer, dean, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    officer.email = "officer@example.org"
    officer.save()
    url = reverse("assessments:review", args=[submitted.pk])
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, review_post(overall_comment="Fix C2", **{"return": "1"}))
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED

    client.force_login(officer)
    response = client.post(
        reverse("assessments:fill_step", args=[submitted.pk, "review"]), {"submit": "1"}
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED

    client.force_login(reviewer)
    response = client.get(url)
    assert response.context["form"]["overall_comment"].value() in (None, "")
    textarea = response.content.decode().split('<textarea name="overall_comment"', 1)[1]
    assert "Fix C2" not in textarea.split("</textarea>", 1)[0]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, review_post(overall_comment="Well done", validate="1"))
    submitted.refresh_from_db()
    assert submitted.status == Status.VALIDATED and submitted.review_comment == "Well done"
    (mail,) = mailoutbox
    assert "Well done" in mail.body and "Fix C2" not in mail.body

    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[submitted.pk])).content.decode()
    assert "Well done" in page and "Fix C2" not in page


def test_validating_with_an_empty_box_after_a_return_stores_no_comment(client, reviewer, submitted):
    assessment_return(assessment=submitted, actor=reviewer, comment="Fix C2")
    assessment_submit(assessment=submitted)
    client.force_login(reviewer)
    client.post(reverse("assessments:review", args=[submitted.pk]), review_post(validate="1"))
    submitted.refresh_from_db()
    assert submitted.status == Status.VALIDATED and submitted.review_comment == ""


def test_validate_keeps_both_scores(client, reviewer, dean, submitted):
    client.force_login(reviewer)
    url = reverse("assessments:review", args=[submitted.pk])
    # the reviewer lowers C1 from 3 to 1 and confirms the rest
    client.post(url, review_post(**{"C1-level": "1", "validate": "1"}))
    submitted.refresh_from_db()
    assert submitted.status == Status.VALIDATED
    assert Response.objects.get(criterion__code="C1").reviewed_value == 1
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[submitted.pk])).content.decode()
    # self: C1=3,C2=2,C3=na | C4=1,C5=2 -> D1 7/9, D2 (1/3+3*2/3)/4 = 7/12 -> (14/9+7/12)/3 = 71.3
    # validated: C1=1 -> D1 (1/3+4/3)/3 = 5/9 -> (10/9+7/12)/3 = 56.5
    assert "Self-assessed score" in page and "71.3 %" in page
    assert "Validated score" in page and "56.5 %" in page
    # validated is final
    with pytest.raises(AssessmentError):
        assessment_return(assessment=submitted, actor=reviewer, comment="again")


def test_reviewer_cannot_validate_a_draft(reviewer, assessment):
    with pytest.raises(AssessmentError, match="Only a submitted assessment can be validated"):
        assessment_validate(assessment=assessment, actor=reviewer)


@pytest.mark.parametrize("persona", ["officer", "dean", "outsider"])
def test_institution_people_cannot_review(client, request, persona, submitted):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("assessments:review_queue")).status_code == 403
    assert client.get(reverse("assessments:review", args=[submitted.pk])).status_code == 403
    assert (
        client.post(
            reverse("assessments:review", args=[submitted.pk]), review_post(validate="1")
        ).status_code
        == 403
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


# --- history ----------------------------------------------------------------------------------


def test_history_lists_changes_and_transitions(client, dean, reviewer, submitted):
    assessment_return(assessment=submitted, actor=reviewer, comment="Add evidence")
    client.force_login(dean)
    page = client.get(reverse("assessments:history", args=[submitted.pk])).content.decode()
    assert "status changed" in page and "Returned for changes" in page and "Add evidence" in page
    assert "answer changed" in page and "Strong &lt;b&gt;policy&lt;/b&gt;" in page
    kinds = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"created", "answer", "status"} <= kinds


def _history_cells(page):
    """The text of each history row's What, Before and After cells."""
    import re

    rows = re.findall(r"<tr>\s*<td>.*?</tr>", page, flags=re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, flags=re.S) for row in rows]
    return [
        tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in (c[2], c[4], c[5]))
        for c in cells
        if len(c) == 6
    ]


def test_history_shows_labels_not_stored_values(
    client, officer, dean, reviewer, assessment, django_assert_max_num_queries
):
    from qa_tool.actions.models import ActionItem
    from qa_tool.actions.services import action_plan_generate, action_update

    assessment_save_answers(
        assessment=assessment,
        answers={
            "C2": AnswerInput(value=3),
            "C3": AnswerInput(value=1),
            "C5": AnswerInput(value=2),
        },
        actor=officer,
    )
    action_plan_generate(assessment=assessment, actor=officer)
    item = ActionItem.objects.get(assessment=assessment, criterion__code="C4")
    action_update(
        item=item,
        actor=officer,
        text="",
        owner="",
        due_date=datetime.date(2027, 3, 31),
        status="in_progress",
        target_value=item.target_value,
    )
    assessment_submit(assessment=assessment, actor=officer)
    assessment_return(assessment=assessment, actor=reviewer, comment="Fix C2")

    client.force_login(dean)
    url = reverse("assessments:history", args=[assessment.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    cells = _history_cells(page)
    assert ("answer changed · Level", "Level 2", "Level 3") in cells  # C2: 2 -> 3
    assert ("answer changed · Level", "N/A", "Level 1") in cells  # C3
    assert ("answer changed · Level", "—", "Level 2") in cells  # C5, first answer
    assert ("action plan changed · Status", "Planned", "In progress") in cells
    assert ("action plan changed · Due date", "—", "03/31/2027") in cells
    assert ("status changed · Status", "Submitted", "Returned for changesFix C2") in cells
    assert ("status changed · Status", "Draft", "Submitted") in cells
    assert ("created", "", "Draft") in cells
    assert ("answer changed · Justification", "—", "Strong &lt;b&gt;policy&lt;/b&gt;") in cells
    assert "in_progress" not in page and "returned</" not in page

    client.post(reverse("set_language"), {"language": "fr", "next": url})
    cells = _history_cells(client.get(url).content.decode())
    # The rubric's level labels in the reader's language.
    assert any(cell[1:] == ("Level 2 (fr)", "Level 3 (fr)") for cell in cells)


@pytest.mark.parametrize("persona", ["officer", "dean", "reviewer", "admin_user"])
def test_history_is_visible_to_the_institution_and_reviewers(client, request, persona, assessment):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("assessments:history", args=[assessment.pk])).status_code == 200


def test_outsider_gets_404_on_history(client, outsider, assessment):
    client.force_login(outsider)
    assert client.get(reverse("assessments:history", args=[assessment.pk])).status_code == 404


def test_officer_of_another_institution_cannot_start_for_mine(
    client, outsider, rubric_version, cycle, institution
):
    client.force_login(outsider)
    client.post(
        reverse("assessments:start"),
        {"rubric_version": rubric_version.pk, "cycle": cycle.pk, "institution": institution.pk},
    )
    assert not Assessment.objects.filter(institution=institution).exists()


def test_second_officer_sees_first_officers_work(client, officer, assessment):
    colleague = UserFactory(username="second", role="officer", institution=assessment.institution)
    client.force_login(colleague)
    page = client.get(reverse("assessments:fill_step", args=[assessment.pk, "D1"])).content.decode()
    assert "Strong &lt;b&gt;policy&lt;/b&gt;" in page
