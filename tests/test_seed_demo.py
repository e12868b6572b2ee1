"""seed_demo: plausible demo data from the files in qa_tool/demo/data, loaded through the
importers and services with an attributed audit trail, and a second run changes nothing."""

import csv
import shutil
from fractions import Fraction
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from qa_tool.actions.models import ActionItem
from qa_tool.assessments.models import Assessment, AuditEvent, Response
from qa_tool.assessments.selectors import assessment_result
from qa_tool.demo import loader as demo
from qa_tool.demo.files import DATA_DIR, DemoDataError
from qa_tool.demo.ratings import demo_responses
from qa_tool.institutions.models import Institution, Role, SizeBand, User


def state():
    return (
        list(
            Institution.objects.order_by("code").values_list(
                "code", "name", "country", "updated_at"
            )
        ),
        list(
            User.objects.order_by("username").values_list(
                "username", "password", "role", "institution__code"
            )
        ),
        list(Assessment.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        list(ActionItem.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        Response.objects.count(),
        list(AuditEvent.objects.order_by("pk").values_list("pk", "actor_id", "source", "new")),
    )


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_plausible():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "officer" in out.getvalue() and "demo-pass-2026" in out.getvalue()
    first = state()
    call_command("seed_demo", stdout=StringIO())
    assert state() == first

    countries = set(Institution.objects.values_list("country", flat=True))
    assert {
        "CN",
        "EG",
        "ET",
        "NG",
        "UG",
        "DJ",
        "KE",
        "GM",
        "CI",
        "PK",
        "KH",
        "MN",
        "LK",
        "ID",
    } <= countries
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert User.objects.get(username="officer").check_password("demo-pass-2026")

    submitted = Assessment.objects.filter(
        status__in=["submitted", "validated"], rubric_version__rubric__slug="obtl-institution"
    )
    assert set(submitted.values_list("cycle__name", flat=True)) == {"2025", "2026"}
    assert submitted.count() == 2 * Institution.objects.count()
    # a third of the first cycle is validated, with a reviewer's level that differs
    validated = Assessment.objects.filter(
        status="validated", rubric_version__rubric__slug="obtl-institution"
    )
    assert validated.count() == 13
    assert set(validated.values_list("cycle__name", flat=True)) == {"2025"}
    assert (
        Response.objects.filter(assessment__in=validated, reviewed_value__isnull=False).count()
        == 13
    )
    # the demo institutions have action plans in both cycles; the first one is under way
    plans = ActionItem.objects.filter(assessment__institution__code="KE-HSU")
    assert set(plans.values_list("assessment__cycle__name", flat=True)) == {"2025", "2026"}
    assert plans.filter(status="done", assessment__cycle__name="2025").exists()
    scores = [assessment_result(a).score for a in submitted.select_related("rubric_version")[:30]]
    assert all(s is not None for s in scores)
    assert max(scores) - min(scores) > 20  # varied, not all alike


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _events(assessment, action, **filters):
    return AuditEvent.objects.filter(assessment=assessment, action=action, **filters)


@pytest.mark.django_db
def test_the_data_files_are_the_source_of_truth():
    call_command("seed_demo", stdout=StringIO())
    institutions = _rows("institutions.csv")
    assert Institution.objects.count() == len(institutions)
    for row in institutions:
        institution = Institution.objects.get(code=row["code"])
        assert (institution.name, institution.country, institution.delivery_mode) == (
            row["name"],
            row["country"],
            row["delivery_mode"],
        )
    for row in _rows("people.csv"):
        user = User.objects.get(username=row["username"])
        assert (user.role, user.email, user.last_name) == (
            row["role"],
            row["email"],
            row["last_name"],
        )
        assert (user.institution.code if user.institution else "") == row["institution"]
        assert user.check_password(demo.DEMO_PASSWORD)
    # Same draws as before the demo moved to files: the same scores on every installation.
    scores = {
        (a.institution.code, a.cycle.name): assessment_result(a).score
        for a in Assessment.objects.filter(
            institution__code__in=["KE-HSU", "NG-SRU"],
            rubric_version__rubric__slug="obtl-institution",
        )
    }
    assert scores == {
        ("KE-HSU", "2025"): Fraction(2992025, 37752),
        ("KE-HSU", "2026"): Fraction(677125, 8008),
        ("NG-SRU", "2025"): Fraction(3490475, 72072),
        ("NG-SRU", "2026"): Fraction(1001075, 18018),
    }


@pytest.mark.django_db
def test_the_audit_trail_names_who_did_what_with_source_demo():
    call_command("seed_demo", stdout=StringIO())
    officer = User.objects.get(username="officer")
    reviewer = User.objects.get(username="reviewer")
    validated = Assessment.objects.get(
        institution__code="KE-HSU",
        cycle__name="2025",
        rubric_version__rubric__slug="obtl-institution",
    )
    assert validated.status == "validated"
    answers = _events(validated, AuditEvent.Action.ANSWER)
    assert answers.exists()
    assert set(answers.values_list("actor", "source")) == {(officer.pk, "demo")}
    statuses = _events(validated, AuditEvent.Action.STATUS).order_by("pk")
    assert [(e.new, e.actor, e.source) for e in statuses] == [
        ("submitted", officer, "demo"),
        ("validated", reviewer, "demo"),
    ]
    reviews = _events(validated, AuditEvent.Action.REVIEW)
    assert reviews.exists()
    assert set(reviews.values_list("actor", "source")) == {(reviewer.pk, "demo")}
    plan = _events(validated, AuditEvent.Action.PLAN)
    assert plan.filter(field="action:created").exists()
    assert plan.filter(field="action:status", new="done").exists()
    assert set(plan.values_list("actor", "source")) == {(officer.pk, "demo")}
    # Nothing the demo wrote claims to come from the web pages.
    assert not AuditEvent.objects.filter(source="web").exists()


def _small_data(tmp_path, extra_row, extra_maturity):
    """The shipped data files, reduced to the institutions the log-ins and plans need."""
    for name in ("people.csv", "assessments.yaml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    units = [r for r in _rows("units.csv") if r["institution"] in ("KE-HSU", "EG-OSU")]
    with open(tmp_path / "units.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(units[0]))
        writer.writeheader()
        writer.writerows(units)
    rows = [r for r in _rows("institutions.csv") if r["code"] in ("KE-HSU", "EG-OSU")]
    with open(tmp_path / "institutions.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, extra_row])
    params = yaml.safe_load((tmp_path / "assessments.yaml").read_text())
    params["maturity"] = {"KE-HSU": 2.0, "EG-OSU": 2.2, **extra_maturity}
    (tmp_path / "assessments.yaml").write_text(yaml.safe_dump(params))
    return tmp_path


@pytest.mark.django_db
def test_an_institution_added_to_the_files_is_loaded_and_assessed(tmp_path):
    row = {
        "code": "TZ-KIL",
        "name": "Kilimanjaro Foothills University",
        "country": "TZ",
        "region": "east-africa",
        "type": "public",
        "size": "12000",
        "delivery_mode": "blended",
    }
    data = _small_data(tmp_path, row, {"TZ-KIL": 1.5})
    summary = demo.load(data_dir=data)
    assert summary.institutions.created == 3
    institution = Institution.objects.get(code="TZ-KIL")
    # Through the institutions importer: a headcount becomes a size band.
    assert (institution.name, institution.size_band) == (
        row["name"],
        SizeBand.for_headcount(12000),
    )
    assessed = Assessment.objects.filter(institution=institution, status="submitted")
    assert set(assessed.values_list("cycle__name", flat=True)) == {"2025", "2026"}
    # No demo officer at TZ-KIL: its answers are the demo's, in no one's name.
    assert set(
        AuditEvent.objects.filter(assessment__institution=institution, action="answer")
        .values_list("actor", "source")
        .distinct()
    ) == {(None, "demo")}
    # The course review in progress is a half-answered draft.
    course = Assessment.objects.get(
        rubric_version__rubric__slug="obtl-course-review", subject__code="GEN100"
    )
    assert course.status == "draft"
    assert 0 < course.responses.count() < course.rubric_version.criteria.count()
    again = demo.load(data_dir=data)
    assert (again.new_people, again.new_assessments, again.new_plans) == (0, 0, 0)
    assert again.institutions.unchanged == 3


@pytest.mark.django_db
def test_a_wrong_data_file_is_refused_whole(tmp_path):
    row = {
        "code": "TZ-KIL",
        "name": "Kilimanjaro Foothills University",
        "country": "Atlantis",
        "region": "east-africa",
        "type": "public",
        "size": "large",
        "delivery_mode": "blended",
    }
    data = _small_data(tmp_path, row, {})
    with pytest.raises(DemoDataError) as refused:
        demo.load(data_dir=data)
    text = str(refused.value)
    assert "institutions.csv: line 4 (TZ-KIL): country" in text
    assert not Institution.objects.exists()
    assert not User.objects.exists()
    # The command reports every problem and fails.
    shutil.copytree(data, tmp_path / "copy")
    err = StringIO()
    with pytest.raises(CommandError, match="demo data were not loaded"):
        call_command("seed_demo", data_dir=str(tmp_path / "copy"), stderr=err)
    assert "TZ-KIL" in err.getvalue()


def test_the_ratings_are_a_pure_function_of_their_inputs():
    content = {
        "scale": [{"value": v} for v in (0, 1, 2, 3)],
        "domains": [
            {"code": "D1", "criteria": [{"code": f"C{i}", "allow_na": i == 1} for i in range(1, 6)]}
        ],
    }
    kwargs = {
        "rubric": "r",
        "institution": "XX-ONE",
        "cycle": "2025",
        "maturity": 1.5,
        "drift": 0.0,
        "justifications": ["a", "b"],
        "na_share": 0.15,
        "na_justification": "n/a",
    }
    first = demo_responses(content, **kwargs)
    assert demo_responses(content, **kwargs) == first
    assert list(first) == ["C1", "C2", "C3", "C4", "C5"]
    assert all(r["value"] in (0, 1, 2, 3, "na") for r in first.values())
    assert demo_responses(content, **{**kwargs, "institution": "XX-TWO"}) != first


@pytest.mark.django_db
def test_a_person_with_an_unknown_role_is_refused(tmp_path):
    data = _small_data(
        tmp_path,
        {
            "code": "TZ-KIL",
            "name": "Kilimanjaro Foothills University",
            "country": "TZ",
            "region": "east-africa",
            "type": "public",
            "size": "large",
            "delivery_mode": "",
        },
        {"TZ-KIL": 1.0},
    )
    with open(data / "people.csv", "a", encoding="utf-8") as f:
        f.write("rector,rector,TZ-KIL,Neema,Mushi,rector@example.org,no\n")
    with pytest.raises(DemoDataError, match=r"people\.csv: rector: .*rector"):
        demo.load(data_dir=data)
    assert not Institution.objects.exists()


@pytest.mark.django_db
def test_demo_deans_see_published_peer_figures(client):
    from qa_tool.benchmarks.models import BenchmarkRelease

    call_command("seed_demo", stdout=StringIO())
    releases = BenchmarkRelease.objects.count()
    assert releases >= 2  # both cycles of the institution rubric at least
    call_command("seed_demo", stdout=StringIO())
    assert BenchmarkRelease.objects.count() == releases  # published once
    client.force_login(User.objects.get(username="dean"))
    assessment = (
        Assessment.objects.filter(
            institution__code="KE-HSU",
            status__in=["submitted", "validated"],
            rubric_version__rubric__slug="obtl-institution",
        )
        .order_by("pk")
        .first()
    )
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Peer figures as published by the coordinating centre" in page
