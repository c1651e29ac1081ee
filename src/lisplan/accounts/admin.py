from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from lisplan.accounts.models import ApiToken, RoleAssignment, User
from lisplan.audit.admin import AuditedAdmin


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["arena", "institution"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    audit_prefix = "role"
    list_display = ["user", "role", "arena", "institution", "region", "valid_from", "valid_to"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "arena", "institution"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
