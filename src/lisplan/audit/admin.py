from django.contrib import admin

from lisplan.audit.models import AuditEvent, ReadAccess


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_name", "action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits go through the audit log like every other change."""

    audit_prefix = ""

    def get_actions(self, request):
        # Bulk delete would bypass delete_model and so the audit log.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _trainee_id(self, obj):
        return getattr(obj, "trainee_id", None)

    def save_model(self, request, obj, form, change):
        from lisplan.audit.services import diff, record, snapshot

        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        action = f"{self.audit_prefix}.{'changed' if change else 'created'}"
        changes = diff(before, snapshot(obj))
        record(
            actor=request.user,
            action=action,
            obj=obj,
            changes=changes,
            trainee_id=self._trainee_id(obj),
        )

    def delete_model(self, request, obj):
        from lisplan.audit.services import record, snapshot

        record(
            actor=request.user,
            action=f"{self.audit_prefix}.deleted",
            obj=obj,
            changes={k: [v, None] for k, v in snapshot(obj).items()},
            trainee_id=self._trainee_id(obj),
        )
        super().delete_model(request, obj)


@admin.register(ReadAccess)
class ReadAccessAdmin(admin.ModelAdmin):
    """Searchable read-access log (who read whose personal data); read only."""

    list_display = ["at", "actor_name", "roles", "trainee_id", "action", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "actor__username", "object_repr", "=trainee_id", "=request_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ReadAccess._meta.fields]
    show_full_result_count = False  # a large table: no COUNT(*) per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
