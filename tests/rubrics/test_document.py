"""Rubric files: every schema rule and every check the importer adds, with its message."""

import json

import pytest
import yaml

from rubrics.document import RubricFileError, content_hash, parse, read_rubric, validate

from ..factories import rubric_doc


def problems_of(doc, source="r.yaml"):
    with pytest.raises(RubricFileError) as exc:
        validate(doc, source)
    return [str(p) for p in exc.value.problems]


def test_the_test_rubric_is_valid_and_normalised():
    doc = validate(rubric_doc(), "r.yaml")
    assert doc["title"]["fr"] == "Test rubric (fr)"
    assert doc["description"] == {"en": "A rubric for tests."}  # plain strings become English
    criterion = doc["domains"][1]["criteria"][0]
    assert (
        criterion["weight"] == 1
        and criterion["critical"] is False
        and criterion["allow_na"] is False
    )
    assert doc["domains"][0]["criteria"][0]["descriptors"]["2"] == {"en": "C1 at 2"}
    assert doc["pass"] == {"min_score": 60, "critical_min_value": 2}


def test_defaults_and_number_forms_do_not_change_the_hash():
    explicit = rubric_doc()
    explicit["domains"][1]["weight"] = 1.0
    explicit["domains"][1]["criteria"][0].update(weight=1, critical=False, allow_na=False)
    assert content_hash(validate(explicit)) == content_hash(validate(rubric_doc()))


def test_critical_min_value_defaults_to_the_top_level():
    doc = rubric_doc(**{"pass": {"min_score": 50}})
    assert validate(doc)["pass"]["critical_min_value"] == 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("slug"), "r.yaml: slug: is required"),
        (
            lambda d: d.update(slug="Bad Slug"),
            "r.yaml: slug: must be lowercase letters and digits, separated by single hyphens",
        ),
        (lambda d: d.update(version=2), "r.yaml: version: must be a text"),
        (
            lambda d: d.update(aggregate="mean"),
            "r.yaml: aggregate: must be one of domains, criteria",
        ),
        (lambda d: d.update(colour="blue"), "r.yaml: colour: unknown field"),
        (lambda d: d.update(title={"fr": "Titre"}), "r.yaml: title.en: is required"),
        (
            lambda d: d.update(title={"en": "T", "de": "Titel"}),
            "r.yaml: title.de: unknown language; use one of en, fr, ar, zh-hans",
        ),
        (
            lambda d: d.update(title=12),
            "r.yaml: title: must be a text, or a map of language code to text",
        ),
        (lambda d: d.update(title=""), "r.yaml: title: must not be empty"),
        (
            lambda d: d.update(scale=[{"value": 0, "label": "only"}]),
            "r.yaml: scale: must have at least 2 item(s)",
        ),
        (lambda d: d["scale"][1].update(value=-1), "r.yaml: scale[1].value: must be at least 0"),
        (lambda d: d["scale"][1].update(value="one"), "r.yaml: scale[1].value: must be a number"),
        (lambda d: d["scale"][2].pop("label"), "r.yaml: scale[2].label: is required"),
        (lambda d: d["bands"][1].update(min=120), "r.yaml: bands[1].min: must be at most 100"),
        (lambda d: d["bands"][1].pop("min"), "r.yaml: bands[1]: needs min or min_points"),
        (
            lambda d: d["bands"][1].update(min_points=3),
            "r.yaml: bands[1]: give only one of min or min_points, not both",
        ),
        (lambda d: d["pass"].update(min_score="sixty"), "r.yaml: pass.min_score: must be a number"),
        (lambda d: d.update(domains=[]), "r.yaml: domains: must have at least 1 item(s)"),
        (
            lambda d: d["domains"][0].update(weight=0),
            "r.yaml: domains[0].weight: must be greater than 0",
        ),
        (
            lambda d: d["domains"][1]["criteria"][1].update(weight=-2),
            "r.yaml: domains[1].criteria[1].weight: must be greater than 0",
        ),
        (
            lambda d: d["domains"][0]["criteria"][0].pop("code"),
            "r.yaml: domains[0].criteria[0].code: is required",
        ),
        (
            lambda d: d["domains"][0]["criteria"][0].update(code="C 1"),
            "r.yaml: domains[0].criteria[0].code: must be letters, digits, dots, hyphens or underscores",
        ),
        (
            lambda d: d["domains"][0]["criteria"][0].update(critical="yes"),
            "r.yaml: domains[0].criteria[0].critical: must be true or false",
        ),
        (
            lambda d: d["domains"][0]["criteria"][0].update(descriptors={"high": "x"}),
            "r.yaml: domains[0].criteria[0].descriptors: level key 'high' is not a level value (a number)",
        ),
        (
            lambda d: d["domains"][0].update(criteria="C1"),
            "r.yaml: domains[0].criteria: must be a list",
        ),
    ],
)
def test_schema_rules_and_messages(change, expected):
    doc = rubric_doc()
    change(doc)
    assert expected in problems_of(doc)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["scale"][2].update(value=1),
            "r.yaml: scale[2].value: level values must increase strictly",
        ),
        (
            lambda d: d["bands"][0].update(min=10),
            "r.yaml: bands[0].min: the first band must start at 0",
        ),
        (
            lambda d: d["bands"][2].update(min=50),
            "r.yaml: bands[2].min: band thresholds must increase strictly",
        ),
        (
            lambda d: d["domains"][1].update(code="D1"),
            "r.yaml: domains[1].code: duplicate domain code 'D1' (first at domains[0])",
        ),
        (
            lambda d: d["domains"][1]["criteria"][0].update(code="C2"),
            "r.yaml: domains[1].criteria[0].code: duplicate criterion code 'C2' (first at domains[0].criteria[1])",
        ),
        (
            lambda d: d["domains"][0]["criteria"][1].update(allow_na=True),
            "r.yaml: domains[0].criteria[1].allow_na: a critical criterion cannot allow N/A",
        ),
        (
            lambda d: d["domains"][0]["criteria"][0]["descriptors"].update({7: "x"}),
            "r.yaml: domains[0].criteria[0].descriptors.7: is not a level value of the scale",
        ),
        (
            lambda d: d["domains"][0]["criteria"][1]["recommendations"].update({3: "x"}),
            "r.yaml: domains[0].criteria[1].recommendations.3: the top level needs no recommendation",
        ),
        (
            lambda d: d["pass"].update(critical_min_value=2.5),
            "r.yaml: pass.critical_min_value: must be one of the scale's level values",
        ),
        (
            lambda d: d["bands"][1].update(min_points=5) or d["bands"][1].pop("min"),
            "r.yaml: bands: use either min or min_points in every band, not a mix",
        ),
        (
            lambda d: d.update(bands=[{"min_points": 0, "label": "x"}]),
            "r.yaml: aggregate: point thresholds (min_points) need aggregate: criteria",
        ),
        (
            lambda d: d.update(aggregate="criteria", bands=[{"min_points": 0, "label": "x"}]),
            "r.yaml: pass: bands and pass must use the same kind of threshold",
        ),
    ],
)
def test_checks_beyond_the_schema(change, expected):
    doc = rubric_doc()
    change(doc)
    assert expected in problems_of(doc)


