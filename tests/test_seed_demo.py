"""seed_demo: plausible demo data, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from qa_tool.actions.models import ActionItem
from qa_tool.assessments.models import Assessment, AuditEvent, Response
from qa_tool.assessments.selectors import assessment_result
from qa_tool.institutions.models import Institution, Role, User


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
        AuditEvent.objects.count(),
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
    validated = Assessment.objects.filter(status="validated")
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
