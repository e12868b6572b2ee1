"""Fuzzing the rubric reader: random texts and bytes, fragments of hostile YAML, and valid
documents mutated at random all end in a RubricFileError or a document, quickly."""

from __future__ import annotations

import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from rubrics.document import RubricFileError, read_rubric, validate

from ..factories import rubric_doc
from .strategies import TRICKY_TEXTS, bounded_time, json_values, mutate

NAMES = st.sampled_from(["r.yaml", "r.json"])

YAML_PIECES = st.sampled_from(
    [
        "&a ",
        "*a",
        "[",
        "]",
        "{",
        "}",
        ": ",
        ", ",
        "- ",
        "\n",
        "  ",
        "? ",
        "<<: ",
        "!!binary ",
        "!!set ",
        "!!python/object:os.system ",
        "!!timestamp ",
        "'",
        '"',
        "#",
        "---\n",
        "...\n",
        ".nan",
        ".inf",
        "0x1F",
        "0o17",
        "1_000",
        "2026-01-01",
        "slug",
        "domains",
        "scale",
        "descriptors",
        *TRICKY_TEXTS,
    ]
)


def read(content: bytes, name: str) -> None:
    with bounded_time():
        try:
            doc = read_rubric(content, name)
        except RubricFileError as error:
            assert error.problems and all(str(p) for p in error.problems)
            return
    assert isinstance(doc, dict) and doc["domains"]


@given(st.binary(max_size=400), NAMES)
def test_random_bytes(content, name):
    read(content, name)


@given(st.text(max_size=400), NAMES)
def test_random_text(text, name):
    read(text.encode("utf-8"), name)


@given(st.lists(YAML_PIECES, max_size=60).map("".join), NAMES)
def test_fragments_of_hostile_yaml_and_json(text, name):
    read(text.encode("utf-8"), name)


@given(st.data(), st.sampled_from(["yaml", "json", "data"]))
def test_mutations_of_a_valid_rubric(data, form):
    doc = mutate(data.draw, rubric_doc(), json_values)
    if form == "data":
        with bounded_time():
            try:
                validate(doc, "r.yaml")
            except RubricFileError as error:
                assert error.problems
        return
    if form == "json":
        content = json.dumps(doc).encode()
    else:
        content = yaml.safe_dump(doc, allow_unicode=True).encode()
    read(content, f"r.{form}")
