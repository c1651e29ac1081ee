"""Read-mostly admin for support staff; every change of substance goes through the services."""

from django.contrib import admin

from lisplan.rotations.models import CollaborationAgreement, RegisterEntry, RotationRequest, Vacancy


@admin.register(CollaborationAgreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = [
        "specialty",
        "sending",
        "receiving",
        "duration_months",
        "capacity",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["specialty"]
    search_fields = ["reference", "sending__name", "receiving__name", "specialty__name"]
    autocomplete_fields = []
    raw_id_fields = ["arenas", "goals", "prerequisites"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(admin.ModelAdmin):
    list_display = ["trainee", "institution", "specialty", "permanent", "registered_on", "left_on"]
    list_filter = ["permanent", "institution"]
    raw_id_fields = ["trainee", "employment"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RotationRequest)
class RotationRequestAdmin(admin.ModelAdmin):
    list_display = ["trainee", "sending", "receiving", "specialty", "desired_start", "status"]
    list_filter = ["status", "receiving"]
    raw_id_fields = [
        "trainee",
        "agreement",
        "arena",
        "plan_period",
        "plan",
        "extends",
        "vacancy",
        "created_by",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = ["arena", "institution", "specialty", "start_from", "start_to", "state"]
    list_filter = ["state"]
    raw_id_fields = ["arena", "selected", "opened_by"]
