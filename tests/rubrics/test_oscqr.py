"""The shipped course review structured after SUNY OSCQR: complete, attributed and importable."""

from pathlib import Path

from rubrics.document import read_rubric, translation_gaps
from rubrics.i18n import RUBRIC_LANGUAGES
from rubrics.services import rubric_import

from .test_shipped import every_text

PATH = Path(__file__).resolve().parents[2] / "rubrics" / "library" / "oscqr-course-review.yaml"
CATEGORIES = [
    "Course overview and information",
    "Course technology and tools",
    "Design and layout",
    "Content and activities",
    "Interaction",
    "Assessment and feedback",
]
LEVELS = ["Major revision", "Moderate revision", "Minor revision", "Sufficiently present"]


def document():
    return read_rubric(PATH.read_bytes(), PATH.name)


def test_header_and_readme_attribute_oscqr():
    attribution = "© SUNY, CC BY 4.0"
    assert attribution in PATH.read_text(encoding="utf-8").split("\nslug:")[0]
    readme = (PATH.parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"(OSCQR), {attribution}" in readme


def test_shape_six_categories_four_levels_profile_aimed_at_the_top():
    doc = document()
    assert doc["slug"] == "oscqr-course-review" and doc["level"] == "course"
    assert doc["overall"] == "none" and doc["plan_target"] == "top"
    assert [d["title"]["en"] for d in doc["domains"]] == CATEGORIES
    assert [level["label"]["en"] for level in doc["scale"]] == LEVELS
    assert [level["value"] for level in doc["scale"]] == [0, 1, 2, 3]
    assert not doc["bands"] and doc.get("pass") is None
    criteria = [c for d in doc["domains"] for c in d["criteria"]]
    assert 30 <= len(criteria) <= 50
    assert len({c["code"] for c in criteria}) == len(criteria)
    assert all(c["allow_na"] for c in criteria)


def test_effort_on_every_level_below_the_top():
    scale = document()["scale"]
    assert [level.get("effort_hours") for level in scale] == [4, 1.5, 0.5, None]
    assert [level["effort"]["en"] for level in scale[:-1]] == [
        "half a day or more",
        "about 1 to 2 hours",
        "under 30 minutes",
    ]
    assert "effort" not in scale[-1]


def test_every_text_in_four_languages_and_a_recommendation_below_the_top():
    doc = document()
    assert translation_gaps(doc) == []
    texts = list(every_text(doc))
    assert len(texts) > 100
    for text in texts:
        assert set(text) == set(RUBRIC_LANGUAGES), text["en"]
        assert all(value.strip() for value in text.values()), text["en"]
    for domain in doc["domains"]:
        assert domain["description"]["en"]
        for criterion in domain["criteria"]:
            assert list(criterion["recommendations"]) == ["0", "1", "2"], criterion["code"]


def test_imports_and_a_second_import_changes_nothing(db):
    (first,) = rubric_import(files=[(PATH.name, PATH.read_bytes())])
    version = first.rubric_version
    assert (first.slug, first.version, first.action) == ("oscqr-course-review", "1.0", "created")
    assert version.domains.count() == 6
    assert version.criteria.count() == sum(len(d["criteria"]) for d in document()["domains"])
    assert version.content["overall"] == "none"
    (second,) = rubric_import(files=[(PATH.name, PATH.read_bytes())])
    assert second.action == "unchanged"


def test_a_standard_without_its_french_text_is_a_translation_gap():
    text = PATH.read_text(encoding="utf-8")
    line = next(
        x for x in text.splitlines(keepends=True) if 'fr: "Un espace « Commencer ici »' in x
    )
    doc = read_rubric(text.replace(line, "", 1).encode(), PATH.name)
    assert translation_gaps(doc) == ["domains[0].criteria[0].text: no fr text"]


def test_rubric_page_shows_the_revision_levels(client, officer):
    rubric_import(files=[(PATH.name, PATH.read_bytes())])
    client.force_login(officer)
    response = client.get("/rubrics/oscqr-course-review/1.0/")
    assert response.status_code == 200
    page = response.content.decode()
    assert all(label in page for label in LEVELS)
    assert "Design and layout" in page
