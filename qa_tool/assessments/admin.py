from django.contrib import admin

from qa_tool.core.admin import ReadOnlyAdminMixin
from rubrics.admin import RubricTitleListFilter

from .models import Assessment, AuditEvent, Campaign, Cycle


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_open"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the services, which keep the audit trail."""

    list_display = ["institution", "subject", "rubric_version", "cycle", "status", "updated_at"]
    list_filter = ["status", "cycle", ("rubric_version", RubricTitleListFilter)]
    list_select_related = ["institution", "subject", "rubric_version__rubric", "cycle"]
    search_fields = ["institution__code", "institution__name", "subject__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "assessment", "actor", "action", "criterion_code", "field", "source"]
    list_filter = ["action", "source"]
    list_select_related = [
        "assessment__institution",
        "assessment__rubric_version__rubric",
        "assessment__cycle",
        "actor",
    ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Read-only: campaigns are created by officers through the service."""

    list_display = ["name", "institution", "rubric_version", "cycle", "created_at"]
    list_filter = ["cycle"]
    list_select_related = ["institution", "rubric_version__rubric", "cycle"]
    search_fields = ["name", "institution__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
