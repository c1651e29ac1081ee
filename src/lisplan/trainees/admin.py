from django.contrib import admin

from lisplan.audit.admin import AuditedAdmin
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    autocomplete_fields = ["institution", "arena"]


@admin.register(Trainee)
class TraineeAdmin(AuditedAdmin):
    audit_prefix = "trainee"
    list_display = ["last_name", "first_name", "hpr_number", "email"]
    search_fields = ["last_name", "first_name", "hpr_number", "email"]
    autocomplete_fields = ["user"]

    def _trainee_id(self, obj):
        return obj.pk


@admin.register(Employment)
class EmploymentAdmin(AuditedAdmin):
    audit_prefix = "employment"
    list_display = [
        "trainee",
        "institution",
        "specialty",
        "permanent",
        "position_percent",
        "start",
        "end",
    ]
    list_filter = ["permanent", "scheme", "institution", "specialty"]
    search_fields = ["trainee__last_name", "trainee__first_name"]
    autocomplete_fields = ["trainee", "institution", "arena"]


@admin.register(LeavePeriod)
class LeavePeriodAdmin(AuditedAdmin):
    audit_prefix = "leave"
    list_display = ["trainee", "kind", "start", "end", "percent"]
    autocomplete_fields = ["trainee"]


@admin.register(Supervision)
class SupervisionAdmin(AuditedAdmin):
    audit_prefix = "supervision"
    list_display = ["trainee", "supervisor", "kind", "start", "end"]
    autocomplete_fields = ["trainee", "supervisor"]
