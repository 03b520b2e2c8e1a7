from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from payam.text import to_persian_digits

from . import services
from .constants import InboxStatus
from .exceptions import AccountsError
from .models import LegalPerson, NaturalPerson, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "kind", "is_staff", "is_active")
    list_filter = ("kind", "is_staff", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("نوع"), {"fields": ("kind",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("نوع"), {"fields": ("kind",)}),
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("دلیل تعلیق"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("دلیل برای صاحب کارپوشه نمایش داده و در گزارش ممیزی ثبت می‌شود."),
    )


class PersonProfileAdmin(admin.ModelAdmin):
    """Inbox status changes only through the audited service, never by editing the field."""

    list_filter = ("inbox_status",)
    readonly_fields = ("inbox_status", "status_reason", "status_changed_at", "created_at")
    actions = ["activate_inbox", "suspend_inbox"]

    def _change_all(
        self, request: HttpRequest, queryset: QuerySet[Any], to: InboxStatus, reason: str = ""
    ) -> None:
        done, refused = 0, 0
        for profile in queryset:
            try:
                services.inbox_status_change(
                    actor=request.user,  # type: ignore[arg-type]
                    profile=profile,
                    to=to,
                    reason=reason,
                )
                done += 1
            except AccountsError:
                refused += 1
        if done:
            self.message_user(
                request,
                _("وضعیت %(count)s کارپوشه به «%(status)s» تغییر کرد.")
                % {"count": to_persian_digits(done), "status": to.label},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("%(count)s کارپوشه در وضعیتی بود که این تغییر برایش مجاز نیست.")
                % {"count": to_persian_digits(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("فعال‌سازی کارپوشه (پس از احراز هویت حضوری)"))
    def activate_inbox(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._change_all(request, queryset, InboxStatus.ACTIVE)

    @admin.action(description=_("تعلیق کارپوشه (با ذکر دلیل)"))
    def suspend_inbox(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        form = SuspendForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._change_all(request, queryset, InboxStatus.SUSPENDED, form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "admin/accounts/suspend_inbox.html",
            {
                **self.admin_site.each_context(request),
                "title": _("تعلیق کارپوشه"),
                "form": form,
                "profiles": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(NaturalPerson)
class NaturalPersonAdmin(PersonProfileAdmin):
    list_display = ("national_code", "first_name", "last_name", "mobile", "inbox_status")
    search_fields = ("national_code", "last_name", "mobile")


@admin.register(LegalPerson)
class LegalPersonAdmin(PersonProfileAdmin):
    list_display = ("national_id", "name", "ceo_name", "mobile", "inbox_status")
    search_fields = ("national_id", "name", "ceo_national_code")
