"""The roll-up: hand-computed figures (pure and from stored summaries), the command, the page,
its JSON, the unit-level benchmark and the query count."""

import json
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qa_tool.benchmarks.models import ScoreSummary
from qa_tool.benchmarks.rollup import CriterionLevel, UnitResult, rollup
from qa_tool.benchmarks.rollup_selectors import institution_rollup, rollup_json
from qa_tool.core.numbers import display
from rubrics.scoring import NORMALISE_RANGE, OVERALL_NONE, RubricSpec

from ..factories import InstitutionFactory, UnitFactory, import_doc, rubric_doc
from .conftest import ALL_TOP, review

# Hand-computed with the test rubric (0..3; D1 weight 2: C1, C2 (w2, critical), C3 (N/A
# allowed); D2: C4, C5 (w3); pass at 60 % with C2 at least 2):
#   A1 all 3:                    D1 100, D2 100 -> 100, passed
#   A2 C1 2, C2 1, C3 na, C4 3, C5 3: D1 (2/3 + 2·1/3)/3 = 4/9 -> 44.4, D2 100
#                                 -> (2·400/9 + 100)/3 = 1700/27 = 62.96, C2 below 2: failed
#   B1 all 2, C3 na:             66.67 -> passed
#   LONE: a draft, never counted.
A2 = {"C1": 2, "C2": 1, "C3": "na", "C4": 3, "C5": 3}
B1 = {"C1": 2, "C2": 2, "C3": "na", "C4": 2, "C5": 2}


@pytest.fixture
def reviewed(units, course_version, cycle, reviewer):
    review(units["A1"], course_version, cycle, ALL_TOP, status="validated", reviewer=reviewer)
    review(units["A2"], course_version, cycle, A2)
    review(units["B1"], course_version, cycle, B1)
    review(units["LONE"], course_version, cycle, ALL_TOP, status="draft")
    return course_version


EXPECTED = {
    "institution": "HOME",
    "rubric": "test-course",
    "version": "1",
    "cycle": "2026",
    "level": "course",
    "units": 3,
    "passed": 2,
    "pass_rate": 66.7,
    # mean (100 + 1700/27 + 200/3)/3 = 6200/81 = 76.54
    "score": {"mean": 76.5, "median": 66.7, "min": 63.0, "max": 100.0},
}
CRITERIA = [
    # code, rated, at top, top rate, below critical, its rate, mean level
    {
        "code": "C1",
        "rated": 3,
        "at_top": 1,
        "top_rate": 33.3,
        "below_critical": 0,
        "below_critical_rate": None,
        "mean_level": 77.8,
    },
    {
        "code": "C2",
        "rated": 3,
        "at_top": 1,
        "top_rate": 33.3,
        "below_critical": 1,
        "below_critical_rate": 33.3,
        "mean_level": 66.7,
    },
    {
        "code": "C3",
        "rated": 1,
        "at_top": 1,
        "top_rate": 100.0,
        "below_critical": 0,
        "below_critical_rate": None,
        "mean_level": 100.0,
    },
    {
        "code": "C4",
        "rated": 3,
        "at_top": 2,
        "top_rate": 66.7,
        "below_critical": 0,
        "below_critical_rate": None,
        "mean_level": 88.9,
    },
    {
        "code": "C5",
        "rated": 3,
        "at_top": 2,
        "top_rate": 66.7,
        "below_critical": 0,
        "below_critical_rate": None,
        "mean_level": 88.9,
    },
]


def test_figures_from_stored_summaries(institution, reviewed, cycle):
    report = institution_rollup(institution=institution, rubric_version=reviewed, cycle=cycle)
    data = rollup_json(report)
    assert {k: data[k] for k in EXPECTED} == EXPECTED
    assert data["criteria"] == CRITERIA
    assert data["weakest"] == ["C2", "C1", "C4", "C5", "C3"]
    # A1 and A2 are in P1, B1 in P2; LONE's draft is not counted, so no "no programme" row.
    assert [(p["code"], p["units"], p["passed"], p["pass_rate"]) for p in data["programmes"]] == [
        ("P1", 2, 1, 50.0),
        ("P2", 1, 1, 100.0),
    ]
    assert data["programmes"][0]["score"] == {
        "mean": 81.5,
        "median": 81.5,
        "min": 63.0,
        "max": 100.0,
    }


def test_the_rollup_reads_stored_figures_not_rescoring(institution, reviewed, cycle):
    # Change a stored figure: the roll-up follows the store.
    ScoreSummary.objects.filter(assessment__subject__code="B1").update(passed=False)
    data = rollup_json(
        institution_rollup(institution=institution, rubric_version=reviewed, cycle=cycle)
    )
    assert (data["passed"], data["pass_rate"]) == (1, 33.3)


