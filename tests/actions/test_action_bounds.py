"""Action plans: target levels bounded before arithmetic, texts within limits and without NUL."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from qa_tool.actions.models import ActionItem
from qa_tool.actions.services import (
    ActionPlanError,
    action_comment,
    action_plan_generate,
    action_update,
)
from qa_tool.assessments.models import AuditEvent
from qa_tool.core.bounds import COMMENT_MAX

from .test_actions import edit, items_by_code, post_data


@pytest.fixture
def plan(assessment, officer):
    action_plan_generate(assessment=assessment, actor=officer)
    return items_by_code(assessment)


def stored() -> list[tuple]:
    return list(
        ActionItem.objects.order_by("pk").values_list(
            "text", "owner", "target_value", "reviewer_comment"
        )
    )


@pytest.mark.parametrize(
    "target",
    ["1e999999999", "NaN", "Infinity", "-0", "1e3", "9" * 5000, Decimal("1e999999999")],
    ids=["huge-exponent", "nan", "infinity", "minus-zero", "exponent", "5000-digits", "decimal"],
)
def test_a_hostile_target_level_is_refused_quickly(officer, plan, target):
    c2 = plan["C2"]
    before = stored()
    started = time.monotonic()
    with pytest.raises(ActionPlanError) as refused:
        action_update(item=c2, actor=officer, **edit(c2, target_value=target))
    assert time.monotonic() - started < 3
    assert refused.value.problems[0].startswith("C2: the target level must")
    assert stored() == before


@pytest.mark.parametrize(
    "target", ["1e999999999", "NaN", "9" * 5000], ids=["huge-exponent", "nan", "5000-digits"]
)
def test_a_hostile_target_level_posted_on_the_page_is_a_message(client, officer, plan, target):
    c2 = plan["C2"]
    client.force_login(officer)
    before = stored()
    response = client.post(
        reverse("actions:item_update", args=[c2.pk]),
        post_data(c2, target_value=target),
        follow=True,
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"text": "x" * (COMMENT_MAX + 1)}, "C2: Action is longer than 10000 characters (10001)"),
        ({"text": "Train\x00"}, "C2: Action contains a NUL character, which cannot be stored"),
        ({"owner": "Dean\x00"}, "C2: Owner contains a NUL character, which cannot be stored"),
        ({"owner": "x" * 201}, "C2: the owner may have at most 200 characters."),
    ],
    ids=["long-text", "nul-text", "nul-owner", "long-owner"],
)
def test_action_texts_are_bounded_in_the_service(officer, plan, changes, message):
    c2 = plan["C2"]
    before = stored()
    with pytest.raises(ActionPlanError) as refused:
        action_update(item=c2, actor=officer, **edit(c2, **changes))
    assert message in refused.value.problems
    assert stored() == before


@pytest.mark.parametrize(
    "changes", [{"text": "x" * (COMMENT_MAX + 1)}, {"text": "a\x00"}, {"owner": "b\x00"}]
)
def test_action_texts_are_bounded_on_the_page(client, officer, plan, changes):
    c2 = plan["C2"]
    client.force_login(officer)
    before = stored()
    response = client.post(
        reverse("actions:item_update", args=[c2.pk]),
        post_data(c2, target_value="3", **changes),
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200 and ("C2: Action:" in page or "C2: Owner:" in page)
    assert stored() == before


@pytest.mark.parametrize("comment", ["x" * (COMMENT_MAX + 1), "a\x00b"], ids=["long", "nul"])
def test_a_reviewer_comment_is_bounded_in_the_service_and_on_the_page(
    client, reviewer, plan, comment
):
    c2 = plan["C2"]
    before, events = stored(), AuditEvent.objects.count()
    with pytest.raises(ActionPlanError) as refused:
        action_comment(item=c2, actor=reviewer, comment=comment)
    assert refused.value.problems[0].where == "C2"
    client.force_login(reviewer)
    response = client.post(
        reverse("actions:item_comment", args=[c2.pk]),
        {f"item{c2.pk}-comment": comment},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "C2: Reviewer&#x27;s comment:" in page or "C2: Reviewer's comment" in page
    assert stored() == before and AuditEvent.objects.count() == events
