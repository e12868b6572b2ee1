"""Peer figures never give an institution away: the audience, per-figure rules, frozen
releases and the reviewers' publish page."""

from fractions import Fraction as F

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from qa_tool.assessments.services import assessment_start
from qa_tool.benchmarks.audience import Audience
from qa_tool.benchmarks.disclosure import disclosable, smallest_disclosure
from qa_tool.benchmarks.models import BenchmarkRelease, DomainScore
from qa_tool.benchmarks.selectors import EXTREMES_WITHHELD, WITHHELD
from reports.charts import report_charts
from reports.context import build_report_context
from reports.json_report import report_json

from .test_peer_groups import add_peer, complete, groups_for, publish


@pytest.fixture
def home(institution, rubric_version, cycle):
    """The home institution, submitted: overall 71.3, D1 77.8, D2 58.3."""
    return complete(
        assessment_start(institution=institution, rubric_version=rubric_version, cycle=cycle)[0]
    )


def dean_view(assessment):
    return build_report_context(
        assessment=assessment, audience=Audience.institution(assessment.institution_id)
    )


def centre_view(assessment):
    return build_report_context(assessment=assessment, audience=Audience.centre())


def figures_of(context, group="all"):
    return next(g for g in context.benchmark.groups if g.key == group)


# --- the audience ----------------------------------------------------------------------------


def test_audience_of_people_and_of_commands(officer, dean, reviewer, admin_user, institution):
    assert Audience.of(reviewer) == Audience.centre() and not Audience.of(reviewer).anonymous
    assert Audience.of(admin_user) == Audience.centre()
    for person in (officer, dean):
        audience = Audience.of(person)
        assert audience == Audience.institution(institution.pk) and audience.anonymous
    # No role flags at all (signed out, or a bare object): never the centre's view.
    assert Audience.of(AnonymousUser()).anonymous
    assert Audience.of(object()) == Audience.institution(None)


# --- which statistics of a figure are shown --------------------------------------------------


def test_disclosable_statistics_by_group_size():
    assert disclosable(4, 5) == frozenset()
    assert disclosable(5, 5) == {"n", "mean", "rank"}
    assert disclosable(9, 5) == {"n", "mean", "rank"}
    assert disclosable(10, 5) == {"n", "mean", "rank", "median", "p25", "p75"}
    assert disclosable(12, 12) == disclosable(10, 5)  # the larger floor wins
    assert not {"min", "max"} & disclosable(1000, 5)


def test_five_peers_show_no_min_max_median_or_quartiles(home, rubric_version, cycle):
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    figures = groups_for(home)["all"].overall
    s = figures.summary
    # n and mean (315 / 5 = 63) only; 60 is the third peer's score, 40 and 90 are two others'.
    assert (s.n, s.mean) == (5, 63)
    assert (s.median, s.p25, s.p75, s.min, s.max) == (None,) * 5
    assert figures.rank == 80  # home (71.3) is above four of the five
    assert figures.withheld["min"] == str(EXTREMES_WITHHELD)
    assert "from 10 institutions up" in figures.withheld["median"]
    # The coordinating centre keeps every figure.
    full = groups_for(home, anonymous=False)["all"].overall.summary
    assert (full.median, full.p25, full.p75, full.min, full.max) == (60, 55, 70, 40, 90)


def test_ten_peers_show_interpolated_quartiles_but_never_min_or_max(home, rubric_version, cycle):
    for score in range(10, 101, 10):
        add_peer(rubric_version, cycle, overall=score)
    s = groups_for(home)["all"].overall.summary
    # Sorted 10..100; h = 9p/100: median h=4.5 -> 50 + .5*10; p25 h=2.25 -> 30 + .25*10;
    # p75 h=6.75 -> 70 + .75*10. None of 55, 32.5, 77.5 is a peer's score.
    assert (s.n, s.mean, s.median, s.p25, s.p75) == (10, 55, 55, F(65, 2), F(155, 2))
    assert (s.min, s.max) == (None, None)


def _without_d2(assessment):
    DomainScore.objects.filter(summary__assessment=assessment, code="D2").update(score=None)


def test_a_domain_answered_by_too_few_peers_is_withheld(home, rubric_version, cycle):
    peers = [add_peer(rubric_version, cycle, overall=40 + 5 * i) for i in range(6)]
    for peer in peers[1:]:
        _without_d2(peer)  # D2 all N/A for five of the six: answered by one peer only
    group = groups_for(home)["all"]
    assert group.shown and group.overall.summary.n == 6 and group.domains["D1"].summary.n == 6
    d2 = group.domains["D2"]
    assert not d2.shown and d2.summary.n == 0 and d2.summary.mean is None and d2.rank is None
    assert d2.reason == str(WITHHELD)
    assert groups_for(home, anonymous=False)["all"].domains["D2"].summary.n == 1


