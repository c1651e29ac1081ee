from django.contrib import admin

from lisplan.audit.admin import AuditedAdmin
from lisplan.progress.models import (
    ActivityRecord,
    Course,
    GoalApproval,
    ProgressSummary,
    ServicePeriod,
)


@admin.register(Course)
class CourseAdmin(AuditedAdmin):
    audit_prefix = "progress.course"
    list_display = ["code", "name", "kind", "specialty", "hours", "requirement_code", "verified"]
    list_filter = ["kind", "verified"]
    search_fields = ["code", "name"]


@admin.register(GoalApproval)
class GoalApprovalAdmin(AuditedAdmin):
    audit_prefix = "progress.goal"
    list_display = ["trainee", "goal", "status", "approved_by", "approved_on"]
    list_filter = ["status", "assessment"]
    search_fields = ["trainee__last_name", "goal__code"]
    raw_id_fields = ["trainee", "goal", "approved_by", "updated_by", "arena", "institution"]


@admin.register(ActivityRecord)
class ActivityRecordAdmin(AuditedAdmin):
    audit_prefix = "progress.activity"
    list_display = ["trainee", "kind", "date", "course", "title", "count", "hours"]
    list_filter = ["kind"]
    search_fields = ["trainee__last_name", "title"]
    raw_id_fields = ["trainee", "course", "supervisor", "recorded_by", "institution", "goals"]


@admin.register(ServicePeriod)
class ServicePeriodAdmin(AuditedAdmin):
    audit_prefix = "progress.service"
    list_display = ["trainee", "category", "start", "end", "percent"]
    list_filter = ["category"]
    raw_id_fields = ["trainee", "employment", "institution", "specialty", "recorded_by"]


@admin.register(ProgressSummary)
class ProgressSummaryAdmin(admin.ModelAdmin):
    """A cache computed by the engine: read only."""

    list_display = ["trainee", "status", "projected_completion", "computed_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
