import pytest

from qa_tool.institutions.models import Role
from qa_tool.panels.services import panel_create, rater_add

from ..factories import UserFactory


@pytest.fixture
def colleagues(institution):
    """Three more people of the home institution."""
    return [
        UserFactory(username=f"rater{i}", role=Role.LEADER, institution=institution)
        for i in (1, 2, 3)
    ]


@pytest.fixture
def panel(assessment, officer, colleagues):
    """A self-assessment panel led by the officer with three raters (none submitted)."""
    panel = panel_create(assessment=assessment, kind="self", lead=officer)
    for user in colleagues:
        rater_add(panel=panel, actor=officer, user=user)
    return panel