def test_a_domain_is_withheld_where_two_groups_differ_by_few_of_its_answerers(
    home, rubric_version, cycle, settings
):
    settings.BENCHMARK_SIMILAR_K = 20  # "most similar" = everyone: no extra set
    # Six peers in the home region, six outside: "all" (12) and "region" (6) are safe together.
    inside = [add_peer(rubric_version, cycle, overall=50 + i, country="UG") for i in range(6)]
    outside = [
        add_peer(rubric_version, cycle, overall=60 + i, region="west-africa", country="NG")
        for i in range(6)
    ]
    for peer in outside[2:]:
        _without_d2(peer)  # D2: 8 answerers in "all", 6 in "region": they differ by two
    groups = groups_for(home)
    assert groups["all"].shown and groups["region"].shown
    shown_d2 = [g for g in groups.values() if g.shown and g.domains["D2"].shown]
    assert not {"all", "region"} <= {g.key for g in shown_d2}
    answering = [
        frozenset(p.institution_id for p in g.peers if p.domains.get("D2") is not None)
        for g in shown_d2
    ]
    assert smallest_disclosure(answering, 5) is None
    assert all(g.domains["D1"].shown for g in groups.values() if g.shown)
    assert inside  # the six region peers answered every domain


def test_reasons_do_not_tell_how_many_peers_submitted(client, dean, home, rubric_version, cycle):
    for score in (40, 55, 60):
        add_peer(rubric_version, cycle, overall=score)
    publish(home)
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[home.pk])).content.decode()
    peers = page[page.index('id="peers"') : page.index('id="criteria"')]
    assert "Withheld to keep other institutions" in peers
    assert "fewer than" not in peers and "(n = 3)" not in peers and "has submitted yet" not in peers


# --- frozen releases -------------------------------------------------------------------------


def test_figures_do_not_change_for_institutions_until_the_next_release(
    home, reviewer, rubric_version, cycle
):
    for score in (40, 55, 60, 70, 80, 90):
        add_peer(rubric_version, cycle, overall=score, d1=score, d2=100 - score)
    assert not dean_view(home).benchmark.allowed
    assert "when the coordinating centre publishes them" in dean_view(home).benchmark.message
    publish(home)
    before = figures_of(dean_view(home))
    assert (before.n, before.overall.summary.mean) == (6, F(395, 6))

    # One more institution submits. Live figures before and after would give its overall
    # and every domain score away (7 * mean_after - 6 * mean_before).
    add_peer(rubric_version, cycle, overall=33, d1=21, d2=77)
    after = figures_of(dean_view(home))
    assert after.n == 6
    assert after.overall == before.overall and after.domains == before.domains
    live = figures_of(centre_view(home))
    assert live.n == 7 and 7 * live.overall.summary.mean - 6 * before.overall.summary.mean == 33

    publish(home)
    released = figures_of(dean_view(home))
    assert released.n == 7 and released.overall.summary.mean == live.overall.summary.mean
    assert BenchmarkRelease.objects.filter(rubric_version=rubric_version, cycle=cycle).count() == 2


def test_a_release_freezes_the_fields_that_decide_groups(home, rubric_version, cycle):
    peers = [add_peer(rubric_version, cycle, overall=40 + i) for i in range(6)]
    publish(home)
    moved = peers[0].institution
    moved.region, moved.country = "west-africa", "NG"
    moved.save()
    assert figures_of(dean_view(home), "region").n == 6  # as released
    assert figures_of(centre_view(home), "region").n == 5  # live


def test_reviewers_keep_every_figure_and_named_members(
    client, reviewer, home, rubric_version, cycle
):
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score, name=f"Peer {score}")
    client.force_login(reviewer)
    page = client.get(reverse("assessments:score", args=[home.pk])).content.decode()
    peers = page[page.index('id="peers"') : page.index('id="criteria"')]
    assert "Minimum" in peers and "40.0 %" in peers and "90.0 %" in peers and "Peer 40" in peers
    assert "Publish the peer figures now" in peers and "Not published yet." in peers


