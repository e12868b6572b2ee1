"""Benchmarks: peer figures, anonymity, differencing, give to get, trends, query counts."""

import re
from decimal import Decimal
from fractions import Fraction as F

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_tool.assessments.models import Assessment, Status
from qa_tool.assessments.services import (
    AnswerInput,
    ReviewInput,
    assessment_return,
    assessment_save_answers,
    assessment_save_review,
    assessment_start,
    assessment_submit,
    assessment_validate,
)
from qa_tool.benchmarks.comparison import pool_changed
from qa_tool.benchmarks.disclosure import smallest_disclosure
from qa_tool.benchmarks.models import ComparisonFigures, DomainScore, ScoreSummary
from qa_tool.benchmarks.selectors import (
    WITHHELD,
    comparison_rows,
    institution_trend,
    own_peer,
    peer_groups,
    peer_pool,
    similarity_distance,
)
from qa_tool.benchmarks.services import benchmark_release_publish
from qa_tool.benchmarks.statistics import summarise

from ..factories import CycleFactory, InstitutionFactory, import_doc, rubric_doc


def add_peer(version, cycle, *, overall, d1=None, d2=None, status=Status.SUBMITTED, **fields):
    institution = InstitutionFactory(**fields)
    assessment = Assessment.objects.create(
        institution=institution, rubric_version=version, cycle=cycle, status=status
    )
    summary = ScoreSummary.objects.create(
        assessment=assessment,
        source="self",
        overall=Decimal(overall),
        self_overall=Decimal(overall),
        completion=100,
        counts=status in (Status.SUBMITTED, Status.VALIDATED),
    )
    DomainScore.objects.bulk_create(
        [
            DomainScore(
                summary=summary, code="D1", score=Decimal(d1 if d1 is not None else overall)
            ),
            DomainScore(
                summary=summary, code="D2", score=Decimal(d2 if d2 is not None else overall)
            ),
        ]
    )
    return assessment


def complete(assessment, values=(3, 2, "na", 1, 2)):
    answers = {
        f"C{i}": AnswerInput(na=True) if v == "na" else AnswerInput(value=v)
        for i, v in enumerate(values, start=1)
    }
    assessment_save_answers(assessment=assessment, answers=answers)
    assessment_submit(assessment=assessment)
    return assessment


@pytest.fixture
def home(institution, rubric_version, cycle):
    assessment, _ = assessment_start(
        institution=institution, rubric_version=rubric_version, cycle=cycle
    )
    return complete(assessment)


def groups_for(assessment, anonymous=True):
    pool = peer_pool(rubric_version_id=assessment.rubric_version_id, cycle_id=assessment.cycle_id)
    return {
        g.key: g
        for g in peer_groups(
            institution=assessment.institution,
            own=own_peer(pool, assessment),
            pool=pool,
            domain_codes=["D1", "D2"],
            anonymous=anonymous,
        )
    }


def test_submitting_writes_the_summary(home):
    summary = ScoreSummary.objects.get(assessment=home)
    # C1=3, C2=2, C3=N/A, C4=1, C5=2: D1 = 7/9, D2 = 7/12, overall = (14/9 + 7/12) / 3
    assert summary.counts and summary.source == "self"
    assert summary.overall == Decimal("71.296296")
    assert {d.code: d.score for d in summary.domains.all()} == {
        "D1": Decimal("77.777778"),
        "D2": Decimal("58.333333"),
    }


def test_returned_leaves_and_validated_uses_the_reviewer_levels(home, reviewer):
    assessment_return(assessment=home, actor=reviewer, comment="fix")
    assert ScoreSummary.objects.get(assessment=home).counts is False
    assessment_submit(assessment=home)
    assessment_save_review(assessment=home, reviews={"C1": ReviewInput(value=1)}, actor=reviewer)
    assessment_validate(assessment=home, actor=reviewer)
    summary = ScoreSummary.objects.get(assessment=home)
    assert summary.counts and summary.source == "validated"
    assert summary.overall == Decimal("56.481481")  # C1 at 1: (10/9 + 7/12) / 3
    assert summary.self_overall == Decimal("71.296296")


