"""Rubrics in the admin: read-only, with the full tree; only retiring is editable."""

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Crosswalk, Rubric, RubricVersion
from .services import rubric_version_set_retired


class RubricTitleListFilter(admin.RelatedFieldListFilter):
    """A rubric or rubric version filter that lists titles (with the version), not slugs."""

    def field_choices(self, field, request, model_admin):
        model = field.remote_field.model
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        objects = model._default_manager.order_by(*ordering)
        if model is RubricVersion:
            objects = objects.select_related("rubric")
            return [(v.pk, f"{v.display_title or v.rubric.slug} ({v.version})") for v in objects]
        return [(r.pk, r.display_title or r.slug) for r in objects]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ["slug", "version_count"]
    readonly_fields = ["slug", "title"]

    @admin.display(description=_("versions"))
    def version_count(self, obj):
        return obj.versions.count()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RubricVersion)
class RubricVersionAdmin(ReadOnlyAdmin):
    list_display = ["rubric", "version", "aggregate", "retired", "imported_at"]
    list_filter = ["retired", ("rubric", RubricTitleListFilter)]
    fields = [
        "rubric",
        "version",
        "aggregate",
        "retired",
        "imported_at",
        "imported_by",
        "library_link",
        "tree",
    ]
    readonly_fields = [
        "rubric",
        "version",
        "aggregate",
        "imported_at",
        "imported_by",
        "library_link",
        "tree",
    ]
    actions = ["retire", "reinstate"]

    @admin.display(description=_("library page"))
    def library_link(self, obj):
        url = reverse("rubrics:version", args=[obj.rubric.slug, obj.version])
        return format_html('<a href="{}">{}</a>', url, _("Open in the rubric library"))

    @admin.display(description=_("domains and criteria"))
    def tree(self, obj):
        return render_to_string(
            "rubrics/_admin_tree.html",
            {"domains": obj.domains.prefetch_related("criteria"), "scale": obj.scale},
        )

    @admin.action(description=_("Retire: no longer offered for new assessments"))
    def retire(self, request, queryset):
        self._set_retired(request, queryset, True)

    @admin.action(description=_("Reinstate: offer again for new assessments"))
    def reinstate(self, request, queryset):
        self._set_retired(request, queryset, False)

    def _set_retired(self, request, queryset, retired):
        count = 0
        for version in queryset:
            rubric_version_set_retired(version=version, retired=retired)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d version updated.", "%(count)d versions updated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Crosswalk)
class CrosswalkAdmin(ReadOnlyAdmin):
    """Crosswalks come from files (``import_crosswalk``); the admin only shows them."""

    list_display = ["source", "target", "link_count", "imported_at"]
    fields = ["source", "target", "title", "imported_at", "imported_by", "content"]
    readonly_fields = fields

    @admin.display(description=_("links"))
    def link_count(self, obj):
        return len(obj.links)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source__rubric", "target__rubric")

    def has_change_permission(self, request, obj=None):
        return False
