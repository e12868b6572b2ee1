from django.contrib import admin

from .models import FinalLevel, Panel, Rater


class RaterInline(admin.TabularInline):
    model = Rater
    extra = 0
    fields = ("user", "label", "perspective", "submitted_at")
    raw_id_fields = ("user",)


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("assessment", "kind", "lead", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("assessment", "lead")
    inlines = [RaterInline]


@admin.register(FinalLevel)
class FinalLevelAdmin(admin.ModelAdmin):
    list_display = ("panel", "criterion", "value", "is_na", "confirmed_by", "confirmed_at")
    raw_id_fields = ("panel", "criterion", "confirmed_by")
