"""The "how scoring works" page: drawn from the version's own settings, in the reader's language."""

from __future__ import annotations

from django.urls import reverse

from ..factories import acode_doc, import_doc, rubric_doc


def page_of(client, version, language="en"):
    url = reverse("rubrics:scoring", args=[version.rubric.slug, version.version])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_domains_aggregation_scale_weights_bands_and_pass_rule(client, officer, rubric_version):
    client.force_login(officer)
    page = page_of(client, rubric_version)
    # Scale 0..3: each level's value and label, and its share of the criterion's score.
    assert "Level 0" in page and "Level 3" in page
    assert "33.3 %" in page and "66.7 %" in page and "100.0 %" in page
    assert "weighted mean of the domain scores" in page
    # D1 weight 2 and D2 weight 1: two thirds and one third of the overall score.
    assert "Domain one" in page and "Domain two" in page
    # Within D1 (C1 w1, C2 w2, C3 w1): 25 %, 50 %, 25 %; within D2 (C4 w1, C5 w3): 25 %, 75 %.
    assert "50.0 %" in page and "75.0 %" in page and "25.0 %" in page
    assert page.count("critical") >= 1 and "N/A allowed" in page
    # Bands at 0, 50 and 80 %, and the pass rule with its critical minimum.
    assert "Low" in page and "Middle" in page and "High" in page
    assert "at least 60 %" in page and "level value 2 or above" in page
    assert "1 critical criterion" in page
    # Any rubric may be rated by a panel: without a declared rule, the default is stated.
    assert "the level most raters chose (a tie goes to the lower level)" in page


def test_criteria_aggregation_points_requires_pass_and_consensus(client, officer):
    doc = rubric_doc(
        slug="points-rubric",
        aggregate="criteria",
        bands=[
            {"min_points": 0, "label": "Below"},
            {"min_points": 20, "label": "Meets", "requires_pass": True},
        ],
        consensus="median",
        **{"pass": {"min_points": 18, "critical_min_value": 3}},
    )
    version = import_doc(doc)
    client.force_login(officer)
    page = page_of(client, version)
    assert "points earned out of points possible" in page
    # Eight weight units over all criteria: C5 (w3) is 37.5 % of the whole.
    assert "37.5 %" in page
    assert "20 points" in page and "Only if the assessment passes" in page
    assert "at least 18 points" in page and "level value 3 or above" in page
    assert "Consensus between reviewers" in page
    assert "consensus is the lower median of the raters' levels" in page


def test_the_page_is_in_the_readers_language(client, officer, rubric_version):
    officer.language = "fr"
    officer.save()
    client.force_login(officer)
    page = page_of(client, rubric_version, language="en")
    assert 'lang="fr"' in page and "Level 3 (fr)" in page and "Domain one (fr)" in page


def test_linked_from_the_wizard_and_the_results(client, officer, assessment):
    client.force_login(officer)
    version = assessment.rubric_version
    url = reverse("rubrics:scoring", args=[version.rubric.slug, version.version])
    results = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert url in results
    wizard = client.get(
        reverse("assessments:fill", args=[assessment.pk]), follow=True
    ).content.decode()
    assert url in wizard


def test_signed_out_readers_are_sent_to_log_in(client, rubric_version):
    url = reverse("rubrics:scoring", args=[rubric_version.rubric.slug, rubric_version.version])
    assert client.get(url).status_code == 302


def test_range_gates_and_profiles_are_explained(client, officer):
    client.force_login(officer)
    page = page_of(client, import_doc(acode_doc()))
    # Levels 1..5 read as a range: 0, 25, 50, 75 and 100 % of the criterion's score.
    scale = page[page.index("scoring-scale") : page.index("</table>")]
    assert [s.split("<")[0] for s in scale.split('<td class="num">')[2::2]] == [
        "0.0 %",
        "25.0 %",
        "50.0 %",
        "75.0 %",
        "100.0 %",
    ]
    assert "so the lowest level counts as 0" in page
    gated = rubric_doc(slug="gated-rubric")
    gated["domains"][1]["min_score"] = 50
    page = page_of(client, import_doc(gated))
    assert "each of these domains at or above its minimum" in page and "D2</bdi> 50 %" in page
    page = page_of(client, import_doc(acode_doc(slug="acode-profile", overall="none")))
    assert "This rubric gives no score, band or pass" in page
