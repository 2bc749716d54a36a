from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from lms.models import Organisation, User


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
