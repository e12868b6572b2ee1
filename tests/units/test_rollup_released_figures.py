"""Roll-up peer figures (programme and course rubrics) are stored when a release is
published, as an institution rubric's are: the roll-up page of an institution's people
reads one row whatever the size of the network, and shows exactly the figures computed
from the release; rows that no longer match, and older releases, are computed as before."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_tool.assessments.models import Assessment, Status
from qa_tool.benchmarks.groups import peer_groups
from qa_tool.benchmarks.models import ReleasedFigures, ScoreSummary
from qa_tool.benchmarks.peers import ROLLUP_ASSESSMENT, release_pool
from qa_tool.benchmarks.released_figures import latest_releases, release_codes, stored_groups
from qa_tool.benchmarks.rollup import PASS_RATE
from qa_tool.benchmarks.services import benchmark_release_publish
from qa_tool.benchmarks.tasks import store_release_figures

from ..factories import InstitutionFactory, UnitFactory, import_doc, rubric_doc
from ..reports.test_background_exports import run_worker

# The others' roll-up figures (each unit: overall score, passed), hand-computed:
#   P1 60 ✓, 70 ✓        -> median 65,  pass rate 100
#   P2 50 ✗              -> median 50,  pass rate 0
#   P3 80 ✓, 90 ✓, 40 ✗  -> median 80,  pass rate 66.67
#   P4 70 ✓, 30 ✗        -> median 50,  pass rate 50
#   P5 100 ✓             -> median 100, pass rate 100
# Every group of HOME (all have HOME's fields) holds the five: n = 5, mean of the medians
# 345 / 5 = 69.0, mean pass rate (100 + 0 + 66.67 + 50 + 100) / 5 = 63.3; no median shown
# (fewer than 10 institutions).
PEERS = {
    "P1": [(60, True), (70, True)],
    "P2": [(50, False)],
    "P3": [(80, True), (90, True), (40, False)],
    "P4": [(70, True), (30, False)],
    "P5": [(100, True)],
}


@pytest.fixture
def course_version(db):
    return import_doc(rubric_doc(slug="test-course", level="course"))


def reviewed_units(institution, version, cycle, results, status=Status.SUBMITTED):
    """Course reviews of ``institution`` with stored summaries as ``score_summary_refresh``
    writes them (the roll-up reads only those)."""
    for i, (overall, passed) in enumerate(results):
        unit = UnitFactory(institution=institution, code=f"{institution.code}-{i}")
        assessment = Assessment.objects.create(
            institution=institution,
            rubric_version=version,
            cycle=cycle,
            subject=unit,
            status=status,
        )
        ScoreSummary.objects.create(
            assessment=assessment,
            source="self",
            overall=Decimal(overall),
            self_overall=Decimal(overall),
            completion=100,
            passed=passed,
            counts=status in (Status.SUBMITTED, Status.VALIDATED),
        )
    return institution


@pytest.fixture
def network(institution, course_version, cycle):
    """HOME (median 45, pass rate 50) and the five others of ``PEERS``."""
    reviewed_units(institution, course_version, cycle, [(70, True), (20, False)])
    return [
        reviewed_units(InstitutionFactory(code=code), course_version, cycle, results)
        for code, results in PEERS.items()
    ]


def publish(version, cycle, **kwargs):
    return benchmark_release_publish(
        rubric_version_id=version.pk, cycle_id=cycle.pk, actor=None, **kwargs
    )


def _url(version, cycle, code="HOME"):
    return f"/units/rollup/{code}/?rubric_version={version.pk}&cycle={cycle.pk}"


def peers_section(client, url):
    page = client.get(url).content.decode()
    return page[page.index("Compared with other institutions") :]


def _all_row(section):
    return section.split("All institutions")[1].split("</tr>")[0]


def _live(release, institution):
    """The figures as computed from the release on every request before they were stored."""
    pool = release_pool(release)
    own = next((p for p in pool if p.institution_id == institution.pk), None)
    return peer_groups(
        institution=institution,
        own=own,
        pool=pool,
        domain_codes=[PASS_RATE],
        anonymous=True,
        profile=own,
    )


def _stored(release, institution):
    return stored_groups(
        release, institution=institution, assessment_id=ROLLUP_ASSESSMENT, codes=[PASS_RATE]
    )


def _shown(groups):
    return [
        (g.key, g.label, g.explanation, g.n, g.shown, g.reason, g.overall, g.domains)
        for g in groups
    ]


def test_publishing_stores_one_row_per_viewing_institution(
    network, institution, other_institution, course_version, rubric_version, cycle
):
    # A course review still in draft at publish time: a viewer, not in the release.
    drafting = reviewed_units(
        InstitutionFactory(code="DRAFTING", region="west-africa", country="NG"),
        course_version,
        cycle,
        [(90, True)],
        status=Status.DRAFT,
    )
    # Not viewers: an institution assessment only, and a course review of another rubric.
    Assessment.objects.create(
        institution=InstitutionFactory(code="INSTONLY"), rubric_version=rubric_version, cycle=cycle
    )
    other_course = import_doc(rubric_doc(slug="other-course", level="course"))
    reviewed_units(other_institution, other_course, cycle, [(50, True)])

    release = publish(course_version, cycle)

    rows = ReleasedFigures.objects.filter(release=release).select_related("institution")
    assert sorted(r.institution.code for r in rows) == [
        "DRAFTING",
        "HOME",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    ]
    assert release_codes(release) == [PASS_RATE]
    for viewer in [institution, drafting, *network]:
        stored = _stored(release, viewer)
        assert stored is not None and _shown(stored) == _shown(_live(release, viewer)), viewer
    # HOME's groups hold the five others (see ``PEERS``).
    home = {g.key: g for g in _stored(release, institution)}
    assert home["all"].shown and home["all"].n == 5
    assert home["all"].overall.summary.mean == 69
    assert round(float(home["all"].domains[PASS_RATE].summary.mean), 4) == 63.3333
    # DRAFTING (another region and country) has too few others in its own: withheld.
    drafting_groups = {g.key: g for g in _stored(release, drafting)}
    assert drafting_groups["all"].shown and drafting_groups["all"].n == 6
    assert not drafting_groups["region"].shown and drafting_groups["region"].reason


def test_the_page_shows_the_same_figures_stored_or_computed(
    client, officer, network, course_version, cycle
):
    publish(course_version, cycle)
    client.force_login(officer)
    url = _url(course_version, cycle)
    with CaptureQueriesContext(connection) as queries:
        stored = peers_section(client, url)
    assert not any("benchmarks_releasedscore" in q["sql"] for q in queries)
    row = _all_row(stored)
    assert "<td>5</td>" in row and "69.0 %" in row and "63.3 %" in row
    assert "P1" not in stored and "P5" not in stored  # anonymous
    ReleasedFigures.objects.all().delete()  # a release published before figures were stored
    assert peers_section(client, url) == stored


def test_the_page_reads_one_row_whatever_the_network(
    client, officer, institution, course_version, cycle
):
    reviewed_units(institution, course_version, cycle, [(70, True)])
    client.force_login(officer)
    url = _url(course_version, cycle)

    def visit(others):
        for i in range(others):
            code = f"N{others}-{i}"
            reviewed_units(InstitutionFactory(code=code), course_version, cycle, [(50, i % 2 == 0)])
        publish(course_version, cycle)
        client.get(url)  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as queries:
            section = peers_section(client, url)
        return section, [q["sql"] for q in queries]

    small_page, small = visit(6)
    large_page, large = visit(40)
    assert "<td>6</td>" in _all_row(small_page) and "<td>46</td>" in _all_row(large_page)
    assert len(small) == len(large)
    assert not any("benchmarks_releasedscore" in sql for sql in small + large)
    assert sum("benchmarks_releasedfigures" in sql for sql in large) == 1


def test_rows_that_no_longer_match_are_computed_from_the_release(
    client, officer, network, institution, course_version, cycle, settings
):
    outside = reviewed_units(
        InstitutionFactory(code="LATE"), course_version, cycle, [(60, True)], Status.DRAFT
    )
    release = publish(course_version, cycle)
    client.force_login(officer)
    url = _url(course_version, cycle)
    assert _stored(release, institution) is not None
    settings.BENCHMARK_MIN_GROUP = 6  # the stored figures were cut for 5: HOME has 5 others
    assert _stored(release, institution) is None
    section = peers_section(client, url)
    assert "69.0 %" not in section and "Withheld to keep other institutions" in section
    ReleasedFigures.objects.all().delete()
    assert peers_section(client, url) == section
    settings.BENCHMARK_MIN_GROUP = 5
    call_command("store_release_figures", stdout=io.StringIO())
    # An institution outside the release is cut by its current fields: once they change,
    # its figures are computed from the release; one in the release keeps its row (the
    # release is frozen, its released fields decide).
    assert _stored(release, outside) is not None
    outside.region = "east-asia"
    outside.save()
    institution.region = "east-asia"
    institution.save()
    assert _stored(release, outside) is None
    stored_home = _stored(release, institution)
    assert stored_home is not None and _shown(stored_home) == _shown(_live(release, institution))
    # An institution rubric's reader of the same institution is not matched to a roll-up row.
    assert (
        stored_groups(release, institution=institution, assessment_id=1, codes=[PASS_RATE]) is None
    )


def test_another_institution_gets_404_for_the_roll_up_and_sees_its_own(
    client, outsider, other_institution, network, course_version, cycle
):
    reviewed_units(other_institution, course_version, cycle, [(10, False)])
    release = publish(course_version, cycle)
    assert ReleasedFigures.objects.filter(release=release, institution__code="HOME").exists()
    client.force_login(outsider)
    assert client.get(_url(course_version, cycle)).status_code == 404
    assert client.get(_url(course_version, cycle) + "&format=json").status_code == 404
    # Its own page: its six others (HOME among them) are in other regions' groups.
    own = peers_section(client, _url(course_version, cycle, "AWAY"))
    assert "<td>6</td>" in _all_row(own)
    assert "HOME" not in own


def test_the_command_and_the_task_store_roll_up_releases(network, course_version, cycle):
    release = publish(course_version, cycle)
    assert release in latest_releases()
    ReleasedFigures.objects.all().delete()
    out = io.StringIO()
    call_command("store_release_figures", "--release", str(release.pk), stdout=out)
    assert f"Release {release.pk}: figures of 6 institutions stored." in out.getvalue()
    assert ReleasedFigures.objects.filter(release=release).count() == 6
    ReleasedFigures.objects.all().delete()
    assert store_release_figures.call(release.pk) == 6


@pytest.mark.django_db(transaction=True)
def test_large_roll_up_releases_are_stored_by_the_worker(
    client, officer, network, institution, course_version, cycle, settings
):
    settings.BENCHMARK_FIGURES_INLINE_MAX = 3
    release = publish(course_version, cycle)
    assert not ReleasedFigures.objects.exists()
    client.force_login(officer)
    url = _url(course_version, cycle)
    # Meanwhile the figures are computed from the release.
    computed = peers_section(client, url)
    assert "69.0 %" in _all_row(computed)
    run_worker()
    assert ReleasedFigures.objects.filter(release=release).count() == 6
    assert _stored(release, institution) is not None
    assert peers_section(client, url) == computed


def test_the_reviewer_publishing_a_roll_up_is_told_where_its_figures_are(
    client, reviewer, network, course_version, cycle, settings
):
    url = reverse("benchmarks:releases", args=[course_version.pk, cycle.pk])
    client.force_login(reviewer)
    page = client.post(url, {"publish": "1"}, follow=True).content.decode()
    assert "Peer figures published: 6 institutions." in page
    assert "being stored by the background worker" not in page
    assert ReleasedFigures.objects.count() == 6
    settings.BENCHMARK_FIGURES_INLINE_MAX = 5
    page = client.post(url, {"publish": "1", "anyway": "1"}, follow=True).content.decode()
    assert "being stored by the background worker" in page
    assert ReleasedFigures.objects.count() == 6  # the first release's only, for now
