"""Read-only views of requests and tickets: they move only through the desk's
services (the applicant's and the experts' pages)."""

from django.contrib import admin
from django.http import HttpRequest

from payam.admin import ReadOnlyAdmin

from .models import Deficiency, Request, RequestChange, Ticket, TicketMessage


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ChangeInline(_ReadOnlyInline):
    model = RequestChange
    fields = ("at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields


class DeficiencyInline(_ReadOnlyInline):
    model = Deficiency
    fields = ("round", "position", "text", "created_by", "fixed_at")
    readonly_fields = fields


@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "tracking_code", "kind", "applicant", "status", "submitted_at")
    list_filter = ("status", "area", "kind")
    search_fields = ("tracking_code", "number", "applicant__display_name", "applicant__identifier")
    inlines = (ChangeInline, DeficiencyInline)


class TicketMessageInline(_ReadOnlyInline):
    model = TicketMessage
    fields = ("at", "author", "from_support", "text")
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("tracking_code", "subject", "applicant", "category", "priority", "status")
    list_filter = ("status", "category", "priority")
    search_fields = ("tracking_code", "subject")
    inlines = (TicketMessageInline,)
