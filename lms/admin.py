from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from lms.models import AuditEvent, Organisation, User


@admin.register(User)
class LmsUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "service_number", "organisation")
    list_filter = ("groups", "organisation", "is_active", "preferred_language")
    list_select_related = ("organisation",)
    search_fields = ("username", "first_name", "last_name", "email", "service_number")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            _("FIA details"),
            {
                "fields": (
                    "service_number",
                    "rank",
                    "unit",
                    "organisation",
                    "preferred_language",
                    "phone",
                )
            },
        ),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "country", "parent")
    list_filter = ("kind", "country")
    search_fields = ("name", "short_name")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: read-only for administrators, filterable, exportable as CSV."""

    list_display = ("at", "actor_name", "action", "target", "ip_address")
    list_filter = ("action", "at")
    search_fields = ("actor_name", "target")
    date_hierarchy = "at"
    actions = ["export_csv"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Export the selected events as CSV"))
    def export_csv(self, request, queryset):
        import csv

        from django.http import HttpResponse

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["at", "username", "action", "object", "address", "details"])
        for event in queryset.order_by("at", "pk"):
            writer.writerow(
                [event.at.isoformat(), event.actor_name, event.action, event.target,
                 event.ip_address or "", event.detail]
            )  # fmt: skip
        return response
