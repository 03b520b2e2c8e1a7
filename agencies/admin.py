from django.contrib import admin
from django.http import HttpRequest

from payam.admin import ReadOnlyAdmin

from .models import (
    Agency,
    AgencyApplication,
    ApiKey,
    ApplicationChange,
    IncomingAssignment,
    IncomingAssignmentChange,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEvent,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "national_id", "sender", "province", "created_at")
    search_fields = ("name", "national_id")
    list_filter = ("kind", "province")
    raw_id_fields = ("mailbox", "sender")
    # api_requests_per_minute: each API key's limit a minute, set here for the agency.


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Read-only: keys are made and revoked by the agency's admin on /agency/api-keys/
    (audited); only the prefix and the key's SHA-256 are kept."""

    list_display = ("prefix", "name", "agency", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "agency__name")
    list_select_related = ("agency",)
    exclude = ("key_hash",)


class ChangeInline(admin.TabularInline):
    model = ApplicationChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_status", "to_status", "actor", "reason", "deficiencies")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AgencyApplication)
class AgencyApplicationAdmin(ReadOnlyAdmin):
    """Read-only: applications move only through the expert's review pages."""

    list_display = ("tracking_code", "name", "national_id", "status", "submitted_at")
    list_filter = ("status", "province")
    search_fields = ("tracking_code", "name", "national_id")
    inlines = [ChangeInline]


class AssignmentChangeInline(admin.TabularInline):
    model = IncomingAssignmentChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_assignee", "to_assignee", "actor")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(IncomingAssignment)
class IncomingAssignmentAdmin(ReadOnlyAdmin):
    """Read-only: assignments change only on the agency's incoming desk."""

    list_display = ("delivery", "assignee", "assigned_at", "answered_at")
    list_select_related = ("delivery", "assignee")
    search_fields = ("delivery__letter__tracking_code",)
    inlines = [AssignmentChangeInline]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    """Read-only: the agency's admin registers, switches and removes its addresses
    on /agency/webhooks/ (audited). The secret is never shown here."""

    list_display = ("url", "agency", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "agency__name")
    list_select_related = ("agency",)
    exclude = ("secret",)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("at", "url", "status_code", "duration_ms", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    """Read-only: the outbox and its attempts. «ارسال دوباره» is the agency's
    admin's, on /agency/webhooks/."""

    list_display = (
        "event_id",
        "event_type",
        "agency",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "agency__name")
    list_select_related = ("agency",)
    inlines = [WebhookAttemptInline]
