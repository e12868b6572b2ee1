from django.contrib import admin

from qa_tool.core.admin import ReadOnlyAdminMixin

from .models import AccountEvent, UserSession


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ("user", "created", "last_seen", "ip", "user_agent")
    list_filter = ("last_seen",)
    search_fields = ("user__username", "ip", "user_agent")
    readonly_fields = ("user", "session_key", "created", "last_seen", "ip", "user_agent")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The account log, read-only: it records what happened."""

    list_display = ["at", "kind", "institution", "email", "role", "actor"]
    list_filter = ["kind", "institution"]
    search_fields = ["email"]