def test_worked_example_of_the_statistics(home, rubric_version, cycle, settings):
    # five peers: overall 40, 55, 60, 70, 90
    for score in (40, 55, 60, 70, 90):
        add_peer(rubric_version, cycle, overall=score)
    figures = groups_for(home, anonymous=False)["all"].overall
    s = figures.summary
    assert (s.n, s.mean, s.median, s.p25, s.p75, s.min, s.max) == (5, 63, 60, 55, 70, 40, 90)
    # home scores 71.296...: above 4 of the 5 peers -> percentile rank 80
    assert figures.rank == 80


def test_a_group_needs_five_other_institutions(home, rubric_version, cycle):
    for score in (40, 55, 60, 70):
        add_peer(rubric_version, cycle, overall=score)
    group = groups_for(home)["all"]
    assert group.n == 4 and not group.shown and group.overall is None
    assert group.reason == str(WITHHELD)
    add_peer(rubric_version, cycle, overall=80)
    assert groups_for(home)["all"].shown


def test_drafts_and_other_rubrics_and_cycles_do_not_count(home, rubric_version, cycle):
    for score in (40, 55, 60, 70):
        add_peer(rubric_version, cycle, overall=score)
    add_peer(rubric_version, cycle, overall=99, status=Status.DRAFT)
    add_peer(rubric_version, CycleFactory(name="2025"), overall=99)
    add_peer(import_doc(rubric_doc(version="2")), cycle, overall=99)
    assert groups_for(home)["all"].n == 4


def test_nested_groups_differing_by_fewer_than_five_are_withheld(home, rubric_version, cycle):
    # six peers in the home region (east-africa) and one elsewhere: "all" has 7, "region" 6.
    for score in (40, 50, 60, 70, 80, 90):
        add_peer(rubric_version, cycle, overall=score, region="east-africa", country="UG")
    add_peer(rubric_version, cycle, overall=10, region="west-africa", country="NG")
    groups = groups_for(home)
    assert groups["all"].shown
    # region shown beside "all" would give away the one institution outside it
    assert not groups["region"].shown and groups["region"].reason == str(WITHHELD)
    assert_nothing_small_disclosed(groups)


def assert_nothing_small_disclosed(groups):
    shown = [frozenset(p.institution_id for p in g.peers) for g in groups.values() if g.shown]
    assert smallest_disclosure(shown, 5) is None


def test_overlapping_groups_that_together_reveal_a_few_are_withheld(
    home, rubric_version, cycle, settings
):
    settings.BENCHMARK_SIMILAR_K = 20  # "most similar" = everyone: it adds no new set
    # home: KE, east-africa, public, medium. Region peers 1..6, type peers 6..11, 12 and 13 neither.
    for i in range(1, 14):
        in_region = i <= 6
        public = 6 <= i <= 11
        add_peer(
            rubric_version,
            cycle,
            overall=40 + i,
            region="east-africa" if in_region else "west-africa",
            country="UG" if in_region else "NG",
            type="public" if public else "private",
            size_band="large",
        )
    groups = groups_for(home)
    assert groups["all"].shown
    # each of region and type alone is safe beside "all"; the three together are not
    assert not (groups["region"].shown and groups["type"].shown)
    assert str(WITHHELD) in (groups["region"].reason + groups["type"].reason)
    assert_nothing_small_disclosed(groups)


def publish(assessment):
    return benchmark_release_publish(
        rubric_version_id=assessment.rubric_version_id, cycle_id=assessment.cycle_id, actor=None
    )


def test_only_fixed_groups_can_be_asked_for(client, dean, home, rubric_version, cycle):
    for score in (40, 50, 60, 70, 80, 90):
        add_peer(rubric_version, cycle, overall=score)
    publish(home)
    client.force_login(dean)
    url = reverse("assessments:score", args=[home.pk])
    plain = client.get(url).content.decode()
    crafted = client.get(
        url,
        {
            "group": "region&type=private",
            "region": "east-africa",
            "type": "private",
            "country": "KE",
        },
    ).content.decode()

    def peers_section(page):
        return page[page.index('id="peers"') : page.index('id="criteria"')]

    assert peers_section(crafted) == peers_section(plain)  # unknown parameters change nothing
    assert "Test University" not in plain  # no peer names for institution users


