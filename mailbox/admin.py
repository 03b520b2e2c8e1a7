"""Read-mostly admin: letters are sent only through `letter_send`, and nothing
official is deleted. Letter bodies are not shown here: administrators see
who sent what to how many, not what people's letters say."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payam.admin import ReadOnlyAdmin

from . import services
from .constants import EmailStatus
from .models import AccessRecord, Attachment, Delivery, EmailNotice, Letter, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Only an agency mailbox's name and whether it takes citizens' letters may change."""

    list_display = ("label", "kind", "identifier", "owner", "accepts_letters", "created_at")
    list_filter = ("kind", "accepts_letters")
    search_fields = ("identifier", "display_name", "owner__username")
    readonly_fields = ("owner", "kind", "identifier", "created_at")
    fields = ("kind", "identifier", "owner", "display_name", "accepts_letters", "created_at")
    list_select_related = ("owner",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Mailbox | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.kind != "agency":
            fields += ["display_name", "accepts_letters"]
        return fields


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("position", "original_name", "content_type", "size", "sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = (
        "tracking_code",
        "subject",
        "sender_name",
        "category",
        "is_legal_notice",
        "recipient_count",
        "fanout_state",
        "sent_at",
    )
    list_filter = ("category", "is_legal_notice", "fanout_state")
    search_fields = ("tracking_code", "subject", "sender_name")
    date_hierarchy = "sent_at"
    ordering = ("-sent_at",)
    fields = (
        "tracking_code",
        "sender",
        "sender_name",
        "sent_by",
        "subject",
        "category",
        "is_legal_notice",
        "reply_allowed",
        "in_reply_to",
        "sent_at",
        "content_sha256",
        "verification_code",
        "attachment_count",
        "recipient_count",
        "fanout_state",
        "fanout_done",
        "deliveries_count",
        "read_count",
    )
    readonly_fields = fields
    inlines = (AttachmentInline,)

    @admin.display(description=_("شمار تحویل‌ها"))
    def deliveries_count(self, obj: Letter) -> int:
        return obj.deliveries.count()

    @admin.display(description=_("شمار خوانده‌شده‌ها"))
    def read_count(self, obj: Letter) -> int:
        return obj.deliveries.filter(first_read_at__isnull=False).count()


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "letter",
        "recipient",
        "delivered_at",
        "first_read_at",
        "first_read_by",
        "notification_status",
    )
    list_filter = ("notification_status", "first_read_by")
    search_fields = ("letter__tracking_code", "recipient__identifier")
    list_select_related = ("letter", "recipient")
    ordering = ("-delivered_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return super().get_queryset(request).select_related("letter", "recipient")


@admin.register(EmailNotice)
class EmailNoticeAdmin(ReadOnlyAdmin):
    """The e-mail outbox: dead notices are listed and sent again from here."""

    list_display = ("delivery", "to", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    search_fields = ("to", "delivery__letter__tracking_code")
    list_select_related = ("delivery",)
    ordering = ("-id",)
    actions = ["retry"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Rows are never edited by hand; the permission is what the retry action needs.
        return obj is None and request.user.has_perm("mailbox.change_emailnotice")

    @admin.action(description=_("ارسال دوباره‌ی رایانامه‌های ناموفق"))
    def retry(self, request: HttpRequest, queryset: QuerySet[EmailNotice]) -> None:
        ids = list(queryset.filter(status=EmailStatus.DEAD).values_list("id", flat=True))
        count = services.email_notices_retry(actor=request.user, notice_ids=ids)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "%d رایانامه دوباره در صف قرار گرفت.",
                "%d رایانامه دوباره در صف قرار گرفتند.",
                count,
            )
            % count,
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "acting_as", "action", "letter", "grant_type", "grant_id", "ip")
    list_filter = ("acting_as", "action")
    search_fields = ("letter__tracking_code", "user__username")
    list_select_related = ("user", "letter")
    date_hierarchy = "at"
    ordering = ("-at",)
