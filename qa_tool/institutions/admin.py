from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Institution, User


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