def test_give_to_get(client, officer, institution, rubric_version, cycle):
    for score in (40, 50, 60, 70, 80, 90):
        add_peer(rubric_version, cycle, overall=score)
    draft, _ = assessment_start(institution=institution, rubric_version=rubric_version, cycle=cycle)
    client.force_login(officer)
    page = client.get(reverse("assessments:score", args=[draft.pk])).content.decode()
    assert "appear once your institution has submitted" in page
    assert "Peer median" not in page
    complete(draft)
    page = client.get(reverse("assessments:score", args=[draft.pk])).content.decode()
    assert "will appear when the coordinating centre publishes them" in page
    assert "Peer median" not in page
    publish(draft)
    page = client.get(reverse("assessments:score", args=[draft.pk])).content.decode()
    assert "Peer median" in page and "(n = 6)" in page


def test_reviewers_see_named_members_even_of_small_groups(
    client, reviewer, home, rubric_version, cycle
):
    add_peer(rubric_version, cycle, overall=50, name="Small Peer University")
    client.force_login(reviewer)
    page = client.get(reverse("assessments:score", args=[home.pk])).content.decode()
    assert "Small Peer University" in page and "(n = 1)" in page


def test_most_similar_institutions(home, rubric_version, cycle, settings):
    settings.BENCHMARK_SIMILAR_K = 5
    twins = [
        add_peer(
            rubric_version,
            cycle,
            overall=60 + i,
            region="east-africa",
            country="KE",
            type="public",
            size_band="medium",
            delivery_mode="blended",
        )
        for i in range(5)
    ]
    far = [
        add_peer(
            rubric_version,
            cycle,
            overall=20 + i,
            region="east-asia",
            country="CN",
            type="private",
            size_band="very-large",
            delivery_mode="online",
        )
        for i in range(5)
    ]
    group = groups_for(home)["similar"]
    assert {p.assessment_id for p in group.peers} == {a.pk for a in twins}
    assert "closest to yours" in group.explanation
    assert similarity_distance(home.institution, twins[0].institution) == 0
    # size medium -> very large is 2 of 3 band steps; type, region, country and mode differ
    assert similarity_distance(home.institution, far[0].institution) == pytest.approx(
        (4 + (2 / 3) ** 2) ** 0.5
    )


def test_trend_across_versions_flags_changed_domains(institution, rubric_version):
    first = complete(
        assessment_start(
            institution=institution, rubric_version=rubric_version, cycle=CycleFactory(name="2025")
        )[0]
    )
    changed = rubric_doc(version="2")
    changed["domains"][1]["criteria"][1]["weight"] = 1  # D2 changes, D1 does not
    second = complete(
        assessment_start(
            institution=institution,
            rubric_version=import_doc(changed),
            cycle=CycleFactory(name="2026"),
        )[0]
    )
    trend = institution_trend(assessment=second)
    assert [p.cycle for p in trend.points] == ["2025", "2026"]
    assert [p.version for p in trend.points] == ["1", "2"]
    assert trend.changed == {"D2": ["2026"]}
    assert trend.points[0].overall == F(Decimal("71.296296"))
    assert first.pk == trend.points[0].assessment_id


def test_compare_and_drill_down_for_reviewers(client, reviewer, home, rubric_version, cycle):
    add_peer(
        rubric_version,
        cycle,
        overall=55,
        d1=50,
        d2=60,
        name="Peer One",
        region="west-africa",
        country="NG",
    )
    client.force_login(reviewer)
    page = client.get(reverse("benchmarks:compare")).content.decode()
    assert "Home University" in page and "Peer One" in page
    assert "71.3 %" in page and "77.8 %" in page
    page = client.get(reverse("benchmarks:compare"), {"region": "west-africa"}).content.decode()
    assert "Peer One" in page and "Home University" not in page
    page = client.get(reverse("benchmarks:compare"), {"sort": "D1", "dir": "asc"}).content.decode()
    assert page.index("Peer One") < page.index("Home University")
    page = client.get(reverse("benchmarks:compare"), {"sort": "D1", "dir": "desc"}).content.decode()
    assert page.index("Home University") < page.index("Peer One")
    drill = client.get(reverse("benchmarks:drill_down", args=[home.pk, "D1"])).content.decode()
    assert "Criterion one" in drill and "100.0 %" in drill and "66.7 %" in drill
    assert client.get(reverse("benchmarks:drill_down", args=[home.pk, "ZZ"])).status_code == 404


