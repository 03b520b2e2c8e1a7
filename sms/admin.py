from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payam.admin import ReadOnlyAdmin

from . import (
    admin_ussd,  # noqa: F401 — registers the USSD admin
    services,
)
from .constants import SmsStatus
from .models import InboundSMS, OutboundSMS, SenderNumber, SmsStatusChange


@admin.register(SenderNumber)
class SenderNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "mask", "owner_label", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("number", "mask", "owner_label")


class StatusChangeInline(admin.TabularInline):
    model = SmsStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_status", "to_status", "reason")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboundSMS)
class OutboundSMSAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "sender",
        "recipient",
        "kind",
        "status",
        "attempts",
        "created_at",
        "error",
    )
    list_filter = ("status", "kind", "sender")
    search_fields = ("recipient", "gateway_message_id", "=id")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    inlines = [StatusChangeInline]
    actions = ["retry"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Rows are never edited by hand; the permission is what the retry action needs.
        return obj is None and request.user.has_perm("sms.change_outboundsms")

    @admin.action(description=_("ارسال دوباره‌ی پیامک‌های متوقف یا ناموفق"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundSMS]) -> None:
        ids = list(
            queryset.filter(status__in=[SmsStatus.DEAD, SmsStatus.FAILED]).values_list(
                "id", flat=True
            )
        )
        count = services.sms_retry(actor=request.user, sms_ids=ids)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "%d پیامک دوباره در صف قرار گرفت.", "%d پیامک دوباره در صف قرار گرفتند.", count
            )
            % count,
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(InboundSMS)
class InboundSMSAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "sender_number", "msisdn", "body")
    list_filter = ("sender_number",)
    search_fields = ("msisdn", "body")
