"""An assessment's subject becomes a unit (a programme or a course) instead of a free text,
and review campaigns group many units' assessments.

Existing subjects: blank means the whole institution (null); anything else becomes a unit
of the institution, "programme:CODE" a programme and "course:CODE" (or a bare code) a
course, so no assessment loses what it was about.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def subjects_to_units(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    Unit = apps.get_model("institutions", "Unit")
    for assessment in Assessment.objects.exclude(subject_text="").iterator():
        level, _, code = assessment.subject_text.partition(":")
        if not code:
            level, code = "course", level
        if level not in ("programme", "course"):
            level = "course"
        unit, _ = Unit.objects.get_or_create(
            institution_id=assessment.institution_id,
            code=code.strip()[:30] or "UNIT",
            defaults={"level": level, "title": code.strip()[:200] or "UNIT"},
        )
        assessment.subject = unit
        assessment.save(update_fields=["subject"])


def units_to_subjects(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.filter(subject__isnull=False).select_related("subject"):
        assessment.subject_text = f"{assessment.subject.level}:{assessment.subject.code}"
        assessment.save(update_fields=["subject_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_assessment_reviewed_by"),
        ("institutions", "0003_units_and_contributors"),
        ("rubrics", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Campaign",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("cycle", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="assessments.cycle")),
                ("institution", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="institutions.institution")),
                ("rubric_version", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="rubrics.rubricversion")),
            ],
            options={
                "verbose_name": "review campaign",
                "verbose_name_plural": "review campaigns",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="assessment",
            name="one_assessment_per_institution_rubric_cycle",
        ),
        migrations.RenameField(model_name="assessment", old_name="subject", new_name="subject_text"),
        migrations.AddField(
            model_name="assessment",
            name="subject",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="assessments", to="institutions.unit", verbose_name="subject"),
        ),
        migrations.RunPython(subjects_to_units, units_to_subjects),
        migrations.RemoveField(model_name="assessment", name="subject_text"),
        migrations.AddField(
            model_name="assessment",
            name="campaign",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="assessments", to="assessments.campaign", verbose_name="review campaign"),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(condition=models.Q(("subject__isnull", True)), fields=("institution", "rubric_version", "cycle"), name="one_assessment_per_institution_rubric_cycle"),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(condition=models.Q(("subject__isnull", False)), fields=("institution", "subject", "rubric_version", "cycle"), name="one_assessment_per_subject_rubric_cycle"),
        ),
    ]
