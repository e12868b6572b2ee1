from django.contrib import admin

from qa_tool.core.admin import ReadOnlyAdminMixin

from .models import ActionItem


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: plans are edited by officers on the plan page."""

    list_display = (
        "assessment",
        "criterion",
        "rank",
        "tier",
        "status",
        "owner",
        "due_date",
        "updated_at",
    )
    list_filter = ("status", "tier", "assessment__cycle")
    search_fields = ("assessment__institution__code", "criterion__code", "text", "owner")
    list_select_related = (
        "assessment__institution",
        "assessment__cycle",
        "assessment__rubric_version__rubric",
        "criterion",
    )
    ordering = ("assessment", "rank")