def test_institution_page_pdf_excel_json_and_charts_hold_back_single_scores(
    client, dean, home, rubric_version, cycle
):
    import io

    import openpyxl

    from reports.exporters import EXPORTERS

    # Not 40, 60 or 80: those are the home institution's percentile ranks.
    for score in (41, 56, 61, 71, 91):
        add_peer(rubric_version, cycle, overall=score)
    publish(home)
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[home.pk])).content.decode()
    peers = page[page.index('id="peers"') : page.index('id="criteria"')]
    assert "64.0 %" in peers  # the mean
    assert ">Minimum<" not in peers and ">Maximum<" not in peers
    for single in ("41.0 %", "91.0 %", "61.0 %", "56.0 %", "71.0 %"):
        assert single not in peers, single
    assert "as published by the coordinating centre" in peers
    assert "Publish" not in peers

    context = dean_view(home)
    body = report_json(context)
    overall = next(g for g in body["benchmark"]["groups"] if g["group"] == "all")["overall"]
    assert overall["n"] == 5 and overall["mean"] == 64.0 and overall["percentile_rank"] == 80.0
    for key in ("min", "max", "median", "p25", "p75"):
        assert overall[key] is None and overall["withheld"][key]
    assert body["benchmark"]["live"] is False and body["benchmark"]["published_at"]

    sheet = openpyxl.load_workbook(io.BytesIO(EXPORTERS["xlsx"].render(context)[2]))["Benchmark"]
    headers = [c.value for c in sheet[1]]
    assert "Minimum" not in headers and "Maximum" not in headers
    cells = {c.value for row in sheet.iter_rows(min_row=2) for c in row}
    assert not {0.41, 0.91, 0.61, 0.56, 0.71} & cells and 0.64 in cells

    charts = report_charts(context)
    assert "25th–75th percentile" not in charts["bars"] and "Peer median" not in charts["bars"]

    centre = centre_view(home)
    assert "Peer median" in report_charts(centre)["bars"]
    full = next(g for g in report_json(centre)["benchmark"]["groups"] if g["group"] == "all")
    assert (full["overall"]["min"], full["overall"]["max"]) == (41.0, 91.0)
    assert "withheld" not in full["overall"]


def test_export_report_as_institution_reads_the_release(home, rubric_version, cycle, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    path = tmp_path / "r.json"

    def export(*flags):
        args = [str(home.pk), "--format", "json", "-o", str(path), *flags]
        call_command("export_report", *args, stdout=StringIO())
        return json.loads(path.read_text())["benchmark"]

    assert "when the coordinating centre publishes them" in export("--as-institution")["message"]
    publish(home)
    overall = export("--as-institution")["groups"][0]["overall"]
    assert overall["n"] == 5 and overall["min"] is None
    assert export()["groups"][0]["overall"]["min"] == 40.0


# --- the publish page ------------------------------------------------------------------------


def test_reviewers_publish_a_release(client, reviewer, home, rubric_version, cycle):
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    url = reverse("benchmarks:releases", args=[rubric_version.pk, cycle.pk])
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "Not published yet." in page and "6 institutions" in page
    response = client.post(url, {"publish": "1"})
    assert response.status_code == 302 and response["Location"] == url
    release = BenchmarkRelease.objects.get()
    assert release.published_by == reviewer and release.scores.count() == 6
    assert "Not published yet." not in client.get(url).content.decode()
    missing = reverse("benchmarks:releases", args=[rubric_version.pk, 9999])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("persona", ["officer", "dean", "outsider"])
def test_institution_people_cannot_publish(client, request, persona, home, rubric_version, cycle):
    url = reverse("benchmarks:releases", args=[rubric_version.pk, cycle.pk])
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403
    assert client.post(url, {"publish": "1"}).status_code == 403
    assert not BenchmarkRelease.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, home, rubric_version, cycle):
    url = reverse("benchmarks:releases", args=[rubric_version.pk, cycle.pk])
    assert client.post(url, {"publish": "1"}).status_code == 302
    assert not BenchmarkRelease.objects.exists()


def test_a_release_one_submission_after_the_last_needs_a_deliberate_yes(
    client, reviewer, home, rubric_version, cycle
):
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    url = reverse("benchmarks:releases", args=[rubric_version.pk, cycle.pk])
    client.force_login(reviewer)
    client.post(url, {"publish": "1"})  # the first release: nothing to compare it with
    add_peer(rubric_version, cycle, overall=33)
    page = client.get(url).content.decode()
    assert "Changed since the last release: 1." in page and "Publish anyway" in page
    response = client.post(url, {"publish": "1"}, follow=True)
    assert "Not published: only 1 institution changed" in response.content.decode()
    assert BenchmarkRelease.objects.count() == 1
    client.post(url, {"publish": "1", "anyway": "1"})
    assert BenchmarkRelease.objects.count() == 2
    page = client.get(url).content.decode()
    assert "Changed since the last release: 0." in page and "Publish anyway" not in page
