"""Pages: content, languages, and institution scoping of every view."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_tool.assessments.services import assessment_start
from rubrics.models import RubricVersion

from .factories import CycleFactory, InstitutionFactory, rubric_doc


@pytest.fixture
def other_assessment(other_institution, rubric_version, cycle):
    assessment, _ = assessment_start(
        institution=other_institution, rubric_version=rubric_version, cycle=cycle
    )
    return assessment


def test_login_page_and_redirect_for_anonymous(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b'name="password"' in page.content


def test_login_and_logout(client, officer):
    response = client.post(reverse("login"), {"username": "officer", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_officer_dashboard_lists_only_own_institution(
    client, officer, assessment, other_assessment
):
    client.force_login(officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Home University" in page
    assert reverse("assessments:score", args=[assessment.pk]) in page
    assert reverse("assessments:score", args=[other_assessment.pk]) not in page
    assert "Away University" not in page
    assert "63.0 %" in page  # the fixture's overall score


def test_reviewer_dashboard_lists_every_institution(client, reviewer, assessment, other_assessment):
    client.force_login(reviewer)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Home University" in page and "Away University" in page
    assert reverse("assessments:score", args=[other_assessment.pk]) in page


def test_admin_dashboard_links_to_library_and_admin(
    client, admin_user, institution, rubric_version
):
    client.force_login(admin_user)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("rubrics:import") in page and reverse("admin:index") in page


def test_dashboard_query_count_does_not_grow_with_assessments(client, reviewer, rubric_version):
    client.force_login(reviewer)

    def add(n):
        for i in range(n):
            assessment_start(
                institution=InstitutionFactory(),
                rubric_version=rubric_version,
                cycle=CycleFactory(name=f"20{i % 3 + 20}"),
            )

    add(2)
    client.get(reverse("dashboard"))  # the rubric parsed once per process (one query)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    add(20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("dashboard"))
    assert len(many) == len(few)


def test_score_page_shows_the_contract_result(client, dean, assessment):
    client.force_login(dean)
    page = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert "63.0 %" in page and "77.8 %" in page and "33.3 %" in page
    assert "Middle" in page and "Passed" in page
    assert "8 / 12" in page
    assert "4 of 5 criteria answered" in page
    assert "Not answered" in page  # C5
    assert "Strong &lt;b&gt;policy&lt;/b&gt;" in page  # user text is escaped


def test_score_page_in_french_uses_rubric_translations_and_decimal_comma(client, dean, assessment):
    client.force_login(dean)
    page = client.get(
        reverse("assessments:score", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Domain one (fr)" in page
    assert "63,0 %" in page


def test_arabic_pages_are_right_to_left(client, dean, assessment):
    client.force_login(dean)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    page = client.get(reverse("assessments:score", args=[assessment.pk])).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "Criterion one (ar)" in page
    # a text only in English falls back to English
    assert "Criterion two" in page


@pytest.mark.parametrize("persona", ["officer", "dean", "reviewer", "admin_user"])
def test_who_may_read_an_assessment(client, request, persona, assessment):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("assessments:score", args=[assessment.pk])).status_code == 200


def test_outsider_gets_404_for_another_institutions_assessment(client, outsider, assessment):
    client.force_login(outsider)
    assert client.get(reverse("assessments:score", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("assessments:score", args=[999999])).status_code == 404


def test_user_without_role_sees_nothing(client, assessment, db):
    from .factories import UserFactory

    nobody = UserFactory(username="nobody", role="", institution=None)
    client.force_login(nobody)
    assert "no role or institution" in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("assessments:score", args=[assessment.pk])).status_code == 404


def test_library_and_version_tree_in_chinese(client, officer, rubric_version):
    client.force_login(officer)
    page = client.get(reverse("rubrics:library")).content.decode()
    assert "Test rubric" in page
    url = reverse("rubrics:version", args=["test-rubric", "1"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans" dir="ltr">' in page
    assert "Test rubric (zh)" in page and "Domain one (zh)" in page
    assert "C1 at 2" in page and "Refine C2" in page
    assert "Level 3 (zh)" in page


def test_version_page_query_count_is_fixed(client, officer, rubric_version):
    client.force_login(officer)
    url = reverse("rubrics:version", args=["test-rubric", "1"])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    big = rubric_doc(version="2")
    big["domains"] = big["domains"] * 1
    for i in range(3, 9):
        big["domains"].append(
            {
                "code": f"D{i}",
                "title": "More",
                "criteria": [{"code": f"X{i}{j}", "text": "x"} for j in range(6)],
            }
        )
    from .factories import import_doc

    import_doc(big)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("rubrics:version", args=["test-rubric", "2"]))
    assert len(large) == len(small)


def test_unknown_version_is_404(client, officer, rubric_version):
    client.force_login(officer)
    assert client.get(reverse("rubrics:version", args=["test-rubric", "9"])).status_code == 404


def test_rubric_download_reimports(client, officer, rubric_version):
    client.force_login(officer)
    response = client.get(reverse("rubrics:download", args=["test-rubric", "1"]))
    assert response["Content-Disposition"] == 'attachment; filename="test-rubric-1.yaml"'
    assert yaml.safe_load(response.content)["domains"][0]["code"] == "D1"


@pytest.mark.parametrize("persona", ["officer", "dean", "reviewer", "outsider"])
def test_only_administrators_import_rubrics(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("rubrics:import")).status_code == 403


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/yaml")


def test_admin_imports_by_upload(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("rubrics:import"),
        {"files": [_upload("r.yaml", yaml.safe_dump(rubric_doc()).encode())]},
        follow=True,
    )
    assert "test-rubric 1: imported." in response.content.decode()
    assert RubricVersion.objects.filter(rubric__slug="test-rubric").exists()


def test_upload_with_problems_lists_them_and_imports_nothing(client, admin_user):
    client.force_login(admin_user)
    bad = rubric_doc()
    bad["domains"][0]["weight"] = 0
    response = client.post(
        reverse("rubrics:import"),
        {
            "files": [
                _upload("good.yaml", yaml.safe_dump(rubric_doc(slug="good")).encode()),
                _upload("bad.yaml", yaml.safe_dump(bad).encode()),
            ]
        },
    )
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "bad.yaml: domains[0].weight: must be greater than 0" in page
    assert not RubricVersion.objects.exists()


def test_upload_refuses_other_file_types(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("rubrics:import"), {"files": [_upload("r.txt", b"slug: x")]})
    assert "only .yaml, .yml, .json or .xlsx files are accepted" in response.content.decode()


def test_admin_shows_the_rubric_tree_read_only_and_retires(client, admin_user, rubric_version):
    client.force_login(admin_user)
    url = reverse("admin:rubrics_rubricversion_change", args=[rubric_version.pk])
    page = client.get(url).content.decode()
    assert "Criterion one" in page and "C1 at 3" in page
    assert reverse("admin:rubrics_rubricversion_add") not in page
    client.post(
        reverse("admin:rubrics_rubricversion_changelist"),
        {"action": "retire", "_selected_action": [rubric_version.pk]},
    )
    rubric_version.refresh_from_db()
    assert rubric_version.retired


@pytest.mark.parametrize("persona", ["officer", "dean", "reviewer", "outsider"])
def test_admin_site_is_closed_to_non_staff(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("admin:index")).status_code == 302


def test_refusals_are_explained_on_a_normal_page(client, outsider, dean, assessment, settings):
    settings.DEBUG = False
    client.force_login(outsider)
    response = client.get(reverse("assessments:score", args=[assessment.pk]))
    assert (
        response.status_code == 404
        and "belongs to another institution" in response.content.decode()
    )
    client.force_login(dean)
    response = client.get(reverse("assessments:fill_step", args=[assessment.pk, "D1"]))
    assert response.status_code == 403 and "does not allow this action" in response.content.decode()


def test_interface_is_translated(client, dean, assessment):
    client.force_login(dean)
    url = reverse("assessments:score", args=[assessment.pk])
    assert "لوحة المعلومات" in client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "Tableau de bord" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "仪表板" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_pages_carry_a_strict_content_security_policy(client, dean, assessment):
    client.force_login(dean)
    policy = client.get(reverse("assessments:score", args=[assessment.pk]))[
        "Content-Security-Policy"
    ]
    assert (
        "script-src 'self'" in policy and "unsafe" not in policy and "object-src 'none'" in policy
    )


def test_pages_link_the_favicon_and_favicon_ico_is_not_a_404(client, officer):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    icon = static("qa_tool/favicon.svg")
    assert finders.find("qa_tool/favicon.svg")
    page = client.get(reverse("login")).content.decode()
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon
    client.force_login(officer)
    assert f'<link rel="icon" href="{icon}"' in client.get(reverse("dashboard")).content.decode()
