"""Units in the Django admin: listed, edited with their programmes and contributors; a unit
with assessments cannot be deleted."""

from .conftest import ALL_TOP, review


def test_admin_pages(client, admin_user, units, contributor, course_version, cycle):
    client.force_login(admin_user)
    assert "A1" in client.get("/admin/institutions/unit/").content.decode()
    a1 = units["A1"]
    page = client.get(f"/admin/institutions/unit/{a1.pk}/change/").content.decode()
    assert "programmes of this course" in page.lower()
    assert client.get("/admin/institutions/contributorassignment/").status_code == 200
    assert client.get(f"/admin/institutions/unit/{units['LONE'].pk}/delete/").status_code == 200
    review(a1, course_version, cycle, ALL_TOP, status="draft")
    assert client.get(f"/admin/institutions/unit/{a1.pk}/delete/").status_code == 403
    assert client.get("/admin/assessments/campaign/").status_code == 200
