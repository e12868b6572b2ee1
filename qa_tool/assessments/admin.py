from django.contrib import admin

from rubrics.admin import RubricTitleListFilter

from .models import Assessment, AuditEvent, Cycle


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_open"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the services, which keep the audit trail."""

    list_display = ["institution", "rubric_version", "cycle", "status", "updated_at"]
    list_filter = ["status", "cycle", ("rubric_version", RubricTitleListFilter)]
    list_select_related = ["institution", "rubric_version__rubric", "cycle"]
    search_fields = ["institution__code", "institution__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "assessment", "actor", "action", "criterion_code", "field", "source"]
    list_filter = ["action", "source"]
    list_select_related = [
        "assessment__institution",
        "assessment__rubric_version__rubric",
        "assessment__cycle",
        "actor",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