def test_pure_rollup_hand_computed():
    # A 0..3 scale read with normalise: max (mean level 2 of 3 = 66.7 %).
    spec = RubricSpec(scale=tuple(Fraction(v) for v in range(4)), domains=())
    results = [
        UnitResult("U1", ("P",), Fraction(80), True, (CriterionLevel("K", Fraction(3), True),)),
        UnitResult(
            "U2", ("P", "Q"), Fraction(50), False, (CriterionLevel("K", Fraction(1), False, True),)
        ),
        UnitResult("U3", (None,), Fraction(65), True, (CriterionLevel("K", None),)),
    ]
    figures = rollup(results, codes=["K"], spec=spec, has_pass_rule=True, critical=frozenset({"K"}))
    assert (figures.units, figures.passed, figures.pass_rate) == (3, 2, Fraction(200, 3))
    assert display(figures.pass_rate) == display(Fraction(667, 10))
    assert (figures.score.mean, figures.score.median) == (Fraction(65), Fraction(65))
    (k,) = figures.criteria
    assert (k.rated, k.at_top, k.below_critical) == (2, 1, 1)
    assert (k.top_rate, k.below_critical_rate, k.mean_level) == (50, 50, Fraction(200, 3))
    assert [(p.code, p.figures.units, p.figures.passed) for p in figures.programmes] == [
        ("P", 2, 1),
        ("Q", 1, 0),
        (None, 1, 1),
    ]
    no_rule = rollup(
        results, codes=["K"], spec=spec, has_pass_rule=False, critical=frozenset({"K"})
    )
    assert no_rule.pass_rate is None and no_rule.criteria[0].below_critical_rate is None
    empty = rollup([], codes=["K"], spec=spec, has_pass_rule=True)
    assert (empty.units, empty.pass_rate, empty.score.mean, empty.weakest) == (0, None, None, ())


def test_mean_level_follows_the_rubrics_normalise_rule_and_profiles_have_none():
    spec = RubricSpec(
        scale=tuple(Fraction(v) for v in range(1, 6)), domains=(), normalise=NORMALISE_RANGE
    )
    results = [
        UnitResult("U1", (None,), None, None, (CriterionLevel("K", Fraction(3)),)),
        UnitResult("U2", (None,), None, None, (CriterionLevel("K", Fraction(5)),)),
    ]
    # Mean level 4 on 1..5 read as a range: (4 - 1) / (5 - 1) = 75 % (not 4 / 5 = 80 %).
    (k,) = rollup(results, codes=["K"], spec=spec, has_pass_rule=False).criteria
    assert k.mean_level == 75
    profile = RubricSpec(scale=spec.scale, domains=(), overall=OVERALL_NONE)
    figures = rollup(results, codes=["K"], spec=profile, has_pass_rule=False)
    assert figures.criteria[0].mean_level is None and figures.weakest == ()
    assert figures.score.n == 0


def test_half_away_from_zero():
    spec = RubricSpec(scale=(Fraction(0), Fraction(1)), domains=())
    results = [UnitResult(f"U{i}", (None,), Fraction(1), i < 1, ()) for i in range(8)]
    # 1 of 8 = 12.5 % exactly; 1 of 16 = 6.25 -> 6.3 (half away from zero, not to even).
    assert display(rollup(results, codes=[], spec=spec, has_pass_rule=True).pass_rate) == display(
        Fraction(125, 10)
    )
    results = [UnitResult(f"U{i}", (None,), Fraction(1), i < 1, ()) for i in range(16)]
    assert str(display(rollup(results, codes=[], spec=spec, has_pass_rule=True).pass_rate)) == "6.3"


def test_pass_rate_is_null_without_a_pass_rule(institution, units, cycle):
    doc = rubric_doc(slug="no-pass", level="course")
    doc.pop("pass")
    version = import_doc(doc)
    review(units["A1"], version, cycle, ALL_TOP)
    data = rollup_json(
        institution_rollup(institution=institution, rubric_version=version, cycle=cycle)
    )
    assert (data["units"], data["passed"], data["pass_rate"]) == (1, None, None)


def test_command_json(institution, reviewed, cycle):
    out = StringIO()
    call_command(
        "rollup", "HOME", "--rubric", "test-course", "--cycle", "2026", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert {k: data[k] for k in EXPECTED} == EXPECTED
    assert data["criteria"] == CRITERIA
    out = StringIO()
    call_command(
        "rollup", "HOME", "--rubric", "test-course", "--version", "1", "--cycle", "2026", stdout=out
    )
    assert "pass rate 66.7 %" in out.getvalue()


def test_command_refuses_institution_rubrics_and_unknowns(institution, rubric_version, cycle):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="whole institution"):
        call_command("rollup", "HOME", "--rubric", "test-rubric", "--cycle", "2026")
    with pytest.raises(CommandError, match="unknown institution"):
        call_command("rollup", "NOPE", "--rubric", "test-rubric", "--cycle", "2026")


