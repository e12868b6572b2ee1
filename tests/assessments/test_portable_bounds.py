"""The portable file is read with bounded JSON and every text checked: hostile files are
clear refusals with a location, never tracebacks, hangs or a PostgreSQL DataError."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qa_tool.assessments.portable import assessment_import
from qa_tool.assessments.services import AssessmentError
from qa_tool.core.bounds import COMMENT_MAX, JUSTIFICATION_MAX

from .test_portable import payload, run_import, snapshot


@pytest.fixture
def setup(institution, rubric_version):
    return institution, rubric_version


def import_text(tmp_path, text: str) -> str:
    """The command's refusal of a file holding ``text``."""
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command("import_assessment", str(path), stdout=StringIO(), stderr=err)
    assert time.monotonic() - started < 3
    return err.getvalue() + str(refused.value)


def with_value(raw: str) -> str:
    """A valid draft file whose C1 value is written as ``raw`` (JSON text)."""
    return json.dumps(payload()).replace('"value": 3', f'"value": {raw}', 1)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 1000 + "]" * 1000, "nested more than 40 levels deep"),
        (with_value("NaN"), "NaN is not a number that can be used"),
        (with_value("Infinity"), "Infinity is not a number that can be used"),
        (with_value("-Infinity"), "-Infinity is not a number that can be used"),
        (with_value("9" * 5000), "a number in the file is too large"),
        (with_value("1e999999999"), "not a number (write it like 2 or 2.5)"),
        (with_value("1e300"), "the number is out of range"),
    ],
    ids=["deep", "nan", "infinity", "minus-infinity", "5000-digits", "huge-exponent", "1e300"],
)
def test_hostile_json_is_a_clear_refusal_and_nothing_changes(tmp_path, setup, text, message):
    run_import(tmp_path, payload())
    before = snapshot()
    assert message in import_text(tmp_path, text)
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw, where",
    [
        (with_value("-0"), None),
        (with_value("1e3"), "C1: 1000.0 is not a level of the scale"),
    ],
    ids=["minus-zero", "exponent"],
)
def test_small_exponents_and_minus_zero_are_numbers_checked_against_the_scale(
    tmp_path, setup, raw, where
):
    path = tmp_path / "a.json"
    path.write_text(raw, encoding="utf-8")
    if where is None:
        call_command("import_assessment", str(path), stdout=StringIO())
        return
    assert where in import_text(tmp_path, raw)


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), 10**5000, 1e300],
    ids=["nan", "infinity", "5000-digits", "1e300"],
)
@pytest.mark.parametrize("block", ["responses", "review"])
def test_data_given_directly_is_checked_before_any_arithmetic(setup, value, block):
    data = payload(status="submitted")
    if block == "review":
        data["review"] = {"C2": {"value": value}}
        where = 'review.C2.value: must be a number, "na" or null'
    else:
        data["responses"]["C1"]["value"] = value
        where = 'responses.C1.value: must be a number, "na" or null'
    before = snapshot()
    started = time.monotonic()
    with pytest.raises(AssessmentError) as refused:
        assessment_import(data=data)
    assert time.monotonic() - started < 3
    assert where in refused.value.problems
    assert snapshot() == before


def _set(path: str, value):
    def change(data):
        target = data
        *outer, last = path.split(".")
        for key in outer:
            target = target.setdefault(key, {})
        target[last] = value

    return change


@pytest.mark.parametrize(
    "status, change, message",
    [
        (
            "draft",
            _set("responses.C1.justification", "x" * (JUSTIFICATION_MAX + 1)),
            "responses.C1.justification: is longer than 10000 characters (10001)",
        ),
        (
            "draft",
            _set("responses.C1.justification", "a\x00b"),
            "responses.C1.justification: contains a NUL character",
        ),
        (
            "draft",
            _set("responses.C1.evidence_links", ["https://example.org/\x00"]),
            "responses.C1.evidence_links: contains a NUL character",
        ),
        ("draft", _set("institution", "HOME\x00"), "institution: contains a NUL character"),
        ("draft", _set("cycle", "2026\x00"), "cycle: contains a NUL character"),
        ("draft", _set("rubric", "r" * 201), "rubric: is longer than 200 characters (201)"),
        ("draft", _set("responses.C1\x00", {"value": 1}), "responses.'C1\\x00': contains a NUL"),
        (
            "submitted",
            _set("review.C2", {"value": 1, "comment": "x" * (COMMENT_MAX + 1)}),
            "review.C2.comment: is longer than 10000 characters (10001)",
        ),
        (
            "submitted",
            _set("review.C2", {"value": 1, "comment": "\x00"}),
            "review.C2.comment: contains a NUL character",
        ),
        (
            "validated",
            _set("review_comment", "Fine\x00"),
            "review_comment: contains a NUL character",
        ),
    ],
    ids=[
        "long-justification",
        "nul-justification",
        "nul-link",
        "nul-institution",
        "nul-cycle",
        "long-rubric",
        "nul-code",
        "long-review-comment",
        "nul-review-comment",
        "nul-overall-comment",
    ],
)
def test_texts_of_the_file_are_bounded_and_located(tmp_path, setup, status, change, message):
    run_import(tmp_path, payload())
    before = snapshot()
    data = payload(status=status)
    if status == "validated":
        data["review"] = {}
    change(data)
    out, err = run_import(tmp_path, data)
    assert out is None and message in err
    assert snapshot() == before
