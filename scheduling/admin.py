"""Trainings in the Django admin, with their audience, trainers, sessions and nominations."""

from django.contrib import admin

from scheduling.models import (
    CalendarFeed,
    ConflictAcknowledgement,
    CoordinationEvent,
    Nomination,
    Training,
    TrainingAudience,
    TrainingSession,
    TrainingTrainer,
)


class AudienceInline(admin.TabularInline):
    model = TrainingAudience
    extra = 0


class TrainerInline(admin.TabularInline):
    model = TrainingTrainer
    extra = 0
    autocomplete_fields = ()
    raw_id_fields = ("trainer",)


class SessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0


class NominationInline(admin.TabularInline):
    model = Nomination
    extra = 0
    raw_id_fields = ("user", "nominated_by")
    readonly_fields = ("created_at",)


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ("title", "organiser", "starts_at", "ends_at", "modality", "status")
    list_filter = ("status", "modality", "organiser")
    list_select_related = ("organiser",)
    search_fields = ("title", "venue")
    date_hierarchy = "starts_at"
    filter_horizontal = ("themes", "co_organisers")
    raw_id_fields = ("course", "proposed_by", "approved_by")
    inlines = [AudienceInline, TrainerInline, SessionInline, NominationInline]


@admin.register(ConflictAcknowledgement)
class ConflictAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("training", "action", "by", "at")
    list_select_related = ("training", "by")
    readonly_fields = ("training", "action", "conflicts", "reason", "by", "at")


@admin.register(CoordinationEvent)
class CoordinationEventAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "training", "created_at")
    list_select_related = ("training",)
    readonly_fields = ("kind", "training", "payload", "created_at")


admin.site.register(CalendarFeed, list_display=("__str__", "created_at"), raw_id_fields=("user",))