def test_requires_pass_needs_a_pass_rule():
    doc = rubric_doc()
    doc["bands"][1]["requires_pass"] = True
    assert validate(doc)["bands"][1]["requires_pass"] is True
    del doc["pass"]
    assert problems_of(doc) == [
        "r.yaml: bands[1].requires_pass: needs a pass rule (pass) in the rubric"
    ]
    doc["bands"][1]["requires_pass"] = "yes"
    assert "r.yaml: bands[1].requires_pass: must be true or false" in problems_of(doc)


def test_requires_pass_false_changes_neither_the_document_nor_its_hash():
    explicit = rubric_doc()
    explicit["bands"][1]["requires_pass"] = False
    assert validate(explicit) == validate(rubric_doc())
    assert content_hash(validate(explicit)) == content_hash(validate(rubric_doc()))


def test_every_problem_is_reported_not_only_the_first():
    doc = rubric_doc()
    doc["domains"][0]["weight"] = 0
    doc["domains"][1]["criteria"][1]["weight"] = -1
    doc["slug"] = "Bad"
    assert len(problems_of(doc)) == 3


def test_point_thresholds_with_criteria_aggregate_are_valid():
    doc = rubric_doc(
        aggregate="criteria",
        bands=[{"min_points": 0, "label": "Low"}, {"min_points": 18, "label": "High"}],
        **{"pass": {"min_points": 18}},
    )
    assert validate(doc)["pass"] == {"min_points": 18, "critical_min_value": 3}


def test_malformed_yaml_names_the_line():
    with pytest.raises(RubricFileError) as exc:
        parse(b"slug: x\ntitle: [unclosed\nversion: 1\n", "bad.yaml")
    (problem,) = exc.value.problems
    assert str(problem).startswith("bad.yaml: malformed YAML at line")


def test_malformed_json_names_the_line():
    with pytest.raises(RubricFileError) as exc:
        parse(b'{"slug": "x",\n "version": }', "bad.json")
    assert "bad.json: malformed JSON at line 2" in str(exc.value.problems[0])


def test_not_a_mapping_and_not_utf8():
    with pytest.raises(RubricFileError, match="must hold a mapping"):
        read_rubric(b"- a\n- b\n", "list.yaml")
    with pytest.raises(RubricFileError, match="not UTF-8"):
        read_rubric(b"\xff\xfe\x00s", "latin.yaml")


def test_yaml_safe_load_refuses_python_objects():
    with pytest.raises(RubricFileError):
        read_rubric(b"!!python/object/apply:os.system ['true']\n", "evil.yaml")


def test_json_and_yaml_give_the_same_document():
    doc = rubric_doc()
    from_yaml = read_rubric(yaml.safe_dump(doc).encode(), "r.yaml")
    as_json = json.loads(json.dumps(doc, default=str))
    from_json = read_rubric(json.dumps(as_json).encode(), "r.json")
    assert content_hash(from_yaml) == content_hash(from_json)
