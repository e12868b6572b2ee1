from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ContributorAssignment, Institution, Unit, UnitProgramme, User


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "region", "type", "size_band", "delivery_mode"]
    list_filter = ["region", "type", "size_band", "delivery_mode", "country"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "institution",
        "is_active",
    ]
    list_filter = ["role", "institution", "is_active", "is_staff"]
    list_select_related = ["institution"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role in the network"), {"fields": ("role", "institution", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role in the network"), {"fields": ("role", "institution")}),
    )


class CourseProgrammeInline(admin.TabularInline):
    model = UnitProgramme
    fk_name = "course"
    extra = 0
    autocomplete_fields = ["programme"]
    verbose_name = _("programme of this course")
    verbose_name_plural = _("programmes of this course")


class AssignmentInline(admin.TabularInline):
    model = ContributorAssignment
    fk_name = "unit"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["assigned_by", "assigned_at"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level", "institution"]
    list_filter = ["level", "institution"]
    list_select_related = ["institution"]
    search_fields = ["code", "title", "institution__code"]
    inlines = [CourseProgrammeInline, AssignmentInline]

    def has_delete_permission(self, request, obj=None):
        # A unit with assessments is protected by the database; say so before trying.
        if obj is not None and obj.assessments.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ContributorAssignment)
class ContributorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "assigned_by", "assigned_at"]
    list_select_related = ["user", "unit", "assigned_by"]
    search_fields = ["user__username", "unit__code"]
    autocomplete_fields = ["user", "unit"]