@pytest.mark.parametrize("persona", ["officer", "dean", "outsider"])
def test_institution_people_cannot_compare(client, request, persona, home):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("benchmarks:compare")).status_code == 403
    assert client.get(reverse("benchmarks:drill_down", args=[home.pk, "D1"])).status_code == 403


def test_outsider_cannot_see_results_of_another_institution(client, outsider, home):
    client.force_login(outsider)
    assert client.get(reverse("assessments:score", args=[home.pk])).status_code == 404


def _seed(version, cycle, n):
    regions = ["east-africa", "west-africa", "east-asia"]
    for i in range(n):
        add_peer(
            version,
            cycle,
            overall=30 + (i * 7) % 60,
            region=regions[i % 3],
            type=["public", "private"][i % 2],
        )


def test_query_counts_do_not_grow_with_institutions(
    client, dean, reviewer, home, rubric_version, cycle, settings
):
    settings.BENCHMARK_FIGURES_INLINE_MAX = 1000  # the institutions' figures stored on publish
    _seed(rubric_version, cycle, 10)
    publish(home)
    results = reverse("assessments:score", args=[home.pk])
    compare = reverse("benchmarks:compare")
    client.force_login(dean)
    with CaptureQueriesContext(connection) as small_results:
        client.get(results)
    client.force_login(reviewer)
    client.get(compare)  # the pool's stamp and first figures written
    pool_changed(rubric_version_id=rubric_version.pk, cycle_id=cycle.pk)
    with CaptureQueriesContext(connection) as small_compare:
        client.get(compare)  # computed again after a change
    with CaptureQueriesContext(connection) as small_stored:
        client.get(compare)  # read as stored
    _seed(rubric_version, cycle, 190)
    publish(home)
    client.force_login(dean)
    with CaptureQueriesContext(connection) as large_results:
        page = client.get(results).content.decode()
    assert "(n = 200)" in page
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as large_compare:
        client.get(compare)
    with CaptureQueriesContext(connection) as large_stored:
        client.get(compare)
    assert len(large_results) == len(small_results)
    assert len(large_compare) == len(small_compare)
    assert len(large_stored) == len(small_stored) < len(small_compare)
    # Stored figures: nothing but the page's own rows is read from the scores.
    assert sum("benchmarks_domainscore" in q["sql"] for q in large_stored) == 1


def _selected(page, name):
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, flags=re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_compare_selectors_show_the_displayed_rubric_and_keep_it_with_filters(
    client, reviewer, home, rubric_version, cycle
):
    other = import_doc(rubric_doc(slug="z-other", title="Other rubric"))
    earlier = CycleFactory(name="2025")
    add_peer(other, earlier, overall=40, name="Other Peer", region="west-africa")
    add_peer(rubric_version, cycle, overall=55, name="Peer One", region="west-africa")
    client.force_login(reviewer)
    url = reverse("benchmarks:compare")

    # No choice yet: the newest rubric version and cycle with data are shown, and selected.
    page = client.get(url).content.decode()
    assert "Other Peer" in page and "Home University" not in page
    assert _selected(page, "version") == [str(other.pk)]
    assert _selected(page, "cycle") == ["2025"]
    assert ">Other rubric (1)</option>" in page and ">Test rubric (1)</option>" in page

    # A region chosen on that page keeps the rubric version and cycle shown.
    query = {"version": str(rubric_version.pk), "cycle": "2026"}
    page = client.get(url, {**query, "region": "west-africa"}).content.decode()
    assert "Peer One" in page and "Home University" not in page
    assert _selected(page, "version") == [str(rubric_version.pk)]
    assert _selected(page, "cycle") == ["2026"]
    assert _selected(page, "region") == ["west-africa"]

    # A filter value that is not a choice drops that filter, not the rubric version.
    page = client.get(url, {**query, "country": "XX"}).content.decode()
    assert "Home University" in page and "Peer One" in page
    assert _selected(page, "version") == [str(rubric_version.pk)]

    # The Excel download follows the same selection.
    response = client.get(reverse("reports:compare_xlsx"), {**query, "country": "XX"})
    assert "test-rubric" in response["Content-Disposition"]


