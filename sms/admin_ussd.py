"""Admin for USSD services and their menus (imported by sms/admin.py).

A service's options are edited inline. The node form refuses what would publish
a dead or unreachable option: an action no handler answers yet, key 0 (it means
"back"), a parent from another service or one that is not a menu, a menu with
options turned into something else, a root that is not a menu, a second root
(checked by the inline formset), and a `text` node without its text.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import ussd
from .constants import UssdAction
from .models import UssdNode, UssdService


class UssdNodeForm(forms.ModelForm):
    class Meta:
        model = UssdNode
        fields = ["parent", "key", "title", "action", "text"]

    def clean_key(self) -> int:
        key: int = self.cleaned_data["key"]
        if str(key) == ussd.BACK_KEY:
            raise forms.ValidationError(
                _("گزینه‌ی ۰ برای «بازگشت» است؛ شماره‌ی دیگری برگزینید."), code="back_key"
            )
        return key

    def clean_action(self) -> str:
        action: str = self.cleaned_data["action"]
        if not ussd.is_available(action):
            raise forms.ValidationError(
                _("کنش «%(action)s» هنوز در سامانه پیاده نشده است؛ گزینه‌ای با آن منتشر نکنید.")
                % {"action": UssdAction(action).label},
                code="no_handler",
            )
        return action

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        parent: UssdNode | None = cleaned.get("parent")
        action = cleaned.get("action")
        service_id = self.instance.service_id
        if parent is not None:
            if service_id is not None and parent.service_id != service_id:
                self.add_error("parent", _("گزینه‌ی بالادست باید از همین خدمت باشد."))
            elif parent.action != UssdAction.MENU:
                self.add_error("parent", _("گزینه‌ی بالادست باید زیرمنو باشد."))
            elif self.instance.pk is not None and parent.pk == self.instance.pk:
                self.add_error("parent", _("گزینه نمی‌تواند زیرمنوی خودش باشد."))
        elif action and action != UssdAction.MENU:
            self.add_error("action", _("ریشه‌ی منو باید «زیرمنو» باشد."))
        if (
            action
            and action != UssdAction.MENU
            and self.instance.pk is not None
            and self.instance.children.exists()
        ):
            self.add_error("action", _("این گزینه زیرگزینه دارد و باید «زیرمنو» بماند."))
        if action == UssdAction.TEXT and not cleaned.get("text"):
            self.add_error("text", _("متنی را که نمایش داده می‌شود بنویسید."))
        return cleaned


class UssdNodeFormSet(BaseInlineFormSet):
    """Offers as parents only the menus of the service being edited."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        parent = form.fields.get("parent")
        if isinstance(parent, forms.ModelChoiceField):
            menus: QuerySet[UssdNode] = UssdNode.objects.none()
            if self.instance.pk is not None:
                menus = UssdNode.objects.filter(
                    service=self.instance, action=UssdAction.MENU
                ).select_related("service")
            parent.queryset = menus
            parent.empty_label = _("— ریشه —")

    def clean(self) -> None:
        super().clean()
        roots = [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk is not None)
            and "parent" in getattr(form, "cleaned_data", {})
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data["parent"] is None
        ]
        if len(roots) > 1:
            raise forms.ValidationError(
                _("هر خدمت فقط یک ریشه دارد؛ برای گزینه‌های دیگر، گزینه‌ی بالادست را برگزینید."),
                code="one_root",
            )


class UssdNodeInline(admin.TabularInline):
    model = UssdNode
    form = UssdNodeForm
    formset = UssdNodeFormSet
    fk_name = "service"
    extra = 1
    fields = ("parent", "key", "title", "action", "text")
    ordering = ("parent_id", "key")

    def get_queryset(self, request: HttpRequest) -> QuerySet[UssdNode]:
        return super().get_queryset(request).select_related("service", "parent__service")


@admin.register(UssdService)
class UssdServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "owner_label", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "title", "owner_label")
    inlines = [UssdNodeInline]
