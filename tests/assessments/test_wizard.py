"""The filling wizard through the test client: drafts that never get lost, conflicts, scoping."""

import pytest
from django.urls import reverse

from qa_tool.assessments.models import AuditEvent, Response, Status
from qa_tool.assessments.services import AnswerInput, assessment_save_answers, assessment_start

from ..factories import UserFactory


def step_url(assessment, step):
    return reverse("assessments:fill_step", args=[assessment.pk, step])


def d1_post(**extra):
    data = {
        "D1-C1-level": "3",
        "D1-C1-justification": "Typed in D1",
        "D1-C1-links": "https://example.org/policy.pdf",
        "D1-C1-revision": "1",
        "D1-C2-level": "1",
        "D1-C2-justification": "",
        "D1-C2-links": "",
        "D1-C2-revision": "1",
        "D1-C3-level": "",
        "D1-C3-justification": "still thinking",
        "D1-C3-links": "",
        "D1-C3-revision": "1",
    }
    data.update(extra)
    return data


def answers():
    return {
        r.criterion.code: (r.value, r.is_na, r.justification, r.evidence_links)
        for r in Response.objects.select_related("criterion")
    }


@pytest.fixture
def draft(assessment, officer, client):
    client.force_login(officer)
    return assessment


def test_first_visit_redirects_to_the_first_domain(client, draft):
    response = client.get(reverse("assessments:fill", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == step_url(draft, "D1")


def test_step_shows_criteria_descriptors_and_saved_answers(client, draft):
    page = client.get(step_url(draft, "D1")).content.decode()
    assert "Criterion one" in page and "C1 at 2" in page  # descriptor of level 2
    assert 'value="3"' in page and "checked" in page
    assert "Not applicable" in page  # C3 allows N/A
    assert page.count('value="na"') == 1  # only C3
    assert "Strong &lt;b&gt;policy&lt;/b&gt;" in page


def test_next_saves_and_moves_on(client, draft):
    response = client.post(step_url(draft, "D1"), d1_post(next="1"))
    assert response.status_code == 302 and response["Location"] == step_url(draft, "D2")
    assert answers()["C2"][0] == 1
    assert answers()["C1"][3] == "https://example.org/policy.pdf"


def test_back_and_jump_save_without_validating(client, draft):
    bad_links = d1_post(**{"D1-C1-links": "not a link", "wizard_goto_step": "D2"})
    response = client.post(step_url(draft, "D1"), bad_links)
    assert response["Location"] == step_url(draft, "D2")
    assert answers()["C1"][3] == "not a link"  # kept exactly as typed
    assert answers()["C3"][2] == "still thinking"
    page = client.get(step_url(draft, "D1")).content.decode()
    assert "not a link" in page and "still thinking" in page


def test_next_with_an_invalid_link_stays_with_an_error_but_saves(client, draft):
    response = client.post(
        step_url(draft, "D1"), d1_post(**{"D1-C1-links": "ftp://x\nhttps://ok.org"}, next="1")
    )
    assert response.status_code == 200
    assert "Not a web address (http or https): ftp://x" in response.content.decode()
    assert answers()["C1"][3] == "ftp://x\nhttps://ok.org"
    # the re-rendered form carries the new revision, so saving again is no conflict
    again = client.post(
        step_url(draft, "D1"),
        d1_post(
            **{
                "D1-C1-links": "https://ok.org",
                "D1-C1-revision": "2",
                "D1-C2-revision": "2",
                "D1-C3-revision": "2",
            },
            next="1",
        ),
    )
    assert again.status_code == 302


def test_save_draft_stays_on_the_step(client, draft):
    response = client.post(step_url(draft, "D1"), d1_post(save_draft="1"), follow=True)
    assert response.redirect_chain[-1][0] == step_url(draft, "D1")
    assert "Draft saved." in response.content.decode()


def test_unchanged_post_writes_no_audit_event(client, draft):
    client.post(step_url(draft, "D1"), d1_post(save_draft="1"))
    count = AuditEvent.objects.count()
    client.post(
        step_url(draft, "D1"),
        d1_post(
            save_draft="1", **{"D1-C1-revision": "2", "D1-C2-revision": "2", "D1-C3-revision": "2"}
        ),
    )
    assert AuditEvent.objects.count() == count


def test_a_level_not_on_the_scale_is_refused_and_nothing_saved(client, draft):
    before = answers()
    response = client.post(step_url(draft, "D1"), d1_post(**{"D1-C2-level": "9"}, next="1"))
    assert "9 is not a level of the scale" in response.content.decode()
    assert answers() == before


def test_na_where_not_allowed_is_refused(client, draft):
    before = answers()
    response = client.post(step_url(draft, "D1"), d1_post(**{"D1-C2-level": "na"}, save_draft="1"))
    assert "N/A is not allowed for this criterion" in response.content.decode()
    assert answers() == before


def test_conflict_is_detected_and_shown_and_nothing_overwritten(client, draft, officer):
    colleague = UserFactory(
        username="colleague",
        role="officer",
        institution=draft.institution,
        first_name="Ama",
        last_name="Mensah",
    )
    # the colleague saves C1 after our page was loaded with revision 1
    assessment_save_answers(
        assessment=draft,
        answers={"C1": AnswerInput(value=1, justification="Colleague's view")},
        actor=colleague,
        base_revisions={"C1": 1},
    )
    response = client.post(step_url(draft, "D1"), d1_post(next="1"))
    assert response.status_code == 409
    page = response.content.decode()
    assert (
        "Changed by someone else" in page
        and "Ama Mensah" in page
        and "Colleague&#x27;s view" in page
    )
    assert answers()["C1"][2] == "Colleague's view"
    assert answers()["C2"][0] == 2  # nothing of the step was saved
    # the officer's typed text is still on the page, and saving again now wins
    assert "Typed in D1" in page
    again = client.post(step_url(draft, "D1"), d1_post(next="1", **{"D1-C1-revision": "2"}))
    assert again.status_code == 302
    assert answers()["C1"][2] == "Typed in D1"


def test_two_assessments_keep_separate_wizard_storage(client, draft, officer, rubric_version):
    from ..factories import CycleFactory

    other, _ = assessment_start(
        institution=draft.institution,
        rubric_version=rubric_version,
        cycle=CycleFactory(name="2027"),
    )
    client.get(step_url(draft, "D2"))
    client.get(step_url(other, "D1"))
    # each assessment resumes at its own step
    assert client.get(reverse("assessments:fill", args=[draft.pk]))["Location"] == step_url(
        draft, "D2"
    )
    assert client.get(reverse("assessments:fill", args=[other.pk]))["Location"] == step_url(
        other, "D1"
    )


def test_answers_survive_a_new_session(client, draft, officer):
    client.post(step_url(draft, "D1"), d1_post(save_draft="1"))
    client.logout()
    client.force_login(officer)
    page = client.get(step_url(draft, "D1")).content.decode()
    assert "Typed in D1" in page and "https://example.org/policy.pdf" in page


def test_autosave_returns_new_revisions(client, draft):
    response = client.post(step_url(draft, "D1"), d1_post(save_draft="1"), HTTP_X_AUTOSAVE="1")
    body = response.json()
    assert body["ok"] is True and body["revisions"]["C1"] == 2


def test_review_step_lists_missing_and_submit_is_refused_until_complete(client, draft):
    page = client.get(step_url(draft, "review")).content.decode()
    assert "Before you can submit" in page and "missing: C5" in page
    assert "63.0 %" in page
    response = client.post(step_url(draft, "review"), {"submit": "1"}, follow=True)
    assert "missing: C5" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_when_complete_makes_it_read_only(
    client, draft, officer, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="rev", role="reviewer", institution=None, email="rev@example.org")
    assessment_save_answers(assessment=draft, answers={"C5": AnswerInput(value=2)})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(draft, "review"), {"submit": "1"}, follow=True)
    assert "submitted for review" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.submitted_at
    assert [m.to for m in mailoutbox] == [["rev@example.org"]]
    assert "Submitted for review: Home University" in mailoutbox[0].subject
    # the wizard is closed now, and a forged post changes nothing
    response = client.get(step_url(draft, "D1"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessments:score", args=[draft.pk]
    )
    before = answers()
    client.post(step_url(draft, "D1"), d1_post(**{"D1-C1-level": "0"}, next="1"))
    assert answers() == before


@pytest.mark.parametrize("persona", ["dean", "reviewer", "admin_user"])
def test_only_officers_of_the_institution_may_fill(client, request, assessment, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(step_url(assessment, "D1")).status_code == 403
    assert client.post(step_url(assessment, "D1"), d1_post(next="1")).status_code == 403


def test_outsider_gets_404_on_every_wizard_url(client, outsider, assessment):
    client.force_login(outsider)
    before = answers()
    for url in (
        reverse("assessments:fill", args=[assessment.pk]),
        step_url(assessment, "D1"),
        step_url(assessment, "review"),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, d1_post(next="1")).status_code == 404
    assert answers() == before


def test_anonymous_is_sent_to_login(client, assessment):
    response = client.get(step_url(assessment, "D1"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_wizard_page_query_count_does_not_depend_on_answers(
    client, draft, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        client.get(step_url(draft, "D1"))


def test_previous_cycle_actions_show_next_to_the_criteria(
    client, officer, assessment, rubric_version
):
    from qa_tool.actions.models import ActionItem
    from qa_tool.actions.services import action_plan_generate

    from ..factories import CycleFactory

    action_plan_generate(assessment=assessment, actor=officer)  # the 2026 plan: C2 and C4
    ActionItem.objects.filter(criterion__code="C2").update(status="done")
    later, _ = assessment_start(
        institution=assessment.institution,
        rubric_version=rubric_version,
        cycle=CycleFactory(name="2027"),
    )
    client.force_login(officer)
    page = client.get(step_url(later, "D1")).content.decode()
    assert "Action planned in cycle 2026:" in page
    assert "Refine C2" in page and "action-status-done" in page


def test_an_expired_session_loses_nothing_saved(client, draft, officer):
    client.post(step_url(draft, "D1"), d1_post(save_draft="1"))
    session = client.session
    session.set_expiry(-1)  # the session cookie has expired
    session.save()
    response = client.get(step_url(draft, "D1"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.post(reverse("login"), {"username": "officer", "password": "pw-for-tests"})
    page = client.get(step_url(draft, "D1")).content.decode()
    assert "Typed in D1" in page and "still thinking" in page