def test_review_queue_lists_rubric_titles_not_slugs(client, reviewer, home):
    client.force_login(reviewer)
    page = client.get(reverse("assessments:review_queue")).content.decode()
    select = page.split('<select name="rubric"', 1)[1].split("</select>", 1)[0]
    assert '<option value="test-rubric">Test rubric</option>' in select
    assert ">test-rubric<" not in select


def test_admin_rubric_filters_list_titles(client, admin_user, home, rubric_version):
    other = import_doc(rubric_doc(slug="z-other", title="Other rubric"))
    add_peer(other, home.cycle, overall=40)
    client.force_login(admin_user)
    page = client.get(reverse("admin:assessments_assessment_changelist")).content.decode()
    assert "Test rubric (1)</a>" in page
    page = client.get(reverse("admin:rubrics_rubricversion_changelist")).content.decode()
    filters = page.split('id="changelist-filter"', 1)[1]
    assert "Test rubric</a>" in filters and "test-rubric</a>" not in filters


def test_compare_pages_by_100_keeping_filters_and_sort(
    client, reviewer, home, rubric_version, cycle
):
    _seed(rubric_version, cycle, 209)  # about 105 public institutions
    client.force_login(reviewer)
    url = reverse("benchmarks:compare")
    first = client.get(url, {"type": "public", "sort": "name", "dir": "asc"})
    rows = first.context["rows"]
    assert len(rows) == 100 and first.context["total"] > 100
    page = first.content.decode()
    assert "Page 1 of 2" in page
    assert "type=public&amp;sort=name&amp;dir=asc&amp;page=2" in page
    second = client.get(url, {"type": "public", "sort": "name", "dir": "asc", "page": 2})
    peers = [r.peer for r in rows] + [r.peer for r in second.context["rows"]]
    names = [p.name.lower() for p in peers]
    assert names == sorted(names) and len(names) == first.context["total"]
    assert all(p.type == "public" for p in peers)
    # Each cell links to its own institution's drill-down.
    cell = second.context["rows"][0].domains[0]
    peer = second.context["rows"][0].peer
    assert cell.href == reverse("benchmarks:drill_down", args=[peer.assessment_id, "D1"])
    assert f'href="{cell.href}"' in second.content.decode()
    # The statistics are over every matching institution, not just the page shown.
    assert first.context["stats"] == second.context["stats"]


def _domain_gaps(version, cycle):
    """Peers with six-decimal scores, ties, and domains left unscored (null)."""
    scores = ["71.296296", "33.333333", "66.666667", "50", "50", "99.999999", "0", "12.5"]
    for i, score in enumerate(scores):
        assessment = add_peer(
            version,
            cycle,
            overall=score,
            d1=score,
            name=f"Gap {i}",
            type=("public", "private")[i % 2],
        )
        if i % 3 == 0:
            DomainScore.objects.filter(summary__assessment=assessment, code="D2").update(score=None)
        if i == 5:
            ScoreSummary.objects.filter(assessment=assessment).update(overall=None)


@pytest.mark.parametrize("filters", [{}, {"type": "private"}, {"type": "public", "sort": "D2"}])
def test_compare_statistics_from_the_database_equal_the_definitions(
    client, reviewer, home, rubric_version, cycle, filters
):
    """The page asks the database for counts, sums and a few ranked rows; its statistics
    are exactly those of ``summarise`` over every matching institution's stored scores."""
    _domain_gaps(rubric_version, cycle)
    client.force_login(reviewer)
    stats = client.get(reverse("benchmarks:compare"), filters).context["stats"]
    pool = comparison_rows(
        peer_pool(rubric_version_id=rubric_version.pk, cycle_id=cycle.pk),
        type=filters.get("type", ""),
    )
    expected = {
        "overall": summarise([p.overall for p in pool if p.overall is not None]),
        **{
            code: summarise([p.domains[code] for p in pool if p.domains.get(code) is not None])
            for code in ("D1", "D2")
        },
    }
    assert stats == expected
    assert stats["D2"].n < stats["D1"].n  # the unscored domains are left out, not zeros


