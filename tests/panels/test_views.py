"""Panel pages: who sees what. Raters are independent (by page and by URL), another
institution's people get 404, only the lead confirms, an override needs a justification."""

from decimal import Decimal

import pytest
from django.urls import reverse

from qa_tool.assessments.models import Response
from qa_tool.assessments.services import AnswerInput
from qa_tool.panels.models import Panel, Rating
from qa_tool.panels.services import rater_submit, rating_save


def url(name, assessment, step=None):
    args = [assessment.pk] + ([step] if step else [])
    return reverse(f"panels:{name}", args=args)


def seats(panel):
    return list(panel.raters.order_by("pk"))


def test_officer_sets_up_a_panel_and_adds_raters(client, assessment, officer, colleagues):
    client.force_login(officer)
    page = client.get(url("panel", assessment)).content.decode()
    assert "Set up a panel" in page
    client.post(url("panel", assessment), {"create": "1", "kind": "self"})
    panel = Panel.objects.get(assessment=assessment)
    assert panel.lead == officer and panel.kind == "self"
    client.post(
        url("panel", assessment),
        {"add_rater": "1", "username": "rater1", "perspective": "students"},
    )
    (rater,) = panel.raters.all()
    assert rater.user == colleagues[0] and rater.perspective == "students"


def test_officer_cannot_set_up_an_external_panel(client, assessment, officer):
    client.force_login(officer)
    client.post(url("panel", assessment), {"create": "1", "kind": "external"})
    assert not Panel.objects.exists()


def test_a_non_lead_cannot_add_raters(client, panel, dean):
    client.force_login(dean)
    response = client.post(url("panel", panel.assessment), {"add_rater": "1", "username": "dean"})
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["panel", "disagreement", "rate"])
def test_other_institution_gets_404(client, panel, outsider, name):
    client.force_login(outsider)
    assert client.get(url(name, panel.assessment)).status_code == 404


def test_rater_wizard_saves_only_their_own_ratings(client, panel):
    first, second, _ = seats(panel)
    client.force_login(first.user)
    step_url = url("rate_step", panel.assessment, "D1")
    page = client.get(step_url)
    assert page.status_code == 200
    client.post(
        step_url,
        {"D1-C1-level": "2", "D1-C1-justification": "Mine", "D1-C2-level": "1", "save_draft": "1"},
    )
    rating = Rating.objects.get(rater=first, criterion__code="C1")
    assert (rating.value, rating.justification) == (2, "Mine")
    assert not Rating.objects.filter(rater=second).exists()
    # The assessment's own answers are untouched.
    assert Response.objects.get(assessment=panel.assessment, criterion__code="C1").value == 3


def test_raters_do_not_see_each_other_before_submitting(client, panel):
    first, second, _ = seats(panel)
    rating_save(
        rater=second,
        answers={"C1": AnswerInput(value=Decimal(0), justification="SECOND-RATER-SECRET")},
    )
    rater_submit(rater=second)
    client.force_login(first.user)
    # By page: the panel page shows progress but no levels; the wizard only their own.
    page = client.get(url("panel", panel.assessment)).content.decode()
    assert "SECOND-RATER-SECRET" not in page and "consensus" not in page.lower().split("<h2>")[-1]
    wizard = client.get(url("rate_step", panel.assessment, "D1")).content.decode()
    assert "SECOND-RATER-SECRET" not in wizard
    # A self-assessment panel rates independently of the shared answers too.
    assert "self-assessment:" not in wizard
    assert 'value="0" checked' not in wizard.replace("checked ", "checked")
    # By URL: the disagreement view is refused.
    assert client.get(url("disagreement", panel.assessment)).status_code == 403
    # After submitting: the consensus and agreement, still nobody's levels or names.
    rating_save(rater=first, answers={"C1": AnswerInput(value=Decimal(3))})
    rater_submit(rater=first)
    page = client.get(url("panel", panel.assessment)).content.decode()
    assert "The panel&#x27;s consensus" in page or "The panel's consensus" in page
    assert "SECOND-RATER-SECRET" not in page
    assert client.get(url("disagreement", panel.assessment)).status_code == 403
    # A submitted rater's wizard sends them back to the panel page.
    response = client.get(url("rate_step", panel.assessment, "D1"))
    assert response.status_code == 302 and response.url == url("panel", panel.assessment)


def test_institution_people_not_on_the_panel(client, panel, dean):
    client.force_login(dean)
    assert client.get(url("panel", panel.assessment)).status_code == 200
    assert client.get(url("rate", panel.assessment)).status_code == 403
    assert client.get(url("disagreement", panel.assessment)).status_code == 403


def _submit_three(panel):
    levels = [
        {"C1": 3, "C2": 2, "C4": 0},
        {"C1": 1, "C2": 2, "C4": 2},
        {"C1": 3, "C2": 3, "C4": 1},
    ]
    for rater, mine in zip(seats(panel), levels, strict=True):
        rating_save(
            rater=rater,
            answers={
                c: AnswerInput(value=Decimal(v), justification=f"{rater.user.username}-{c}")
                for c, v in mine.items()
            },
        )
        rater_submit(rater=rater)


