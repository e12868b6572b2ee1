"""Display helpers for panel pages: a rater's choice, a share as a percentage, the rule."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import template
from django.utils.translation import gettext as _

from rubrics.models import RubricVersion
from rubrics.templatetags.qa_format import pct

from .. import consensus as core

register = template.Library()


@register.simple_tag
def panel_level(version: RubricVersion, choice: Any) -> str:
    """A level value (or N/A) as the scale's label; "—" when there is none."""
    if choice is None:
        return "—"
    if choice is core.NA:
        return _("N/A")
    return version.level_label(choice)


@register.filter
def share_pct(share: Fraction | None) -> str:
    """A share (0..1) as a percentage with one decimal."""
    return pct(None if share is None else share * 100)


@register.simple_tag
def consensus_rule_label(rule: str) -> str:
    labels = {
        core.MAJORITY: _("majority (ties go to the lower level)"),
        core.MEDIAN: _("median (the lower median)"),
        core.MINIMUM: _("minimum (the lowest level)"),
    }
    return labels.get(rule, rule)
