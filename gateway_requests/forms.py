"""Input of the gateway pages: normalized at the edge, refused with a clear
Persian message next to the field."""

import re
from typing import Any

from django import forms
from django.core.validators import validate_ipv46_address
from django.utils.translation import gettext_lazy as _

from agencies.models import email_domain_validator
from payam.forms import MarksInvalidFields
from payam.phone import normalize_mobile
from payam.text import normalize_name, normalize_text, to_ascii_digits

from .constants import LOGO_MAX_BYTES, Operator, PermitKind, SystemPlatform

TEXT = {"class": "form-control"}
LTR = {"class": "form-control", "dir": "ltr"}
SELECT = {"class": "form-select"}
USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class DomainForm(MarksInvalidFields):
    email_domain = forms.CharField(
        label=_("دامنه‌ی رایانامه‌ی سازمان"),
        max_length=100,
        help_text=_("مانند example.ir؛ رایانامه‌ی کارشناسان فنی باید در این دامنه باشد."),
        widget=forms.TextInput(attrs=LTR),
    )

    def clean_email_domain(self) -> str:
        value = to_ascii_digits(self.cleaned_data["email_domain"]).strip().lower()
        value = value.removeprefix("@")
        email_domain_validator(value)
        return value


class SystemForm(MarksInvalidFields):
    title = forms.CharField(label=_("عنوان سامانه"), max_length=200, widget=forms.TextInput(TEXT))
    url = forms.URLField(
        label=_("نشانی (لینک) سامانه"),
        max_length=300,
        assume_scheme="https",
        widget=forms.URLInput(attrs=LTR),
    )
    ip_address = forms.CharField(
        label=_("نشانی IP"),
        max_length=45,
        help_text=_("نشانی IPv4 (مانند 192.0.2.10) یا IPv6."),
        widget=forms.TextInput(attrs=LTR),
    )
    platform = forms.ChoiceField(
        label=_("بستر سامانه"),
        choices=[("", "—"), *SystemPlatform.choices],
        help_text=_(
            "سامانه‌ی روی اینترنت از PGSB و سامانه‌ی روی شبکه‌ی داخلی یا دولت از GSB سرویس می‌گیرد."
        ),
        widget=forms.Select(attrs=SELECT),
    )
    logo = forms.FileField(
        label=_("نشان (لوگو)، PNG تا ۱ مگابایت"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/png"}),
    )
    description = forms.CharField(
        label=_("توضیحات"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs=TEXT | {"rows": 3}),
    )

    def clean_title(self) -> str:
        return normalize_name(self.cleaned_data["title"])

    def clean_ip_address(self) -> str:
        value = to_ascii_digits(self.cleaned_data["ip_address"]).strip()
        try:
            validate_ipv46_address(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("نشانی IP معتبر نیست؛ نشانی IPv4 مانند 192.0.2.10 یا IPv6 بنویسید.")
            ) from None
        return value

    def clean_description(self) -> str:
        return normalize_text(self.cleaned_data["description"])

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("نشان سامانه حداکثر ۱ مگابایت است."))
        return logo


class PersonForm(MarksInvalidFields):
    first_name = forms.CharField(label=_("نام"), max_length=100, widget=forms.TextInput(TEXT))
    last_name = forms.CharField(
        label=_("نام خانوادگی"), max_length=100, widget=forms.TextInput(TEXT)
    )
    mobile = forms.CharField(
        label=_("شماره‌ی همراه"),
        max_length=20,
        widget=forms.TextInput(attrs=LTR | {"inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("رایانامه"),
        max_length=200,
        widget=forms.EmailInput(attrs=LTR),
    )

    def __init__(self, *args: Any, domain: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if domain:
            self.fields["email"].help_text = _("در دامنه‌ی %(domain)s") % {"domain": domain}

    def clean_first_name(self) -> str:
        return normalize_name(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return normalize_name(self.cleaned_data["last_name"])

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ConnectionForm(MarksInvalidFields):
    """Step 2: the route to the national information exchange centre."""

    operator = forms.ChoiceField(
        label=_("اپراتور اتصال"),
        choices=Operator.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("اپراتور اتصال را برگزینید.")},
    )
    username = forms.CharField(
        label=_("نام کاربری اتصال پیشین"),
        max_length=64,
        required=False,
        help_text=_("نام کاربری‌ای که سازمان پیش‌تر برای اتصال گرفته است."),
        widget=forms.TextInput(attrs=LTR | {"autocomplete": "off"}),
    )
    no_username = forms.BooleanField(
        label=_("نام کاربری ندارم"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_username(self) -> str:
        value = to_ascii_digits(self.cleaned_data["username"]).strip()
        if value and not USERNAME.match(value):
            raise forms.ValidationError(
                _("نام کاربری فقط حرف و رقم لاتین، نقطه، خط تیره و زیرخط دارد.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, none = data.get("username"), data.get("no_username")
        if "username" in data and not username and not none:
            self.add_error(
                "username", _("نام کاربری پیشین را بنویسید یا «نام کاربری ندارم» را بزنید.")
            )
        if username and none:
            self.add_error(
                "no_username",
                _("یا نام کاربری را بنویسید یا «نام کاربری ندارم» را بزنید، نه هر دو."),
            )
        return data


class RemarksForm(MarksInvalidFields):
    remarks = forms.CharField(
        label=_("توضیحات پایانی (اختیاری)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs=TEXT | {"rows": 3}),
    )

    def clean_remarks(self) -> str:
        return normalize_text(self.cleaned_data["remarks"])


class PermitKindForm(MarksInvalidFields):
    permit_kind = forms.ChoiceField(
        label=_("نوع درخواست"),
        choices=PermitKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("نوع درخواست را برگزینید.")},
    )


class ReasonForm(MarksInvalidFields):
    reason = forms.CharField(
        label=_("دلیل درخواست"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT | {"rows": 4}),
        error_messages={"required": _("دلیل درخواست را بنویسید.")},
    )

    def clean_reason(self) -> str:
        value = normalize_text(self.cleaned_data["reason"]).strip()
        if not value:
            raise forms.ValidationError(_("دلیل درخواست را بنویسید."))
        return value
