"""Forms of the assessment workflow: starting, filling (one form per domain), reviewing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from qa_tool.core import bounds
from qa_tool.institutions.models import Region, Unit
from rubrics.i18n import localize
from rubrics.models import Criterion, Crosswalk, RubricVersion
from rubrics.scoring import canonical_number_text

from .evidence import ACCEPTED_EXTENSIONS, invalid_links
from .models import Cycle, Status
from .services import FIELDS, AnswerInput, ReviewInput

NA = "na"


def level_choices(version: RubricVersion, criterion: Criterion) -> list[tuple[str, str]]:
    choices = [
        (canonical_number_text(level["value"]), localize(level["label"], get_language()))
        for level in version.scale
    ]
    if criterion.allow_na:
        choices.append((NA, str(_("Not applicable"))))
    return choices


def parse_level(raw: str) -> tuple[Decimal | None, bool, bool]:
    """(value, is N/A, well-formed) from a posted level: "", "na" or a level as the scale
    writes it ("2", "2.5")."""
    raw = (raw or "").strip()
    if not raw:
        return None, False, True
    if raw == NA:
        return None, True, True
    try:
        # Bounded before anything compares it: 1e999999999 would tie the worker up, NaN 500s.
        value = bounds.number(raw)
    except bounds.BoundError:
        return None, False, False
    # Levels are posted as the scale writes them (the radio values); "-0", "1e3" or "2.50"
    # come only from a hand-made post, and the step's choice field refuses them too.
    if canonical_number_text(value) != raw:
        return None, False, False
    return value, False, True


def level_text(value: Decimal | None, na: bool) -> str:
    """A level as the step form posts it: "", "na" or the canonical number."""
    if na:
        return NA
    return "" if value is None else canonical_number_text(value)


ANSWER_FIELDS = FIELDS  # the fields a save compares and writes


def _digest(text: str) -> str:
    # Browsers post textareas with CRLF; a line-ending difference is not a change.
    return hashlib.blake2b(text.replace("\r\n", "\n").encode(), digest_size=8).hexdigest()


def _normal_level(raw: str) -> str:
    value, na, ok = parse_level(raw)
    return level_text(value, na) if ok else raw


def answer_token(level: str, justification: str, links: str) -> str:
    """A fingerprint of an answer's fields, carried by the form to tell edits from loaded text.

    Digests, not the text itself, so the page does not carry every answer twice.
    """
    return ".".join(_digest(x) for x in (_normal_level(level), justification, links))


def _parse_token(token: str) -> dict[str, str] | None:
    parts = (token or "").split(".")
    if len(parts) != len(ANSWER_FIELDS):
        return None
    return dict(zip(ANSWER_FIELDS, parts, strict=True))


class StartAssessmentForm(forms.Form):
    rubric_version = forms.ModelChoiceField(
        label=_("Rubric"), queryset=RubricVersion.objects.none(), empty_label=None
    )
    cycle = forms.ModelChoiceField(
        label=_("Cycle"), queryset=Cycle.objects.none(), empty_label=None
    )
    subject = forms.ModelChoiceField(
        label=_("Programme or course (for a programme or course rubric)"),
        queryset=Unit.objects.none(),
        required=False,
    )
    carry_over = forms.BooleanField(
        label=_(
            "Pre-fill justifications and evidence links from our latest assessment of a "
            "linked rubric (levels are never copied)"
        ),
        required=False,
    )

    def __init__(self, *args: Any, institution: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(institution=institution) if institution else Unit.objects.none()
        self.fields["subject"].queryset = units.order_by("level", "code")
        if not units.exists():
            del self.fields["subject"]
        self.fields["rubric_version"].queryset = RubricVersion.objects.offered().select_related(
            "rubric"
        )
        self.fields["rubric_version"].label_from_instance = lambda v: (
            f"{v.display_title} ({v.version})"
        )
        self.fields["cycle"].queryset = Cycle.objects.filter(is_open=True)
        if not Crosswalk.objects.exists():
            del self.fields["carry_over"]  # no rubric is linked to another: nothing to carry


@dataclass
class CriterionRow:
    criterion: Criterion
    level: forms.BoundField
    justification: forms.BoundField
    links: forms.BoundField
    revision: forms.BoundField
    loaded: forms.BoundField
    files_name: str
    descriptors: dict[str, str]


class DomainStepForm(forms.Form):
    """One wizard step: every criterion of one domain.

    Fields are named ``<code>-level``, ``<code>-justification``, ``<code>-links``,
    ``<code>-revision`` (the revision loaded, for conflict detection) and
    ``<code>-loaded`` (``answer_token`` of the answer loaded, so that only what the
    person changed is saved). Evidence files are posted as ``<prefix>-<code>-files``
    and handled by the view, not this form.
    """

    def __init__(
        self, *args: Any, criteria: list[Criterion], version: RubricVersion, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.version = version
        for criterion in criteria:
            code = criterion.code
            self.fields[f"{code}-level"] = forms.ChoiceField(
                label=localize(criterion.text, get_language()),
                choices=level_choices(version, criterion),
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"{code}-justification"] = forms.CharField(
                label=_("Justification"),
                widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                required=False,
                max_length=bounds.JUSTIFICATION_MAX,
            )
            self.fields[f"{code}-links"] = forms.CharField(
                label=_("Evidence links"),
                help_text=_("One web address (http or https) per line."),
                widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
                required=False,
                max_length=bounds.LINKS_MAX,
            )
            self.fields[f"{code}-revision"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
            self.fields[f"{code}-loaded"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=100
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for criterion in self.criteria:
            key = f"{criterion.code}-links"
            bad = invalid_links(cleaned.get(key) or "")
            if bad:
                self.add_error(
                    key,
                    _("Not a web address (http or https): %(links)s") % {"links": ", ".join(bad)},
                )
        return cleaned

    def raw_answers(self) -> tuple[dict[str, AnswerInput], dict[str, int], list[str]]:
        """The posted answers as typed, without requiring the form to be valid.

        Returns (answers, revisions loaded, malformed codes).
        """
        answers, revisions, malformed = {}, {}, []
        for criterion in self.criteria:
            code = criterion.code
            value, na, ok = parse_level(self.data.get(self.add_prefix(f"{code}-level"), ""))
            if not ok:
                malformed.append(code)
                continue
            answers[code] = AnswerInput(
                value=value,
                na=na,
                justification=self.data.get(self.add_prefix(f"{code}-justification"), ""),
                links=self.data.get(self.add_prefix(f"{code}-links"), ""),
            )
            revision = self.data.get(self.add_prefix(f"{code}-revision"), "")
            if str(revision).isdigit():
                revisions[code] = int(revision)
        return answers, revisions, malformed

    def posted(self, code: str) -> dict[str, str]:
        """The posted fields of one criterion, as typed."""
        return {f: self.data.get(self.add_prefix(f"{code}-{f}"), "") for f in ANSWER_FIELDS}

    def posted_token(self, code: str) -> str:
        return answer_token(**self.posted(code))

    def loaded(self, code: str) -> dict[str, str] | None:
        """The digests of what the page loaded for this criterion; None on a page without them."""
        return _parse_token(self.data.get(self.add_prefix(f"{code}-loaded"), ""))

    def changed_fields(self) -> dict[str, set[str]]:
        """Per criterion, the fields the person changed from what the page loaded."""
        changed = {}
        for criterion in self.criteria:
            loaded = self.loaded(criterion.code)
            if loaded is None:
                continue
            now = _parse_token(self.posted_token(criterion.code))
            changed[criterion.code] = {f for f in ANSWER_FIELDS if now[f] != loaded[f]}
        return changed

    def rebased(self, current: dict[str, tuple[dict[str, str], int]]) -> dict[str, Any]:
        """The posted data moved onto the answers saved now: ``current[code]`` = (fields, revision).

        Fields the person changed keep their text; fields left as loaded show what is saved
        now. Loaded digests and revisions become those of now, so saving again writes the
        person's changes over what is saved and never brings back the text first loaded.
        """
        data = self.data.copy()
        for criterion in self.criteria:
            code = criterion.code
            fields, revision = current[code]
            loaded = self.loaded(code)
            if loaded is not None:
                now = _parse_token(self.posted_token(code))
                for f in ANSWER_FIELDS:
                    if now[f] == loaded[f]:
                        data[self.add_prefix(f"{code}-{f}")] = fields[f]
                data[self.add_prefix(f"{code}-loaded")] = answer_token(**fields)
            data[self.add_prefix(f"{code}-revision")] = revision
        return data

    def rows(self) -> list[CriterionRow]:
        language = get_language()
        return [
            CriterionRow(
                criterion=c,
                level=self[f"{c.code}-level"],
                justification=self[f"{c.code}-justification"],
                links=self[f"{c.code}-links"],
                revision=self[f"{c.code}-revision"],
                loaded=self[f"{c.code}-loaded"],
                files_name=self.add_prefix(f"{c.code}-files"),
                descriptors={k: localize(v, language) for k, v in c.descriptors.items()},
            )
            for c in self.criteria
        ]

    accepted_extensions = ",".join(ACCEPTED_EXTENSIONS)


class ReviewStepForm(forms.Form):
    """The last wizard step: nothing to type; the view lists every answer and submits."""


class ReviewerForm(forms.Form):
    """The reviewer's validated level and comment for every criterion."""

    KEEP = ""

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        version: RubricVersion,
        returning: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.returning = returning
        for criterion in criteria:
            self.fields[f"{criterion.code}-level"] = forms.ChoiceField(
                label=_("Validated level"),
                choices=[(self.KEEP, _("As self-assessed")), *level_choices(version, criterion)],
                required=False,
            )
            self.fields[f"{criterion.code}-comment"] = forms.CharField(
                label=_("Comment"),
                # dir="auto": typed text keeps its own direction inside a right-to-left page.
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
                required=False,
                max_length=bounds.COMMENT_MAX,
            )
        self.fields["overall_comment"] = forms.CharField(
            label=_("Comment to the institution"),
            help_text=_("Required when returning the assessment for changes."),
            widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            required=False,
            max_length=bounds.COMMENT_MAX,
        )

    def clean_overall_comment(self) -> str:
        comment = self.cleaned_data.get("overall_comment", "").strip()
        if self.returning and not comment:
            raise forms.ValidationError(_("Say what the institution should change."))
        return comment

    def reviews(self) -> dict[str, ReviewInput]:
        out = {}
        for criterion in self.criteria:
            value, na, _ok = parse_level(self.cleaned_data.get(f"{criterion.code}-level") or "")
            out[criterion.code] = ReviewInput(
                value=value, na=na, comment=self.cleaned_data.get(f"{criterion.code}-comment", "")
            )
        return out


class QueueFilterForm(forms.Form):
    rubric = forms.ChoiceField(label=_("Rubric"), required=False)
    cycle = forms.ChoiceField(label=_("Cycle"), required=False)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All")), *Region.choices]
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Status.choices],
    )

    def __init__(
        self,
        *args: Any,
        rubrics: list[tuple[str, str]],
        cycles: list[str],
        countries: list[Country],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].choices = [("", _("All")), *rubrics]
        self.fields["cycle"].choices = [("", _("All")), *((c, c) for c in cycles)]
        self.fields["country"].choices = [("", _("All")), *((c.code, c.name) for c in countries)]
