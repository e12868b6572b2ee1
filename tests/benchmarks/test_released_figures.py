"""Institution users' figures of a release are stored when it is published: reading them
is one row whatever the size of the network, and they are exactly the figures computed
from the release (every withheld group, figure and statistic included)."""

import io
import random
from fractions import Fraction as F

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_tool.assessments.models import Assessment, Status
from qa_tool.assessments.services import assessment_start
from qa_tool.benchmarks.groups import GROUPS, PoolIndex, peer_groups
from qa_tool.benchmarks.models import DomainScore, ReleasedFigures
from qa_tool.benchmarks.peers import Peer, release_pool
from qa_tool.benchmarks.released_figures import release_codes
from qa_tool.benchmarks.released_figures import stored_groups as _stored_groups
from qa_tool.benchmarks.tasks import store_release_figures
from qa_tool.institutions.models import Institution
from reports.json_report import report_json

from ..factories import InstitutionFactory
from .test_peer_groups import add_peer, complete, publish
from .test_release import dean_view


@pytest.fixture
def home(institution, rubric_version, cycle):
    """The home institution, submitted: overall 71.3, D1 77.8, D2 58.3."""
    return complete(
        assessment_start(institution=institution, rubric_version=rubric_version, cycle=cycle)[0]
    )


def stored_groups(release, assessment, codes):
    """The figures stored for the institution of ``assessment``, read beside it."""
    return _stored_groups(
        release, institution=assessment.institution, assessment_id=assessment.pk, codes=codes
    )


def _without_d2(assessment):
    DomainScore.objects.filter(summary__assessment=assessment, code="D2").update(score=None)


def _live(release, assessment):
    """The figures as computed from the release on every request before this change."""
    pool = release_pool(release)
    own = next((p for p in pool if p.assessment_id == assessment.pk), None)
    return peer_groups(
        institution=assessment.institution,
        own=own,
        pool=pool,
        domain_codes=release_codes(release),
        anonymous=True,
        profile=own,
    )


def _shown(groups):
    """Everything templates and exporters read of the groups (names are never kept)."""
    return [
        (
            g.key,
            g.label,
            g.explanation,
            g.n,
            g.shown,
            g.reason,
            g.overall,
            g.domains,
            g.withheld_measures,
        )
        for g in groups
    ]


@pytest.fixture
def network(home, rubric_version, cycle):
    """Peers in three regions with two sizes, a few without a D2 score: some groups are
    withheld (too small, or too close to another), some figures and statistics too."""
    peers = []
    for i in range(16):
        peer = add_peer(
            rubric_version,
            cycle,
            overall=35 + (i * 7) % 50,
            d1=40 + (i * 11) % 55,
            d2=30 + (i * 13) % 60,
            region=["east-africa", "west-africa", "east-asia"][i % 3],
            country=["KE", "NG", "CN"][i % 3],
            size_band=["medium", "large"][i % 2],
            type="private" if i % 5 == 0 else "public",
        )
        if i % 4 == 1:
            _without_d2(peer)
        peers.append(peer)
    # An institution that had only a draft at publish time, and one that started later.
    draft = Assessment.objects.create(
        institution=InstitutionFactory(region="west-africa", country="NG"),
        rubric_version=rubric_version,
        cycle=cycle,
        status=Status.DRAFT,
    )
    return peers, draft


def test_stored_figures_are_the_figures_computed_from_the_release(network, home):
    peers, draft = network
    release = publish(home)
    viewers = [home, draft, *peers]
    assert ReleasedFigures.objects.filter(release=release).count() == len(viewers)
    codes = release_codes(release)
    withheld_groups = withheld_measures = withheld_statistics = 0
    for assessment in viewers:
        stored = stored_groups(release, assessment, codes)
        live = _live(release, assessment)
        assert stored is not None and _shown(stored) == _shown(live), assessment.institution
        withheld_groups += sum(not g.shown for g in live)
        withheld_measures += sum(len(g.withheld_measures) for g in live)
        withheld_statistics += sum(bool(g.overall and g.overall.withheld) for g in live)
    # The network exercises every rule the stored figures must carry.
    assert withheld_groups and withheld_measures and withheld_statistics
    assert any(g.shown and g.overall.rank is not None for g in stored_groups(release, home, codes))


def test_the_page_and_json_are_the_same_stored_or_computed(client, dean, network, home):
    publish(home)
    client.force_login(dean)
    url = reverse("assessments:score", args=[home.pk])

    def peers_section():
        page = client.get(url).content.decode()
        return page[page.index('id="peers"') : page.index('id="criteria"')]

    def report():
        body = report_json(dean_view(home))
        body.pop("generated_at", None)
        return body

    stored_page, stored_json = peers_section(), report()
    assert "Withheld to keep other institutions" in stored_page and "(n = " in stored_page
    ReleasedFigures.objects.all().delete()  # a release published before figures were stored
    assert peers_section() == stored_page and report() == stored_json


