from django.contrib import admin
from django.http import HttpRequest

from payam.models import AuditEvent, TrackingCode


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the application only appends to: no add, edit or delete path."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "seq",
        "created_at",
        "action",
        "actor",
        "acting_for",
        "target_type",
        "target_id",
        "ip",
    )
    list_filter = ("action",)
    search_fields = ("action", "target_id", "actor__username")
    date_hierarchy = "created_at"
    ordering = ("-seq",)


@admin.register(TrackingCode)
class TrackingCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("code",)