@pytest.mark.parametrize("persona", ["officer", "reviewer"])
def test_lead_and_reviewers_see_every_rater(client, panel, persona, request):
    _submit_three(panel)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(url("disagreement", panel.assessment)).content.decode()
    for name in ("rater1-C1", "rater2-C1", "rater3-C4"):
        assert name in page
    # The most disagreement first: C4 (0, 2, 1) before C1 (3, 1, 3) before C2.
    assert page.index("criterion-C4") < page.index("criterion-C1") < page.index("criterion-C2")
    assert ("Confirm the final levels" in page) == (persona == "officer")


def test_reviewer_cannot_confirm_a_self_panel(client, panel, reviewer):
    _submit_three(panel)
    client.force_login(reviewer)
    assert client.post(url("disagreement", panel.assessment), {}).status_code == 403


def test_lead_confirms_with_an_override(client, panel, officer):
    _submit_three(panel)
    client.force_login(officer)
    data = {f"C{i}-level": "consensus" for i in range(1, 6)}
    data["C1-level"] = "2"
    response = client.post(url("disagreement", panel.assessment), data)
    assert response.status_code == 200
    assert "needs a justification" in response.content.decode()
    assert Response.objects.get(assessment=panel.assessment, criterion__code="C1").value == 3
    data["C1-justification"] = "Evidence only for two faculties."
    response = client.post(url("disagreement", panel.assessment), data)
    assert response.status_code == 302
    rows = {
        r.criterion.code: r
        for r in Response.objects.filter(assessment=panel.assessment).select_related("criterion")
    }
    assert rows["C1"].value == 2 and rows["C1"].justification == "Evidence only for two faculties."
    assert rows["C4"].value == 0  # consensus of 0, 2, 1 (a tie: the lowest)
    assert rows["C2"].value == 2


def test_results_page_links_the_panel(client, panel, officer):
    client.force_login(officer)
    page = client.get(reverse("assessments:score", args=[panel.assessment.pk])).content.decode()
    assert url("panel", panel.assessment) in page


def test_history_tells_the_panels_events(client, panel, officer):
    _submit_three(panel)
    client.force_login(officer)
    data = {f"C{i}-level": "consensus" for i in range(1, 6)}
    data.update({"C1-level": "2", "C1-justification": "Two faculties only."})
    client.post(url("disagreement", panel.assessment), data)
    page = client.get(reverse("assessments:history", args=[panel.assessment.pk])).content.decode()
    for text in ("Review panel set up", "Rater added", "Ratings submitted"):
        assert text in page
    assert "Final level other than the consensus" in page and "Two faculties only." in page


def test_dashboard_lists_ones_panels(client, panel, outsider, reviewer):
    first = seats(panel)[0]
    client.force_login(first.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Panels where you rate" in page and url("panel", panel.assessment) in page
    client.force_login(outsider)
    assert "Panels where you rate" not in client.get(reverse("dashboard")).content.decode()


def test_external_panel_seats_a_peer_of_another_institution(
    client, assessment, officer, reviewer, outsider
):
    from qa_tool.assessments.services import assessment_save_answers, assessment_submit

    assessment_save_answers(assessment=assessment, answers={"C5": AnswerInput(value=Decimal(1))})
    assessment_submit(assessment=assessment, actor=officer)
    client.force_login(reviewer)
    client.post(url("panel", assessment), {"create": "1", "kind": "external"})
    client.post(url("panel", assessment), {"add_rater": "1", "username": "outsider"})
    client.post(url("panel", assessment), {"add_rater": "1", "username": "officer"})
    panel = Panel.objects.get(assessment=assessment)
    assert [r.user for r in panel.raters.all()] == [outsider]
    # The peer reaches the assessment only through their seat: their own wizard, not the rest.
    client.force_login(outsider)
    wizard = client.get(url("rate_step", assessment, "D1"))
    assert wizard.status_code == 200
    # An external rater reviews the institution's self-assessment, shown beside each criterion.
    assert "The institution's self-assessment:" in wizard.content.decode()
    assert client.get(url("panel", assessment)).status_code == 200
    assert client.get(reverse("assessments:score", args=[assessment.pk])).status_code == 404
    assert client.get(url("disagreement", assessment)).status_code == 403


def test_rubric_page_names_the_consensus_rule(client, officer, rubric_version):
    client.force_login(officer)
    page = client.get(reverse("rubrics:version", args=["test-rubric", "1"])).content.decode()
    assert "the level most raters chose" in page


def test_a_lead_who_rates_sees_nobody_before_submitting(client, panel, officer):
    from qa_tool.panels.services import rater_add

    _submit_three(panel)
    mine = rater_add(panel=panel, actor=officer, user=officer)
    client.force_login(officer)
    assert client.get(url("disagreement", panel.assessment)).status_code == 403
    assert "rater1-C1" not in client.get(url("panel", panel.assessment)).content.decode()
    rating_save(rater=mine, answers={"C1": AnswerInput(value=Decimal(2))})
    rater_submit(rater=mine)
    assert client.get(url("disagreement", panel.assessment)).status_code == 200
