"""No saved text ever lost: two tabs on one step, expired sessions, reviewer levels, Enter.

The pages are driven through the test client like a browser would: load a step, keep its
hidden fields, post them back with the person's edits.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from qa_tool.assessments.models import Response, Status
from qa_tool.assessments.services import (
    AnswerConflict,
    AnswerInput,
    assessment_save_answers,
)
from qa_tool.assessments.wizard import UNSAVED_KEY

from ..factories import PASSWORD, UserFactory

CODES = ("C1", "C2", "C3")


def step_url(assessment, step="D1"):
    return reverse("assessments:fill_step", args=[assessment.pk, step])


def row(code) -> Response:
    return Response.objects.get(criterion__code=code)


def form_data(page: str) -> dict[str, str]:
    """What a browser would post back untouched: every field of the step as the page shows it."""
    data = dict(
        re.findall(
            r'<input type="hidden" name="(D\d-C\d-(?:revision|loaded))" value="([^"]*)"', page
        )
    )
    for name in set(re.findall(r'name="(D\d-C\d-level)"', page)):
        checked = re.search(rf'name="{name}" value="([^"]*)"[^>]*checked', page)
        data[name] = checked.group(1) if checked else ""
    for name, text in re.findall(
        r'<textarea name="(D\d-C\d-(?:justification|links))"[^>]*>\n?(.*?)</textarea>', page, re.S
    ):
        data[name] = html.unescape(text)
    return data


def loaded_form(client, assessment, step="D1") -> dict[str, str]:
    return form_data(client.get(step_url(assessment, step)).content.decode())


def conflict_table(page: str) -> str:
    match = re.search(r'<section class="alert conflicts".*?</section>', page, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def draft(assessment, officer, client):
    client.force_login(officer)
    return assessment


@pytest.fixture
def colleague(draft):
    return UserFactory(
        username="colleague",
        role="officer",
        institution=draft.institution,
        first_name="Ama",
        last_name="Mensah",
    )


# --- 1. two tabs, two people ------------------------------------------------------------------


def test_the_page_carries_what_it_loaded(client, draft):
    data = loaded_form(client, draft)
    assert data["D1-C1-revision"] == "1" and data["D1-C1-level"] == "3"
    assert all(data[f"D1-{code}-loaded"].count(".") == 2 for code in CODES)


def test_two_tabs_editing_different_criteria_both_keep_their_edit(client, draft):
    tab_a = loaded_form(client, draft)
    tab_b = loaded_form(client, draft)
    tab_a["D1-C1-justification"] = "Edited in tab A"
    response = client.post(step_url(draft), {**tab_a, "save_draft": "1"})
    assert response.status_code == 302
    tab_b["D1-C2-justification"] = "Edited in tab B"
    response = client.post(step_url(draft), {**tab_b, "save_draft": "1"})
    assert response.status_code == 302  # no false conflict on C1, which tab B never touched
    assert row("C1").justification == "Edited in tab A"  # not put back to the loaded text
    assert row("C2").justification == "Edited in tab B"
    assert row("C1").value == 3 and row("C2").value == 2


def test_two_people_on_one_step_each_keep_their_criterion(client, draft, colleague):
    mine = loaded_form(client, draft)
    theirs_client = client.__class__()
    theirs_client.force_login(colleague)
    theirs = loaded_form(theirs_client, draft)
    theirs["D1-C3-level"] = "2"
    assert theirs_client.post(step_url(draft), {**theirs, "next": "1"}).status_code == 302
    mine["D1-C1-level"] = "1"
    mine["D1-C1-links"] = "https://example.org/a"
    assert client.post(step_url(draft), {**mine, "next": "1"}).status_code == 302
    assert row("C3").value == 2 and not row("C3").is_na
    assert row("C1").value == 1 and row("C1").evidence_links == "https://example.org/a"


def test_untouched_fields_of_a_changed_criterion_are_not_written(client, draft):
    tab_a = loaded_form(client, draft)
    tab_b = loaded_form(client, draft)
    tab_a["D1-C1-justification"] = "A's justification"
    client.post(step_url(draft), {**tab_a, "save_draft": "1"})
    tab_b["D1-C2-level"] = "0"  # C1 untouched in tab B, C1's justification changed meanwhile
    client.post(step_url(draft), {**tab_b, "save_draft": "1"})
    assert row("C1").justification == "A's justification" and row("C2").value == 0


def test_the_same_change_on_both_sides_is_no_conflict(client, draft):
    tab_a = loaded_form(client, draft)
    tab_b = loaded_form(client, draft)
    tab_a["D1-C2-level"] = tab_b["D1-C2-level"] = "3"
    tab_a["D1-C1-justification"] = "Only in tab A"
    client.post(step_url(draft), {**tab_a, "save_draft": "1"})
    response = client.post(step_url(draft), {**tab_b, "save_draft": "1"})
    assert response.status_code == 302 and row("C2").value == 3
    assert row("C1").justification == "Only in tab A"


def test_the_same_criterion_changed_on_both_sides_is_a_conflict_with_level_labels(
    client, draft, colleague
):
    mine = loaded_form(client, draft)
    assessment_save_answers(
        assessment=draft,
        answers={"C2": AnswerInput(value=0)},
        actor=colleague,
        base_revisions={"C2": 1},
    )
    mine["D1-C2-level"] = "1"
    response = client.post(step_url(draft), {**mine, "next": "1"})
    assert response.status_code == 409
    table = conflict_table(response.content.decode())
    assert "Ama Mensah" in table
    assert "Level 0" in table and "Level 1" in table  # labels, not the raw values
    assert "<bdi>0</bdi>" not in table and "<bdi>1</bdi>" not in table
    assert row("C2").value == 0


def test_a_conflict_with_myself_in_another_tab_does_not_name_me(client, draft, officer):
    officer.first_name, officer.last_name = "Olu", "Officer"
    officer.save()
    tab_a = loaded_form(client, draft)
    tab_b = loaded_form(client, draft)
    tab_a["D1-C1-justification"] = "From tab A"
    client.post(step_url(draft), {**tab_a, "save_draft": "1"})
    tab_b["D1-C1-justification"] = "From tab B"
    response = client.post(step_url(draft), {**tab_b, "save_draft": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    table = conflict_table(page)
    assert "changed in another tab or by another person" in table
    assert "Olu Officer" not in table
    assert "changed in another tab or by another person while you were editing" in page


def test_save_again_after_a_conflict_keeps_mine_and_reverts_nothing_else(client, draft, colleague):
    mine = loaded_form(client, draft)
    # The colleague changes C1 (which I change too) and C3 (which I leave alone).
    assessment_save_answers(
        assessment=draft,
        answers={
            "C1": AnswerInput(value=1, justification="Colleague's C1"),
            "C3": AnswerInput(value=2),
        },
        actor=colleague,
    )
    mine["D1-C1-justification"] = "My C1"
    conflict = client.post(step_url(draft), {**mine, "next": "1"})
    assert conflict.status_code == 409
    page = conflict.content.decode()
    # The form shows my change, and the colleague's C3 (not the N/A I loaded).
    again = form_data(page)
    assert again["D1-C1-justification"] == "My C1"
    assert again["D1-C3-level"] == "2"
    response = client.post(step_url(draft), {**again, "next": "1"})
    assert response.status_code == 302
    assert row("C1").justification == "My C1"
    assert row("C1").value == 1  # the colleague's level: I changed only the justification
    assert row("C3").value == 2 and not row("C3").is_na


def test_callers_without_loaded_state_keep_whole_answer_semantics(draft, colleague):
    assessment_save_answers(assessment=draft, answers={"C1": AnswerInput(value=1)}, actor=colleague)
    with pytest.raises(AnswerConflict):
        assessment_save_answers(
            assessment=draft,
            answers={"C1": AnswerInput(value=2)},
            base_revisions={"C1": 1},
        )
    # the file import passes neither: it writes whatever differs
    assessment_save_answers(assessment=draft, answers={"C2": AnswerInput(value=0)})
    assert row("C2").value == 0 and row("C2").justification == ""


def test_changed_fields_write_only_those_fields(draft):
    saved = assessment_save_answers(
        assessment=draft,
        answers={
            "C1": AnswerInput(value=0, justification="ignored"),
            "C2": AnswerInput(value=2, justification="ignored too"),
        },
        base_revisions={"C1": 1, "C2": 1},
        changed_fields={"C1": {"level"}, "C2": set()},
    )
    assert saved == {"C1": 2}
    assert row("C1").value == 0 and row("C1").justification == "Strong <b>policy</b>"
    assert row("C2").justification == "" and row("C2").revision == 1


def test_autosave_returns_what_the_page_holds_now(client, draft):
    data = loaded_form(client, draft)
    data["D1-C1-justification"] = "autosaved"
    response = client.post(step_url(draft), {**data, "save_draft": "1"}, HTTP_X_AUTOSAVE="1").json()
    assert response["revisions"] == {"C1": 2}
    assert response["loaded"]["C1"] != data["D1-C1-loaded"]
    assert re.fullmatch(r"Saved at \d\d:\d\d", response["saved_text"])
    # With the new revision and digest the page saves again without any conflict.
    data["D1-C1-revision"] = "2"
    data["D1-C1-loaded"] = response["loaded"]["C1"]
    data["D1-C1-justification"] = "autosaved twice"
    assert client.post(step_url(draft), {**data, "save_draft": "1"}).status_code == 302
    assert row("C1").justification == "autosaved twice"


# --- 2. an expired session, without JavaScript ------------------------------------------------


def expire(client) -> None:
    session = client.session
    session.set_expiry(-1)
    session.save()


def test_a_post_after_the_session_expired_is_kept_and_offered_after_login(client, draft):
    data = loaded_form(client, draft)
    data["D1-C1-justification"] = "Typed while the session expired"
    data["D1-C3-level"] = "1"
    expire(client)
    response = client.post(step_url(draft), {**data, "save_draft": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={step_url(draft)}"
    assert row("C1").justification == "Strong <b>policy</b>"  # nothing saved, nothing lost
    response = client.post(
        reverse("login"),
        {"username": "officer", "password": PASSWORD, "next": step_url(draft)},
    )
    assert response["Location"] == step_url(draft)
    page = client.get(step_url(draft)).content.decode()
    assert "Your unsaved changes were restored; check them and save." in page
    assert "Typed while the session expired" in page
    restored = form_data(page)
    assert restored["D1-C3-level"] == "1"
    assert client.post(step_url(draft), {**restored, "save_draft": "1"}).status_code == 302
    assert row("C1").justification == "Typed while the session expired"
    assert row("C3").value == 1
    # offered once
    assert "were restored" not in client.get(step_url(draft)).content.decode()


def test_restored_post_does_not_revert_what_others_saved_meanwhile(client, draft, colleague):
    data = loaded_form(client, draft)
    data["D1-C1-justification"] = "Mine"
    expire(client)
    client.post(step_url(draft), {**data, "next": "1"})
    assessment_save_answers(assessment=draft, answers={"C2": AnswerInput(value=0)}, actor=colleague)
    client.login(username="officer", password=PASSWORD)
    restored = form_data(client.get(step_url(draft)).content.decode())
    assert restored["D1-C2-level"] == "0"
    client.post(step_url(draft), {**restored, "save_draft": "1"})
    assert row("C2").value == 0 and row("C1").justification == "Mine"


def test_autosave_after_expiry_is_not_kept_on_the_server(client, draft):
    data = loaded_form(client, draft)
    expire(client)
    response = client.post(step_url(draft), {**data, "save_draft": "1"}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert UNSAVED_KEY not in client.session


@pytest.mark.parametrize("persona", ["outsider", "dean"])
def test_kept_post_is_never_shown_to_who_may_not_edit(client, draft, request, persona):
    data = loaded_form(client, draft)
    data["D1-C1-justification"] = "Secret draft"
    expire(client)
    client.post(step_url(draft), {**data, "save_draft": "1"})
    user = request.getfixturevalue(persona)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    response = client.get(step_url(draft))
    assert response.status_code in (403, 404)
    assert b"Secret draft" not in response.content
    assert row("C1").justification == "Strong <b>policy</b>"


def test_kept_post_is_never_applied_to_another_assessment(client, draft, officer, rubric_version):
    from qa_tool.assessments.services import assessment_start

    from ..factories import CycleFactory

    other, _ = assessment_start(
        institution=draft.institution,
        rubric_version=rubric_version,
        cycle=CycleFactory(name="2027"),
    )
    data = loaded_form(client, draft)
    data["D1-C1-justification"] = "For the 2026 assessment"
    expire(client)
    client.post(step_url(draft), {**data, "save_draft": "1"})
    client.login(username="officer", password=PASSWORD)
    page = client.get(step_url(other)).content.decode()
    assert "For the 2026 assessment" not in page and "were restored" not in page
    assert "For the 2026 assessment" in client.get(step_url(draft)).content.decode()


def test_kept_post_holds_only_the_steps_answer_fields(client, draft):
    data = loaded_form(client, draft)
    expire(client)
    client.post(
        step_url(draft),
        {**data, "D1-C1-justification": "x", "junk": "y" * 1000, "D2-C4-level": "1"},
    )
    (entry,) = client.session[UNSAVED_KEY].values()
    assert set(entry["data"]) == set(data) | {"D1-C1-justification"}


# --- 3. the reviewer's proposed levels --------------------------------------------------------


def test_returned_officer_sees_proposed_levels_and_marked_steps(client, draft):
    Response.objects.filter(criterion__code="C2").update(
        reviewed_value=Decimal("1"), review_comment=""
    )
    Response.objects.filter(criterion__code="C4").update(review_comment="Say more")
    draft.status = Status.RETURNED
    draft.save()
    page = client.get(step_url(draft)).content.decode()
    assert "Reviewer's proposed level: Level 1" in page
    steps = re.search(r'<nav class="steps".*?</nav>', page, re.S).group(0)
    d1, d2, review = re.findall(r"<li.*?</li>", steps, re.S)
    assert "(has reviewer notes)" in d1 and "(has reviewer notes)" in d2
    assert "review-mark" in d1 and "(has reviewer notes)" not in review


def test_no_marker_without_reviewer_notes(client, draft):
    page = client.get(step_url(draft)).content.decode()
    assert "(has reviewer notes)" not in page and "proposed level" not in page


# --- 4. Enter ---------------------------------------------------------------------------------


def test_the_first_submit_button_is_save_and_continue(client, draft):
    page = client.get(step_url(draft)).content.decode()
    form = page[page.index('<form method="post"') :]
    first = re.search(r"<button[^>]*>[^<]*</button>", form).group(0)
    assert 'class="default-submit"' in first and "Save and continue" in first
    assert "wizard_goto_step" not in first and "save_draft" not in first
