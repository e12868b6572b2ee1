"""The shipped course review rubric now declares ``level: course``. Stored versions of it
take the level (and the content hash the file now gives), so re-importing the library
changes nothing and its assessments name a course."""

import hashlib
import json

from django.db import migrations


def _hash(doc):
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def add_level(apps, schema_editor):
    RubricVersion = apps.get_model("rubrics", "RubricVersion")
    for version in RubricVersion.objects.filter(rubric__slug="obtl-course-review"):
        if version.content.get("level") == "course":
            continue
        content = dict(version.content)
        content["level"] = "course"
        version.content = content
        version.content_hash = _hash(content)
        version.save(update_fields=["content", "content_hash"])


def remove_level(apps, schema_editor):
    RubricVersion = apps.get_model("rubrics", "RubricVersion")
    for version in RubricVersion.objects.filter(rubric__slug="obtl-course-review"):
        content = dict(version.content)
        if content.pop("level", None) is not None:
            version.content = content
            version.content_hash = _hash(content)
            version.save(update_fields=["content", "content_hash"])


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0001_initial")]

    operations = [migrations.RunPython(add_level, remove_level)]
