from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payam.text import localized_digits

from . import services
from .constants import InboxStatus
from .exceptions import AccountsError
from .models import LegalPerson, LoginEvent, NaturalPerson, Role, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    """Roles are read here; they are given by "create a staff account" or by the
    office / agency apps, and taken back with the revoke action, all audited."""

    model = RoleGrant
    fk_name = "user"
    fields = ("role", "organization_type", "organization_id", "granted_by", "granted_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class StaffAccountForm(forms.Form):
    username = forms.CharField(label=_("نام کاربری"), max_length=32)
    first_name = forms.CharField(label=_("نام"), max_length=100)
    last_name = forms.CharField(label=_("نام خانوادگی"), max_length=100)
    mobile = forms.CharField(label=_("شماره‌ی همراه (گذرواژه‌ی موقت به آن پیامک می‌شود)"))
    role = forms.ChoiceField(
        label=_("نقش"), choices=[(Role.ITO_EXPERT.value, Role.ITO_EXPERT.label)]
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "kind", "is_staff", "is_active")
    list_filter = ("kind", "is_staff", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("نوع"), {"fields": ("kind", "must_change_password")}),
    )
    inlines = [RoleGrantInline]
    change_list_template = "admin/accounts/user/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "add-staff/",
                self.admin_site.admin_view(self.add_staff_view),
                name="accounts_user_add_staff",
            )
        ]
        return custom + super().get_urls()

    def add_staff_view(self, request: HttpRequest) -> HttpResponse:
        """An ITO expert account with a generated password sent by SMS."""
        if not request.user.is_superuser:
            raise PermissionDenied
        form = StaffAccountForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user = services.staff_account_create(actor=request.user, **form.cleaned_data)
            except (AccountsError, ValidationError) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                self.message_user(
                    request,
                    _("حساب %(username)s ساخته شد و گذرواژه‌ی موقت پیامک شد.")
                    % {"username": user.username},
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("ساخت حساب کارشناس"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/user/add_staff.html", context)


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organization_type", "organization_id", "granted_at")
    list_filter = ("role", "revoked_at")
    search_fields = ("user__username",)
    readonly_fields = (
        "user",
        "role",
        "organization_type",
        "organization_id",
        "granted_by",
        "granted_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RoleGrant | None = None) -> bool:
        return False

    @admin.action(description=_("لغو نقش‌های برگزیده"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        assert isinstance(request.user, User)  # noqa: S101 — the admin requires a sign-in
        for grant in queryset.filter(revoked_at__isnull=True):
            services.role_revoke(actor=request.user, grant=grant)
        self.message_user(request, _("نقش‌ها لغو شد."), messages.SUCCESS)


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ("user", "at", "ip", "method")
    list_filter = ("method",)
    search_fields = ("user__username", "ip")
    readonly_fields = ("user", "at", "ip", "user_agent", "method")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginEvent | None = None) -> bool:
        return False

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
                ngettext(
                    "وضعیت %(count)s کارپوشه به «%(status)s» تغییر کرد.",
                    "وضعیت %(count)s کارپوشه به «%(status)s» تغییر کرد.",
                    done,
                )
                % {"count": localized_digits(done), "status": to.label},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)s کارپوشه در وضعیتی بود که این تغییر برایش مجاز نیست.",
                    "%(count)s کارپوشه در وضعیتی بود که این تغییر برایش مجاز نیست.",
                    refused,
                )
                % {"count": localized_digits(refused)},
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
