from django.contrib import admin

from lisplan.organisations.models import Approval, Institution, LearningArena, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name"]
    inlines = [ApprovalInline]


@admin.register(LearningArena)
class LearningArenaAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "institution", "specialty", "leader"]
    list_filter = ["level", "institution"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "leader"]
