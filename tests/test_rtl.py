"""Right-to-left pages: text people typed is isolated, so its Latin punctuation stays put."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from qa_tool.actions.models import ActionItem
from qa_tool.actions.services import action_comment, action_plan_generate, action_update
from qa_tool.assessments.services import (
    AnswerInput,
    assessment_return,
    assessment_save_answers,
    assessment_submit,
)

TYPED = "Head of e-learning."
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Isolation(HTMLParser):
    """For each occurrence of a text in the page: is it inside a <bdi> or a dir element?"""

    def __init__(self, needle):
        super().__init__()
        self.needle = needle
        self.stack = []
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.needle in data and not any(tag in ("title", "option") for tag, _a in self.stack):
            self.found.append(
                # The page's own dir="rtl" on <html> is what the isolation is needed against.
                any(tag == "bdi" or (tag != "html" and "dir" in attrs) for tag, attrs in self.stack)
            )


def isolated(page, needle=TYPED):
    parser = _Isolation(needle)
    parser.feed(page)
    assert parser.found, f"{needle!r} is not on the page"
    return all(parser.found)


@pytest.fixture
def typed_everywhere(assessment, officer, reviewer, institution):
    institution.name = TYPED
    institution.save()
    assessment_save_answers(
        assessment=assessment,
        answers={"C1": AnswerInput(value=2, justification=TYPED), "C5": AnswerInput(value=1)},
        actor=officer,
    )
    action_plan_generate(assessment=assessment, actor=officer)
    item = ActionItem.objects.filter(assessment=assessment).first()
    action_update(
        item=item,
        actor=officer,
        text=TYPED,
        owner=TYPED,
        due_date=None,
        status="planned",
        target_value=item.target_value,
    )
    action_comment(item=item, actor=reviewer, comment=TYPED)
    assessment_submit(assessment=assessment, actor=officer)
    return assessment


def _arabic(client, user):
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})


def test_arabic_pages_isolate_what_people_typed(client, reviewer, typed_everywhere):
    assessment = typed_everywhere
    _arabic(client, reviewer)
    pages = {
        "review": reverse("assessments:review", args=[assessment.pk]),
        "plan": reverse("actions:plan", args=[assessment.pk]),
        "history": reverse("assessments:history", args=[assessment.pk]),
        "drill-down": reverse("benchmarks:drill_down", args=[assessment.pk, "D1"]),
        "queue": reverse("assessments:review_queue"),
        "compare": reverse("benchmarks:compare"),
    }
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert 'dir="rtl"' in page, name
        assert isolated(page), name


def test_arabic_review_page_read_only_comments_are_isolated(
    client, reviewer, dean, typed_everywhere
):
    from qa_tool.assessments.models import Response
    from qa_tool.assessments.services import ReviewInput, assessment_save_review

    assessment_save_review(
        assessment=typed_everywhere,
        reviews={
            "C1": ReviewInput(value=Response.objects.get(criterion__code="C1").value, comment=TYPED)
        },
        actor=reviewer,
    )
    assessment_return(assessment=typed_everywhere, actor=reviewer, comment=TYPED)
    _arabic(client, reviewer)
    page = client.get(reverse("assessments:review", args=[typed_everywhere.pk])).content.decode()
    assert isolated(page)
    _arabic(client, dean)
    page = client.get(reverse("dashboard")).content.decode()
    assert isolated(page)


def test_the_checker_notices_bare_text():
    assert not isolated(f"<table><tr><td>{TYPED}</td></tr></table>")
    assert isolated(f'<td><div dir="auto">{TYPED}<br>more</div></td><td><bdi>{TYPED}</bdi></td>')
