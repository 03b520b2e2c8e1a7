"""Administrators register offices, name each office's manager, and set the
print tariff. Delegations and the office's work are read-only history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import AccountsError
from accounts.models import Role, User
from accounts.services import role_grant, staff_account_create
from payam.audit import audit_record

from .models import BrokerOffice, Delegation, OfficeEvent, PrintTariff


class ManagerForm(forms.Form):
    username = forms.CharField(
        label=_("نام کاربری (کد ملی مدیر)"),
        max_length=32,
        help_text=_("اگر حسابی با این نام کاربری هست، نقش مدیر به همان حساب داده می‌شود."),
    )
    first_name = forms.CharField(label=_("نام"), max_length=100, required=False)
    last_name = forms.CharField(label=_("نام خانوادگی"), max_length=100, required=False)
    mobile = forms.CharField(label=_("شماره‌ی همراه (برای حساب تازه)"), required=False)


@admin.register(BrokerOffice)
class BrokerOfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "province", "city", "active")
    list_filter = ("kind", "active", "province")
    search_fields = ("code", "name", "city")

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<int:office_id>/manager/",
                self.admin_site.admin_view(self.manager_view),
                name="brokers_brokeroffice_manager",
            )
        ]
        return custom + super().get_urls()

    def save_model(
        self, request: HttpRequest, obj: BrokerOffice, form: forms.Form, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="broker.office_change" if change else "broker.office_create",
            target=obj,
            data={"fields": sorted(form.changed_data)} if hasattr(form, "changed_data") else {},
        )

    def manager_view(self, request: HttpRequest, office_id: int) -> HttpResponse:
        """Name the office's manager: a new account (password by SMS) or an existing one."""
        if not request.user.is_superuser:
            raise PermissionDenied
        office = get_object_or_404(BrokerOffice, pk=office_id)
        form = ManagerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                existing = User.objects.filter(username=data["username"]).first()
                if existing is not None:
                    role_grant(
                        actor=request.user,
                        user=existing,
                        role=Role.BROKER_MANAGER,
                        organization=office,
                    )
                else:
                    if not (data["first_name"] and data["last_name"] and data["mobile"]):
                        raise ValidationError(
                            _("برای حساب تازه نام، نام خانوادگی و شماره‌ی همراه لازم است.")
                        )
                    staff_account_create(
                        actor=request.user,
                        role=Role.BROKER_MANAGER,
                        organization=office,
                        **data,
                    )
            except (AccountsError, ValidationError) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                self.message_user(request, _("مدیر دفتر نام‌برده شد."), messages.SUCCESS)
                return redirect("admin:brokers_brokeroffice_change", office.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("نام‌بردن مدیر دفتر «%(name)s»") % {"name": office.name},
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/brokers/brokeroffice/manager.html", context)


@admin.register(PrintTariff)
class PrintTariffAdmin(admin.ModelAdmin):
    list_display = ("fee_rials", "valid_from", "decision", "created_by")
    readonly_fields = ("created_by",)

    def save_model(
        self, request: HttpRequest, obj: PrintTariff, form: forms.Form, change: bool
    ) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="broker.tariff_set",
            target=obj,
            data={"fee_rials": obj.fee_rials, "valid_from": obj.valid_from.isoformat()},
        )

    def has_delete_permission(self, request: HttpRequest, obj: PrintTariff | None = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "office", "owner", "scope", "letters", "status", "expires_at")
    list_filter = ("status", "scope", "letters")
    search_fields = ("owner__username", "office__code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delegation]:
        return super().get_queryset(request).select_related("office", "owner")


@admin.register(OfficeEvent)
class OfficeEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "office", "clerk", "kind", "fee_rials")
    list_filter = ("kind",)