def _seed(version, cycle, n):
    for i in range(n):
        add_peer(
            version,
            cycle,
            overall=30 + (i * 7) % 60,
            region=["east-africa", "west-africa", "east-asia"][i % 3],
            type=["public", "private"][i % 2],
        )


def test_the_officers_page_reads_one_row_whatever_the_network(
    client, officer, home, rubric_version, cycle
):
    url = reverse("assessments:score", args=[home.pk])
    client.force_login(officer)

    def visit(peers):
        _seed(rubric_version, cycle, peers)
        publish(home)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page, [q["sql"] for q in queries]

    small_page, small = visit(10)
    large_page, large = visit(50)
    assert "(n = 10)" in small_page and "(n = 60)" in large_page
    assert len(small) == len(large)
    assert not any("benchmarks_releasedscore" in sql for sql in small + large)
    assert sum("benchmarks_releasedfigures" in sql for sql in large) == 1


def test_other_settings_or_fields_fall_back_to_the_release(network, home, settings):
    _peers, draft = network
    release = publish(home)
    codes = release_codes(release)
    assert stored_groups(release, draft, codes) is not None
    settings.BENCHMARK_MIN_GROUP = 6  # the stored figures were cut for 5
    assert stored_groups(release, home, codes) is None
    groups = dean_view(home).benchmark.groups
    assert _shown(groups) == _shown(_live(release, home))
    settings.BENCHMARK_MIN_GROUP = 5
    # An institution outside the release is cut by its current fields: a change of them
    # is read from the release, as before.
    institution = draft.institution
    institution.region = "east-asia"
    institution.save()
    draft.refresh_from_db()
    assert stored_groups(release, draft, codes) is None
    assert stored_groups(release, home, codes) is not None


def test_the_command_and_the_task_store_figures_of_older_releases(network, home):
    release = publish(home)
    ReleasedFigures.objects.all().delete()
    out = io.StringIO()
    call_command("store_release_figures", stdout=out)
    assert f"Release {release.pk}: figures of 18 institutions stored." in out.getvalue()
    assert ReleasedFigures.objects.filter(release=release).count() == 18
    ReleasedFigures.objects.all().delete()
    assert store_release_figures.call(release.pk) == 18
    assert store_release_figures.call(release.pk + 999) == 0


def test_large_networks_are_stored_in_the_background(
    network, home, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.BENCHMARK_FIGURES_INLINE_MAX = 10
    with django_capture_on_commit_callbacks(execute=True):
        release = publish(home)
    assert not ReleasedFigures.objects.exists()
    assert DBTaskResult.objects.filter(args_kwargs__args=[release.pk]).exists()
    # Meanwhile the figures are computed from the release.
    groups = dean_view(home).benchmark.groups
    assert _shown(groups) == _shown(_live(release, home))


def _random_pool(seed, size):
    rng = random.Random(seed)
    regions, countries = ["east-africa", "west-africa", "east-asia"], ["KE", "NG", "CN", "UG"]
    pool = []
    for i in range(1, size + 1):
        score = F(rng.randint(0, 100_000_000), 1_000_000)
        pool.append(
            Peer(
                institution_id=i,
                assessment_id=1000 + i,
                summary_id=i,
                code=f"P{rng.randint(0, 99):02d}{i:03d}",
                name=f"Peer {i}",
                country=rng.choice(countries),
                region=rng.choice(regions),
                type=rng.choice(["public", "private"]),
                size_band=rng.choice(["small", "medium", "large"]),
                delivery_mode=rng.choice(["blended", "online", ""]),
                overall=score,
                domains={
                    "D1": score,
                    "D2": None if rng.random() < 0.3 else F(rng.randint(0, 100), 3),
                },
            )
        )
    return pool


@pytest.mark.parametrize("seed,size", [(1, 20), (2, 45), (3, 90)])
def test_groups_shared_between_institutions_are_exactly_each_ones_own(seed, size):
    """Publishing shares members, sorted values and withholding between institutions of
    the same profile: for every one of them the result is what computing alone gives."""
    pool = _random_pool(seed, size)
    index = PoolIndex(pool)
    outsider = Peer(**{**pool[0].__dict__, "institution_id": 9999, "region": "east-asia"})
    for peer in [*pool, outsider]:
        institution = Institution(
            pk=peer.institution_id,
            region=peer.region,
            country=peer.country,
            type=peer.type,
            size_band=peer.size_band,
            delivery_mode=peer.delivery_mode,
        )
        own = peer if peer is not outsider else None
        args = dict(institution=institution, own=own, pool=pool, domain_codes=["D1", "D2"])
        alone = peer_groups(**args, profile=own)
        shared = peer_groups(**args, profile=own, index=index)
        assert _shown(shared) == _shown(alone), peer.institution_id
        assert [g.peers for g in shared] == [g.peers for g in alone]
    assert {g.key for g in alone} == set(GROUPS)
