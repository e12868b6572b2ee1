"""Hostile rubric files: each is refused with a located problem, fast, and nothing imported."""

import json
import time

import pytest

from rubrics.document import RubricFileError, read_rubric, validate
from rubrics.models import RubricVersion
from rubrics.services import rubric_import

from ..factories import rubric_doc

BILLION_LAUGHS = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n".encode()
    for i in range(8)
)


def refused(content: bytes, source: str = "r.yaml") -> list[str]:
    started = time.perf_counter()
    with pytest.raises(RubricFileError) as exc:
        read_rubric(content, source)
    assert time.perf_counter() - started < 2
    return [str(p) for p in exc.value.problems]


def test_an_alias_bomb_is_refused_before_it_expands():
    assert len(BILLION_LAUGHS) < 700
    assert refused(BILLION_LAUGHS) == [
        "r.yaml: malformed YAML at line 1, column 4: "
        "anchors and aliases (& and *) are not allowed in rubric files"
    ]


def test_an_anchor_alone_is_refused_too():
    assert "anchors and aliases" in refused(b"slug: &s x\n")[0]


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf", ".NaN"])
def test_nan_and_infinite_scale_values_and_weights_are_refused(text):
    for field in ("scale", "weight"):
        doc = rubric_doc()
        if field == "scale":
            doc["scale"][0]["value"] = "VALUE"
        else:
            doc["domains"][0]["weight"] = "VALUE"
        text_doc = json.dumps(doc)
        column = text_doc.index('"VALUE"') + 1
        assert refused(text_doc.replace('"VALUE"', text).encode()) == [
            f"r.yaml: malformed YAML at line 1, column {column}: not a finite number"
        ]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_given_as_data_is_refused_at_its_place(value):
    doc = rubric_doc()
    doc["domains"][0]["weight"] = value
    with pytest.raises(RubricFileError) as exc:
        validate(doc, "r.yaml")
    assert [str(p) for p in exc.value.problems] == [
        "r.yaml: domains[0].weight: not a finite number"
    ]


@pytest.mark.parametrize("value", ["true", "1", '"x"', "null", "{}"])
def test_wrong_types_are_problems_not_tracebacks(value):
    doc = json.dumps(rubric_doc()).encode()
    start = doc.index(b'"domains": ') + len(b'"domains": ')
    problems = refused(doc[:start] + value.encode() + b"}", "r.json")
    assert problems and all(p.startswith("r.json: domains") for p in problems)


@pytest.mark.parametrize("source", ["r.yaml", "r.json"])
def test_deep_nesting_is_refused(source):
    content = b'{"slug": ' + b"[" * 900 + b"]" * 900 + b"}"
    assert "nested more than 40 levels deep" in refused(content, source)[0]


def test_deep_block_nesting_is_refused():
    content = "".join(" " * i + "a:\n" for i in range(1000)).encode()
    assert "nested more than 40 levels deep" in refused(content)[0]


def test_duplicate_yaml_keys_are_refused_with_their_line():
    content = b"slug: one\nversion: '1'\nslug: two\n"
    assert refused(content) == [
        "r.yaml: malformed YAML at line 3, column 1: duplicate key 'slug' (first at line 1)"
    ]


def test_duplicate_json_keys_are_refused():
    assert refused(b'{"slug": "one", "slug": "two"}', "r.json") == ["r.json: duplicate key 'slug'"]


def test_a_huge_exponent_as_a_descriptor_key_is_refused_quickly():
    text = json.dumps(rubric_doc()).replace('"2": "C1 at 2"', '"1e999999999": "C1 at 2"')
    assert "1e999999999" in text
    problems = refused(text.encode())
    assert any("1e999999999" in p for p in problems)


@pytest.mark.parametrize("source", ["r.yaml", "r.json"])
def test_an_integer_of_5000_digits_is_refused(source):
    doc = rubric_doc()
    doc["domains"][0]["weight"] = "BIG"
    content = json.dumps(doc).replace('"BIG"', "7" * 5000).encode()
    assert "too large" in refused(content, source)[0]


def test_a_key_of_5000_digits_is_refused():
    doc = rubric_doc()
    content = json.dumps(doc).replace('"2": "C1 at 2"', "7" * 5000 + ': "x"').encode()
    assert refused(content)[0].startswith("r.yaml: malformed YAML")


def test_a_file_too_large_is_refused():
    assert "larger than" in refused(b"#" * 5_000_001)[0]


@pytest.mark.django_db
def test_nothing_is_imported_when_one_file_is_hostile():
    good = json.dumps(rubric_doc()).encode()
    with pytest.raises(RubricFileError):
        rubric_import(files=[("good.yaml", good), ("bad.yaml", BILLION_LAUGHS)])
    assert not RubricVersion.objects.exists()


@pytest.mark.parametrize("text", [b"slug: !!timestamp x\n", b"slug: !!binary '%%'\n", b"a: !x 1\n"])
def test_explicit_tags_are_refused(text):
    assert "tags (such as !!str) are not allowed" in refused(text)[0]


def test_a_date_that_is_none_is_refused_at_its_line():
    assert refused(b"slug: x\nversion: 2026-13-45\n") == [
        "r.yaml: malformed YAML at line 2, column 10: '2026-13-45' is not a date"
    ]


@pytest.mark.parametrize("value", [None, 1, "x", []])
def test_a_pass_rule_that_is_not_a_mapping(value):
    doc = rubric_doc()
    doc["pass"] = value
    with pytest.raises(RubricFileError) as exc:
        validate(doc, "r.yaml")
    assert "r.yaml: pass: must be a mapping" in [str(p) for p in exc.value.problems]
