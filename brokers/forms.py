"""The counter's forms: each cleans what the clerk typed (Persian digits, Arabic
letters) and says next to the field what to fix."""

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import OTP_LENGTH
from mailbox.models import Mailbox
from payam.forms import JalaliDateField, JalaliDateWidget, MarksInvalidFields, current_jalali_year
from payam.identifiers import clean_national_code
from payam.phone import normalize_mobile
from payam.text import normalize_digits

from .constants import (
    DELEGATION_DEFAULT_DAYS,
    DelegationLetters,
    DelegationScope,
)

TRACKING_CODE = re.compile(r"^[A-Za-z0-9]{6,10}$")


def _national_code_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control ltr", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"required": _("کد ملی را بنویسید.")},
    )


class NationalCodeMixin(forms.Form):
    def clean_national_code(self) -> str:
        return clean_national_code(self.cleaned_data["national_code"])


class LookupForm(NationalCodeMixin, MarksInvalidFields):
    national_code = _national_code_field(_("کد ملی (از روی کارت ملی)"))
    birth_date = JalaliDateField(label=_("تاریخ تولد (از روی کارت ملی)"))


class ChecklistForm(MarksInvalidFields):
    """What the clerk checks by eye before a code goes to the person's mobile."""

    card_seen = forms.BooleanField(
        label=_("کارت ملی هوشمند یا شناسنامه‌ی عکس‌دار اصل را دیدم."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("این مورد را بررسی و تأیید کنید.")},
    )
    face_matches = forms.BooleanField(
        label=_("چهره‌ی شخص با عکس مدرک هم‌خوان است."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("این مورد را بررسی و تأیید کنید.")},
    )
    details_match = forms.BooleanField(
        label=_("نام، نام پدر و تاریخ تولد پاسخ ثبت احوال با مدرک یکی است."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("این مورد را بررسی و تأیید کنید.")},
    )
    mobile = forms.CharField(
        label=_("شماره‌ی همراه شخص (به نام خودش)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control ltr", "inputmode": "tel"}),
        help_text=_("مانند ۰۹۱۲۱۲۳۴۵۶۷؛ با سامانه‌ی شاهکار بررسی و کد به آن پیامک می‌شود."),
    )

    def __init__(self, *args: Any, needs_mobile: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_mobile = needs_mobile
        if needs_mobile:
            self.fields["mobile"].required = True
            self.fields["mobile"].error_messages["required"] = _("شماره‌ی همراه را بنویسید.")
        else:
            del self.fields["mobile"]

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class CodeForm(MarksInvalidFields):
    code = forms.CharField(
        label=_("کدی که شخص از پیامک می‌خواند"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "class": "form-control ltr otp-input",
                "inputmode": "numeric",
                "autocomplete": "off",
            }
        ),
        error_messages={"required": _("کد را بنویسید.")},
    )

    def clean_code(self) -> str:
        code = normalize_digits(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == OTP_LENGTH):
            raise forms.ValidationError(_("کد ۶ رقم است."))
        return code


def _agency_label(mailbox: Mailbox) -> str:
    return mailbox.display_name


class DelegationForm(NationalCodeMixin, MarksInvalidFields):
    national_code = _national_code_field(_("کد ملی شخص"))
    scan = forms.FileField(
        label=_("تصویر درخواست کتبی امضاشده"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}
        ),
        help_text=_("PDF، JPEG یا PNG. اگر فرم خطایی داشت، پرونده را دوباره برگزینید."),
        error_messages={"required": _("تصویر درخواست کتبی امضاشده را پیوست کنید.")},
    )
    scope = forms.ChoiceField(
        label=_("دامنه‌ی تفویض دسترسی"),
        choices=DelegationScope.choices,
        initial=DelegationScope.VIEW_PRINT,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    letters = forms.ChoiceField(
        label=_("کدام نامه‌ها"),
        choices=DelegationLetters.choices,
        initial=DelegationLetters.ALL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("دستگاه‌ها (برای «نامه‌های دستگاه‌های نام‌برده»)"),
        queryset=Mailbox.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    tracking_codes = forms.CharField(
        label=_("کدهای رهگیری (برای «نامه‌های با کدهای رهگیری نام‌برده»)"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control ltr", "rows": 3}),
        help_text=_("هر کد در یک سطر یا با ویرگول جدا."),
    )
    expires_on = JalaliDateField(
        label=_("پایان اعتبار"),
        help_text=_("پیش‌فرض ۳۰ روز؛ حداکثر یک سال. تا پایان این روز برقرار است."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = self.fields["agencies"]
        assert isinstance(agencies, forms.ModelMultipleChoiceField)  # noqa: S101
        agencies.queryset = Mailbox.objects.filter(kind="agency").order_by("display_name")
        agencies.label_from_instance = _agency_label  # type: ignore[method-assign,assignment]
        year = current_jalali_year()
        self.fields["expires_on"].widget = JalaliDateWidget(min_year=year, max_year=year + 2)
        if not self.is_bound:
            self.initial.setdefault(
                "expires_on", timezone.localdate() + timedelta(days=DELEGATION_DEFAULT_DAYS)
            )

    def clean_tracking_codes(self) -> list[str]:
        raw = normalize_digits(self.cleaned_data.get("tracking_codes") or "")
        codes = [c.strip().upper() for c in re.split(r"[\s,،]+", raw) if c.strip()]
        bad = [c for c in codes if not TRACKING_CODE.match(c)]
        if bad:
            raise forms.ValidationError(
                _("این کد رهگیری درست نیست: %(code)s") % {"code": bad[0][:20]}
            )
        return list(dict.fromkeys(codes))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        letters = data.get("letters")
        if letters == DelegationLetters.AGENCIES and not data.get("agencies"):
            self.add_error("agencies", _("دست‌کم یک دستگاه را برگزینید."))
        if (
            letters == DelegationLetters.CODES
            and not data.get("tracking_codes")
            and "tracking_codes" not in self.errors
        ):
            self.add_error("tracking_codes", _("دست‌کم یک کد رهگیری بنویسید."))
        return data


class FindForm(NationalCodeMixin, MarksInvalidFields):
    national_code = _national_code_field(_("کد ملی شخص"))


class ClerkForm(NationalCodeMixin, MarksInvalidFields):
    national_code = _national_code_field(_("کد ملی کارمند"))
    birth_date = JalaliDateField(label=_("تاریخ تولد کارمند"))
    mobile = forms.CharField(
        label=_("شماره‌ی همراه کارمند (به نام خودش)"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control ltr", "inputmode": "tel"}),
        help_text=_("نام کاربری و گذرواژه‌ی موقت حساب تازه به این شماره پیامک می‌شود."),
        error_messages={"required": _("شماره‌ی همراه را بنویسید.")},
    )

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"])


class ReportForm(MarksInvalidFields):
    since = JalaliDateField(label=_("از روز"), required=False)
    until = JalaliDateField(label=_("تا روز"), required=False)

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=29)
        if since > until:
            since, until = until, since
        return since, min(until, since + timedelta(days=366))