def test_page_and_json_download(client, officer, dean, reviewer, institution, reviewed, cycle):
    url = f"/units/rollup/HOME/?rubric_version={reviewed.pk}&cycle={cycle.pk}"
    for user in (officer, dean, reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-figure="pass_rate">66.7 %' in page and 'data-figure="units">3' in page
    response = client.get(url + "&format=json")
    assert response["Cache-Control"] == "no-store, private"
    assert json.loads(response.content)["pass_rate"] == 66.7
    # Without a choice, the page shows the latest cycle's rubric that has reviews.
    assert 'data-figure="units">3' in client.get("/units/rollup/HOME/").content.decode()


def test_unit_level_benchmark_follows_the_anonymity_rules(
    client, officer, reviewer, institution, reviewed, cycle, settings
):
    from qa_tool.benchmarks.services import benchmark_release_publish
    from qa_tool.institutions.models import Role

    from ..factories import UserFactory

    settings.BENCHMARK_MIN_GROUP = 2
    url = f"/units/rollup/HOME/?rubric_version={reviewed.pk}&cycle={cycle.pk}"

    def publish():
        return benchmark_release_publish(
            rubric_version_id=reviewed.pk, cycle_id=cycle.pk, actor=reviewer
        )

    client.force_login(officer)
    # Institution users read releases only.
    assert "when the coordinating centre publishes them" in client.get(url).content.decode()
    peer = InstitutionFactory(code="PEERA")
    review(UnitFactory(institution=peer, code="KA"), reviewed, cycle, B1)
    release = publish()
    # A release of a course rubric freezes each institution's roll-up figures.
    frozen = {s.institution.code: s for s in release.scores.select_related("institution")}
    assert set(frozen) == {"HOME", "PEERA"}
    assert (str(frozen["PEERA"].overall), frozen["PEERA"].domains["pass_rate"]) == (
        "66.666667",
        "100.000000",
    )
    page = client.get(url).content.decode()
    assert "Withheld to keep other institutions" in page  # one other institution only
    for n in range(3):
        other = InstitutionFactory(code=f"PEER{n}")
        review(UnitFactory(institution=other, code=f"K{n}"), reviewed, cycle, ALL_TOP if n else B1)
    # Not yet in the release: the page does not move until a reviewer publishes.
    assert client.get(url).content.decode() == page or "PEER0" not in page
    publish()
    page = client.get(url).content.decode()
    all_row = page.split("All institutions")[1].split("</tr>")[0]
    # 4 others: medians 66.7, 66.7, 100, 100 -> mean 83.3; pass rates 100 each.
    assert "<td>4</td>" in all_row and "83.3 %" in all_row and "100.0 %" in all_row
    assert "PEER0" not in page and "KA" not in page
    # The centre sees live figures, without a release.
    client.force_login(reviewer)
    assert "Publish these peer figures" in client.get(url).content.decode()
    # Give to get: an institution with no reviewed unit sees no peer figures.
    lazy = InstitutionFactory(code="LAZY")
    client.force_login(UserFactory(username="lazy", role=Role.OFFICER, institution=lazy))
    page = client.get(
        f"/units/rollup/LAZY/?rubric_version={reviewed.pk}&cycle={cycle.pk}"
    ).content.decode()
    assert "Peer figures appear once your institution has units reviewed" in page


def _many(institution, version, cycle, n):
    from qa_tool.institutions.models import UnitProgramme

    programme = UnitFactory(institution=institution, level="programme", code=f"PX{n}")
    for i in range(n):
        unit = UnitFactory(institution=institution, code=f"Q{n}-{i:04d}")
        UnitProgramme.objects.create(course=unit, programme=programme)
        review(unit, version, cycle, ALL_TOP if i % 2 else B1)


@pytest.mark.parametrize("path", ["rollup", "campaign"])
def test_query_count_does_not_grow_with_units(
    client, officer, institution, course_version, cycle, path
):
    from qa_tool.assessments.models import Assessment
    from qa_tool.assessments.services import campaign_create

    def count(n):
        institution_n = InstitutionFactory(code=f"N{n}")
        from qa_tool.institutions.models import Role

        from ..factories import UserFactory

        user = UserFactory(username=f"officer{n}", role=Role.OFFICER, institution=institution_n)
        _many(institution_n, course_version, cycle, n)
        if path == "rollup":
            url = f"/units/rollup/N{n}/?rubric_version={course_version.pk}&cycle={cycle.pk}"
        else:
            units = [
                a.subject
                for a in Assessment.objects.filter(institution=institution_n).select_related(
                    "subject"
                )
            ]
            campaign, _ = campaign_create(
                institution=institution_n,
                rubric_version=course_version,
                cycle=cycle,
                units=units,
                name="c",
            )
            url = f"/units/campaigns/{campaign.pk}/"
        client.force_login(user)
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    assert count(20) == count(400)
