from django.contrib import admin

from lisplan.catalogue.models import LearningGoal, Specialty, TopicArea


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "part2_group", "kind", "verified"]
    list_filter = ["part2_group", "kind", "verified"]
    search_fields = ["code", "name"]


@admin.register(TopicArea)
class TopicAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "verified"]


@admin.register(LearningGoal)
class LearningGoalAdmin(admin.ModelAdmin):
    list_display = ["code", "specialty", "part", "valid_from", "valid_to", "demo"]
    list_filter = ["part", "common", "demo", "specialty"]
    search_fields = ["code", "text"]