def test_compare_statistics_worked_example(client, reviewer, rubric_version, cycle):
    # Overall scores 10, 20, 30, 40.000001: mean 25.00000025, median 25,
    # p25 = 10 + 0.75 * 10 = 17.5, p75 = 30 + 0.25 * 10.000001 = 32.50000025.
    for score in ("10", "20", "30", "40.000001"):
        add_peer(rubric_version, cycle, overall=score)
    client.force_login(reviewer)
    response = client.get(reverse("benchmarks:compare"))
    overall = response.context["stats"]["overall"]
    assert (overall.n, overall.min, overall.max) == (4, 10, F("40.000001"))
    assert overall.mean == F("25.00000025") and overall.median == 25
    assert (overall.p25, overall.p75) == (F("17.5"), F("32.50000025"))
    assert "25.0 %" in response.content.decode()


def test_compare_figures_are_stored_and_follow_every_change_to_the_pool(
    client, reviewer, home, rubric_version, cycle
):
    """The page reads its figures from one stored row while the pool is unchanged, and
    shows the new figures after a submission, an institution's move to another region
    and a deletion."""
    add_peer(rubric_version, cycle, overall=55, name="Peer One", region="west-africa")
    client.force_login(reviewer)
    url = reverse("benchmarks:compare")

    def shown(**query):
        response = client.get(url, query)
        return response.context["total"], response.context["stats"]["overall"]

    assert shown() == (2, summarise([F("71.296296"), 55]))
    assert ComparisonFigures.objects.count() == 1
    # A submission through the services: the summary is written, the figures follow.
    late = complete(
        assessment_start(
            institution=InstitutionFactory(name="Late University", region="east-asia"),
            rubric_version=rubric_version,
            cycle=cycle,
        )[0]
    )
    total, overall = shown()
    assert total == 3 and overall.n == 3 and overall.max == F("71.296296")
    assert shown(region="east-asia")[0] == 1  # Late University alone
    # An institution moves: the region filter offers its new region at once.
    page = client.get(url).content.decode()
    assert 'value="north-africa"' not in page.split('name="region"', 1)[1].split("</select>")[0]
    mover = late.institution
    mover.region = "north-africa"
    mover.save()
    page = client.get(url).content.decode()
    assert 'value="north-africa"' in page.split('name="region"', 1)[1].split("</select>")[0]
    assert shown(region="north-africa")[0] == 1
    # A deletion takes the institution out of the figures.
    late.delete()
    assert shown() == (2, summarise([F("71.296296"), 55]))


def test_compare_sorts_missing_scores_last_both_ways(client, reviewer, rubric_version, cycle):
    _domain_gaps(rubric_version, cycle)
    client.force_login(reviewer)
    for direction in ("asc", "desc"):
        rows = client.get(reverse("benchmarks:compare"), {"sort": "D2", "dir": direction}).context[
            "rows"
        ]
        scores = [r.peer.domains.get("D2") for r in rows]
        known = [s for s in scores if s is not None]
        assert scores == known + [None] * (len(scores) - len(known))
        assert known == sorted(known, reverse=direction == "desc")
    rows = client.get(reverse("benchmarks:compare"), {"sort": "overall", "dir": "asc"}).context[
        "rows"
    ]
    assert rows[0].peer.overall == 0 and rows[-1].peer.overall is None


def test_compare_filters_offer_only_values_with_data(client, reviewer, home, rubric_version, cycle):
    add_peer(rubric_version, cycle, overall=55, name="Peer One", region="west-africa", country="NG")
    client.force_login(reviewer)
    page = client.get(reverse("benchmarks:compare")).content.decode()
    regions = re.search(r'<select name="region"[^>]*>(.*?)</select>', page, flags=re.S).group(1)
    offered = set(re.findall(r'<option value="([^"]+)"', regions))
    assert "west-africa" in offered and "east-asia" not in offered
    countries = re.search(r'<select name="country"[^>]*>(.*?)</select>', page, flags=re.S).group(1)
    assert 'value="NG"' in countries and 'value="FR"' not in countries
